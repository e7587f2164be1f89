"""Voice calls and recordings: lifecycles, the TwiML each call runs, live call effects.

``state`` places and receives calls; ``requests`` parses create/update parameters;
``records`` are the stored shapes; ``live`` the running calls and their effects;
``voice_env`` connects the pure interpreter (:mod:`..voice`) to the emulator; ``rest``
serves ``/Calls`` and ``/Recordings``; ``control`` the ``/_emulator/calls`` routes.
"""

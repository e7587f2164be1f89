"""Voice calls: lifecycles, the TwiML each call runs, live call effects.

``state`` (:class:`~.state.Calls`, ``core.calls``) places and receives calls; ``requests``
parses and checks create/update parameters and call rules; ``records`` / ``repository`` the
stored Call and its table; ``live`` the running calls and their effects; ``voice_env`` wires
the pure interpreter (:mod:`..voice`) to the emulator; ``serialize`` the wire shape;
``rest`` serves ``/Calls``, ``control`` the ``/_emulator/calls`` routes.
"""

"""Shared test helpers (``tests`` is on ``sys.path`` through pytest's ``pythonpath``).

* :mod:`.receiver`: the webhook receiver: a real HTTP server that records every request
  and answers with the status and body configured per path;
* :mod:`.emulator`: what the ``emu`` fixture (``tests/conftest.py``) is made of, and SDK
  clients pointed at an emulator;
* :mod:`.openapi`: Twilio's OpenAPI spec as a response validator;
* :mod:`.stream_agents`: Media Streams agents as plain ``websockets`` servers (raw JSON);
* :mod:`.wait`: :func:`~.wait.wait_until`, the one polling wait.
"""

"""``python -m twilio_connector.cli``: the same as ``twilio-connector``."""

from .commands import main

if __name__ == "__main__":
    main(prog_name="twilio-connector")

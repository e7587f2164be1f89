"""``python -m twilio_connector.emulator [--port 8765] [--public-url URL] ...``: the same
command as ``twilio-connector emulator start`` (:func:`.cli.serve`)."""

from .._cli_json import run
from .cli import start

if __name__ == "__main__":
    run(start, prog_name="python -m twilio_connector.emulator")

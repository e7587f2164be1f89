"""``python -m twilio_connector.listener module:listener [--port 8080] ...``: the same
command as ``twilio-connector listen`` (:func:`.cli.listen`)."""

from .._cli_json import run
from .cli import listen

if __name__ == "__main__":
    run(listen, prog_name="python -m twilio_connector.listener")

"""Place a voice call against the local emulator and print its transcript and callbacks.

Run it with ``python samples/voice_call_transcript.py`` (no Twilio account needed): it starts
an :class:`Emulator`, makes the callee press 1234 (a call rule), places a call through
``make_voice_call`` whose TwiML gathers four digits, waits for the call to end, then prints
what happened in the call and every webhook the call caused.
"""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from twilio_connector import StatusCallback, TwilioClient, VoiceCallInput
from twilio_connector.emulator import Emulator
from twilio_connector.twiml import VoiceResponse

CALLER = "+15005550006"  # Twilio's magic "valid caller ID" number
CALLEE = "+14155550100"


class App(BaseHTTPRequestHandler):
    """A tiny voice app: answers the Gather's action and takes status callbacks."""

    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        form = parse_qs(self.rfile.read(int(self.headers["Content-Length"] or 0)).decode())
        reply = VoiceResponse()
        if self.path == "/gathered":
            digits = form.get("Digits", [""])[0]
            reply.say(f"You entered {' '.join(digits)}. Goodbye.")
        body = str(reply).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main() -> None:
    app = ThreadingHTTPServer(("127.0.0.1", 0), App)
    threading.Thread(target=app.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{app.server_address[1]}"

    twiml = VoiceResponse()
    gather = twiml.gather(num_digits=4, action=f"{base}/gathered")
    gather.say("Please enter your four digit code.")
    twiml.say("We did not receive any digits. Goodbye.")

    with Emulator() as emu:
        emu.set_rule("completed", to=CALLEE, kind="call", digits="1234")
        with TwilioClient(
            account_sid=emu.account_sid, auth_token=emu.auth_token, base_url=emu.base_url
        ) as client:
            call = client.make_voice_call(
                CALLER,
                CALLEE,
                VoiceCallInput.twiml(twiml),
                StatusCallback.all_events(base + "/status"),
            )
            print(f"Placed {call.sid} to {call.to}: {call.status}")
            emu.settle()
            print(f"Final status: {client.calls.fetch(call.sid).status}")

        print("\nTranscript:")
        for entry in emu.call_transcript(call.sid):
            details = {k: v for k, v in entry.items() if k not in ("kind", "at") and v is not None}
            print(f"  {entry['at']:7.2f}s  {entry['kind']:<7} {details}")

        print("\nCallbacks:")
        for delivery in emu.call_callbacks(call.sid):
            status = delivery.param("CallStatus")
            seq = delivery.param("SequenceNumber")
            extra = f" #{seq}" if seq is not None else ""
            digits = delivery.param("Digits")
            extra += f" Digits={digits}" if digits else ""
            print(
                f"  {delivery.kind:<14} {delivery.method} {delivery.url} -> {delivery.status}"
                f"  CallStatus={status}{extra}"
            )
    app.shutdown()


if __name__ == "__main__":
    main()

"""A voice agent on Media Streams: an echo that plays back what the caller says.

The listener answers the call with ``<Connect><Stream>`` and serves the stream's WebSocket
on the same port (``@listener.media_stream``). Every 20 ms frame of the caller's audio that
is not silence is sent straight back; each key the caller presses is answered with a mark,
and the agent hangs up the stream once the mark of ``#`` has come back (its audio played).
Then the TwiML goes on after ``<Connect>``: a goodbye.

    export PUBLIC_URL=http://127.0.0.1:8080 TWILIO_AUTH_TOKEN=...
    python samples/voice_agents/echo_agent.py

``PUBLIC_URL`` is where Twilio (or the emulator) reaches this process: webhook signatures
are checked against it, and the stream's URL is it with ``ws``/``wss`` for ``http``/``https``.
``tests/test_samples.py`` calls it through the emulator.
"""

import os

from twilio_connector.listener import IncomingCall, StreamStatusEvent, TwilioListener
from twilio_connector.realtime import MediaStreamSocket, audio, media_streams
from twilio_connector.twiml import VoiceResponse

PUBLIC_URL = os.environ.get("PUBLIC_URL", "http://127.0.0.1:8080").rstrip("/")
SOCKET_URL = "ws" + PUBLIC_URL.removeprefix("http") + "/media"

listener = TwilioListener(
    os.environ["TWILIO_AUTH_TOKEN"], public_url=PUBLIC_URL, inbox_path="echo-inbox.sqlite3"
)


@listener.on_incoming_call
def answer(event: IncomingCall) -> VoiceResponse:
    response = VoiceResponse()
    stream = response.connect().stream(url=SOCKET_URL, status_callback=PUBLIC_URL + "/streams")
    stream.parameter(name="caller", value=event.from_ or "")
    response.say("The echo has stopped. Goodbye.")  # once the agent closes the socket
    return response


@listener.on("call.stream.*")
def stream_status(event: StreamStatusEvent) -> None:
    print("stream", event.stream_sid, event.status, flush=True)


@listener.media_stream("/media")
async def echo(socket: MediaStreamSocket) -> None:
    async for message in socket:
        match message:
            case media_streams.Start():
                print("echoing call", socket.call_sid, socket.custom_parameters, flush=True)
            case media_streams.Media(media=chunk) if chunk.payload != audio.SILENCE_FRAME:
                await socket.send_media(chunk.payload)
            case media_streams.Dtmf(dtmf=key):
                await socket.send_mark(f"key-{key.digit}")
            case media_streams.Mark(mark=mark) if mark.name == "key-#":
                return  # closing the socket ends the stream: the TwiML goes on


if __name__ == "__main__":
    listener.run("127.0.0.1", int(os.environ.get("PORT", "8080")))

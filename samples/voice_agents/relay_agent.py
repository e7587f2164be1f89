"""A voice agent on ConversationRelay: rule-based answers, handed to a person on request.

Twilio (or the emulator) speaks and transcribes; this agent only exchanges text. The
listener answers the call with ``<Connect><ConversationRelay>`` (a welcome greeting, DTMF
detection) and serves the relay's WebSocket on the same port
(``@listener.conversation_relay``). Each prompt is answered by the first rule whose keyword
it contains, streamed as tokens; pressing 0 or asking for a person ends the session with
handoff data, and ``<Connect action>`` then receives it (``call.conversation_relay``) and
answers with the next TwiML.

    export PUBLIC_URL=http://127.0.0.1:8080 TWILIO_AUTH_TOKEN=...
    python samples/voice_agents/relay_agent.py

``tests/test_samples.py`` calls it through the emulator.
"""

import json
import os

from twilio_connector.listener import ConversationRelayResult, IncomingCall, TwilioListener
from twilio_connector.realtime import ConversationRelaySocket, conversation_relay
from twilio_connector.twiml import VoiceResponse

PUBLIC_URL = os.environ.get("PUBLIC_URL", "http://127.0.0.1:8080").rstrip("/")
SOCKET_URL = "ws" + PUBLIC_URL.removeprefix("http") + "/relay"
GREETING = "Hello! Ask me about opening hours or your order, or say person."
RULES = (
    ("hour", "We are open from nine to five, Monday to Friday."),
    ("order", "Your order has shipped and arrives tomorrow."),
)

listener = TwilioListener(
    os.environ["TWILIO_AUTH_TOKEN"], public_url=PUBLIC_URL, inbox_path="relay-inbox.sqlite3"
)


@listener.on_incoming_call
def answer(event: IncomingCall) -> VoiceResponse:
    response = VoiceResponse()
    connect = response.connect(action=PUBLIC_URL + "/relay-ended")
    connect.conversation_relay(url=SOCKET_URL, welcome_greeting=GREETING, dtmf_detection=True)
    return response


@listener.on("call.conversation_relay")
def relay_ended(event: ConversationRelayResult) -> VoiceResponse:
    """``<Connect action>``: where the session went (the agent's handoff data, or an error)."""
    handoff = json.loads(event.handoff_data) if event.handoff_data else {}
    print("relay", event.session_status, handoff, flush=True)
    response = VoiceResponse()
    if handoff.get("reason") == "person":
        response.say("Connecting you to a person.")
    response.say("Goodbye.")
    return response


def reply_to(words: str) -> str | None:
    """The rule for the caller's words (``None``: hand off to a person)."""
    lowered = words.lower()
    if "person" in lowered or "human" in lowered:
        return None
    for keyword, reply in RULES:
        if keyword in lowered:
            return reply
    return "Sorry, I can tell you about opening hours or your order."


@listener.conversation_relay("/relay")
async def agent(socket: ConversationRelaySocket) -> None:
    async for message in socket:
        match message:
            case conversation_relay.Prompt(voice_prompt=words):
                reply = reply_to(words)
                if reply is None:
                    await socket.say("One moment.")
                    await socket.end({"reason": "person", "said": words})
                    return
                *head, tail = reply.split(" ")
                for word in head:  # streamed a word at a time, as an LLM would
                    await socket.send_text(word + " ")
                await socket.send_text(tail, last=True)
            case conversation_relay.Dtmf(digit="0"):
                await socket.end({"reason": "person", "said": "0"})
                return
            case conversation_relay.Interrupt(utterance_until_interrupt=heard):
                print("interrupted after", repr(heard), flush=True)


if __name__ == "__main__":
    listener.run("127.0.0.1", int(os.environ.get("PORT", "8080")))

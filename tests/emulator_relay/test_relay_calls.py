"""ConversationRelay end to end: a call through the emulator (inbound, and placed with the
official SDK), an app on a loopback socket in a thread, the ``<Connect action>`` webhook."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from support.emulator import OWNED
from support.receiver import Receiver, twiml
from twilio.request_validator import RequestValidator
from twilio.rest import Client
from websockets.sync.server import Server, ServerConnection, serve

from twilio_connector.emulator import Emulator
from twilio_connector.realtime import conversation_relay as cr

CALLER = "+14155550188"


class ThreadedApp:
    """A rule-based relay app: answers each prompt, hands off when asked for a person."""

    def __init__(self) -> None:
        self.received: list[Any] = []
        self.signatures: list[str] = []
        self._server: Server = serve(self._handle, "127.0.0.1", 0)
        port = self._server.socket.getsockname()[1]
        self.url = f"ws://127.0.0.1:{port}/relay"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def _handle(self, ws: ServerConnection) -> None:
        assert ws.request is not None
        self.signatures.append(ws.request.headers["X-Twilio-Signature"])
        for text in ws:
            message = cr.decode_twilio_message(text)
            self.received.append(message)
            if not isinstance(message, cr.Prompt):
                continue
            if "person" in message.voice_prompt:
                ws.send(cr.encode(cr.Text(token="Transferring you.", last=True)))
                handoff = json.dumps({"reason": "live-agent"})
                ws.send(cr.encode(cr.End(handoff_data=handoff)))
            else:
                ws.send(cr.encode(cr.Text(token="I can ", last=False)))
                ws.send(cr.encode(cr.Text(token="help with that.", last=True)))

    def close(self) -> None:
        self._server.shutdown()
        self._thread.join(10)


@pytest.fixture
def app() -> Iterator[ThreadedApp]:
    a = ThreadedApp()
    yield a
    a.close()


def _relay_twiml(url: str) -> str:
    return twiml(
        f'<Connect action="/after"><ConversationRelay url="{url}" welcomeGreeting="Hi there">'
        '<Parameter name="flow" value="support"/></ConversationRelay></Connect>'
    )


def _answer_with_relay(twilio: Client, receiver: Receiver, app: ThreadedApp) -> None:
    """The owned number's calls connect to ``app``; ``/after`` hands off to a person."""
    owned = twilio.incoming_phone_numbers.list(phone_number=OWNED)[0]
    twilio.incoming_phone_numbers(owned.sid).update(voice_url=receiver.url("/in"))
    receiver.reply("/in", _relay_twiml(app.url))
    receiver.reply("/after", twiml("<Say>Connecting you to a person</Say>"))


def test_inbound_call_with_a_script_hands_off_to_the_action(
    emu: Emulator, twilio: Client, receiver: Receiver, app: ThreadedApp
) -> None:
    _answer_with_relay(twilio, receiver, app)
    script = [{"say": "my order is late"}, {"say": "I want a person"}]
    sid = emu.simulate_incoming_call(CALLER, OWNED, script=script).sid
    emu.settle()
    assert twilio.calls(sid).fetch().status == "completed"
    assert RequestValidator(emu.auth_token).validate(app.url, {}, app.signatures[0])
    setup = next(m for m in app.received if isinstance(m, cr.Setup))
    assert setup.call_sid == sid and setup.direction == "inbound"
    assert setup.custom_parameters == {"flow": "support"} and setup.from_ == CALLER
    prompts = [m.voice_prompt for m in app.received if isinstance(m, cr.Prompt)]
    assert prompts == ["my order is late", "I want a person"]
    after = receiver.at("/after")[0]
    assert after.form["SessionId"] == setup.session_id
    assert after.form["SessionStatus"] == "ended"
    assert json.loads(after.form["HandoffData"]) == {"reason": "live-agent"}
    assert after.form["CallSid"] == sid and int(after.form["SessionDuration"]) > 0
    signature = after.headers["X-Twilio-Signature"]
    assert RequestValidator(emu.auth_token).validate(after.url, after.form, signature)
    transcript = emu.call_transcript(sid)
    relay = [e for e in transcript if e["kind"].startswith(("agent", "caller", "relay"))]
    assert [(e["kind"], e.get("text")) for e in relay] == [
        ("relay-start", None),
        ("agent-say", "Hi there"),
        ("caller-say", "my order is late"),
        ("agent-say", "I can help with that."),
        ("caller-say", "I want a person"),
        ("agent-say", "Transferring you."),
        ("relay-end", None),
    ]
    assert relay[-1]["handoff_data"] == after.form["HandoffData"]
    assert [e["at"] for e in transcript] == sorted(e["at"] for e in transcript)
    assert "Connecting you to a person" in [e.get("text") for e in transcript]


def test_outbound_call_from_the_sdk_with_a_rule_script(
    emu: Emulator, twilio: Client, receiver: Receiver, app: ThreadedApp
) -> None:
    emu.set_rule(
        "completed",
        kind="call",
        to="+14155550123",
        script=[{"say": "hello"}, {"hangup": True}],
    )
    receiver.reply("/out", _relay_twiml(app.url))
    call = twilio.calls.create(to="+14155550123", from_=OWNED, url=receiver.url("/out"))
    emu.settle()
    assert twilio.calls(call.sid).fetch().status == "completed"
    setup = next(m for m in app.received if isinstance(m, cr.Setup))
    assert setup.direction == "outbound" and setup.call_status == "IN-PROGRESS"
    transcript = emu.call_transcript(call.sid)
    ended = next(e for e in transcript if e["kind"] == "relay-end")
    assert ended["reason"] == "caller-hangup"
    assert any(e["kind"] == "hangup" and e["by"] == "caller" for e in transcript)
    assert not receiver.at("/after")  # the caller hung up: no action request


def test_settle_returns_once_the_script_is_answered_and_steps_can_follow(
    emu: Emulator, twilio: Client, receiver: Receiver, app: ThreadedApp
) -> None:
    _answer_with_relay(twilio, receiver, app)
    sid = emu.simulate_incoming_call(CALLER, OWNED, script=[{"say": "my order is late"}]).sid
    emu.settle()  # answered, then quiet: the session waits for the caller, the call is live
    said = [e["text"] for e in emu.call_transcript(sid) if e["kind"] == "agent-say"]
    assert said == ["Hi there", "I can help with that."]
    assert twilio.calls(sid).fetch().status == "in-progress"
    emu.add_caller_steps(sid, [{"say": "I want a person"}])
    emu.settle()
    assert twilio.calls(sid).fetch().status == "completed"
    assert receiver.at("/after")[0].form["HandoffData"] == '{"reason": "live-agent"}'

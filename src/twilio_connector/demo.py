"""``make demo``: the seed connector's flows end to end, with no Twilio account.

It starts the embedded emulator and a verified listener, then runs through our client:
account details; an SMS with a status callback; a WhatsApp conversation; a voice call
that speaks text; a voice call whose TwiML (served by the listener) gathers digits; an
inbound SMS answered by the listener's TwiML reply; and two voice agents served by the
same listener over WebSockets, each called with a scripted caller: an echo on Media
Streams and a rule-based agent on ConversationRelay that hands off to a person. Every
verified event the listener receives is printed as it arrives; the run ends with a summary
table and exits 0 only if every expected event arrived.

With ``DEMO_LIVE=1`` and TWILIO_* credentials, the same outbound flows go to real Twilio:
set ``DEMO_PUBLIC_URL`` (the listener's public URL, e.g. an ngrok tunnel to
``DEMO_LISTEN_PORT``), ``DEMO_FROM`` (your Twilio number) and ``DEMO_TO`` (a phone you
own); optional ``DEMO_WHATSAPP_FROM``.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from ._asgi.server import ServerThread, bind_socket
from ._wire import whatsapp_address
from .client import TwilioClient
from .config import TwilioConfig
from .errors import TwilioError
from .inputs import StatusCallback, VoiceCallInput
from .listener import TwilioListener
from .realtime import ConversationRelaySocket, MediaStreamSocket, audio, conversation_relay
from .realtime import media_streams as ms
from .realtime.media_streams import MAX_MESSAGE_BYTES
from .twiml import MessagingResponse, VoiceResponse

__all__ = ["main"]

console = Console(highlight=False)
HANDSET = "+14155550100"
WHATSAPP_USER = "+14155550123"
SMS_NUMBER = "+15005550006"
INBOUND_NUMBER = "+15017122661"
WHATSAPP_SANDBOX = "+14155238886"
ECHO_NUMBER = "+14155550131"
RELAY_NUMBER = "+14155550132"
RELAY_RULES = (
    ("hour", "We are open from nine to five, Monday to Friday."),
    ("order", "Your order has shipped and arrives tomorrow."),
)


@dataclass
class Expectation:
    flow: str
    events: list[str]
    sid: str | None = None
    seen: list[str] = field(default_factory=list)

    def match(self, name: str, sid: str) -> None:
        if (self.sid is None or self.sid == sid) and name in self.events and name not in self.seen:
            self.seen.append(name)

    @property
    def done(self) -> bool:
        return all(e in self.seen for e in self.events)


@dataclass
class Timeline:
    """Events the listener verified, printed as they arrive and matched to expectations."""

    started: float = field(default_factory=time.monotonic)
    expectations: list[Expectation] = field(default_factory=list)
    history: list[tuple[str, str]] = field(default_factory=list)
    """Every (event, sid) so far: a callback may arrive before the call that caused it returns."""
    lock: threading.Lock = field(default_factory=threading.Lock)
    changed: threading.Condition = field(init=False)

    def __post_init__(self) -> None:
        self.changed = threading.Condition(self.lock)

    def expect(self, flow: str, sid: str | None, *events: str) -> Expectation:
        exp = Expectation(flow, list(events), sid)
        with self.lock:
            self.expectations.append(exp)
            if sid is not None:  # a SID-less expectation is registered before its trigger
                for name, seen_sid in self.history:
                    exp.match(name, seen_sid)
        return exp

    def record(self, name: str, sid: str, detail: str) -> None:
        elapsed = time.monotonic() - self.started
        console.print(
            f"[dim]{elapsed:6.2f}s[/dim]  [bold cyan]{name:<23}[/bold cyan] {sid}  {detail}"
        )
        with self.changed:
            self.history.append((name, sid))
            for exp in self.expectations:
                exp.match(name, sid)
            self.changed.notify_all()

    def wait(self, exp: Expectation, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        with self.changed:
            while not exp.done:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.changed.wait(left)
        return True


def build_listener(
    token: str, inbox: Path, public_url: str | None, timeline: Timeline, base: str
) -> TwilioListener:
    """The application under demonstration: handlers for every seed event."""
    listener = TwilioListener(token, public_url=public_url, inbox_path=inbox)

    @listener.on("sms.*")
    def message_status(event: Any) -> None:
        if event.name == "sms.received":
            return
        code = f" error {event.error_code}" if event.error_code else ""
        timeline.record(event.name, event.message_sid, f"{event.channel} {event.status}{code}")

    @listener.on_sms_received
    def inbound(event: Any) -> MessagingResponse:
        timeline.record("sms.received", event.message_sid, f"{event.from_}: {event.body!r}")
        reply = MessagingResponse()
        if event.channel == "whatsapp":
            return reply  # the demo answers WhatsApp through the REST API instead
        reply.message(f"Thanks! You said: {event.body}", action=base + "/reply-status")
        return reply

    @listener.on("call.initiated", "call.ringing", "call.answered", "call.completed")
    def call_status(event: Any) -> None:
        extra = f" ({event.call_duration}s)" if event.status == "completed" else ""
        timeline.record(
            event.name, event.call_sid, f"#{event.sequence_number} {event.status}{extra}"
        )

    sockets = "ws" + base.removeprefix("http")

    @listener.on_incoming_call
    def answer(event: Any) -> VoiceResponse:
        timeline.record("call.incoming", event.call_sid, f"TwiML requested ({event.direction})")
        response = VoiceResponse()
        if event.to == ECHO_NUMBER:
            response.connect().stream(url=sockets + "/media", status_callback=base + "/stream")
            response.say("The echo has stopped. Goodbye.")
            return response
        if event.to == RELAY_NUMBER:
            response.connect(action=base + "/relay-ended").conversation_relay(
                url=sockets + "/relay", dtmf_detection=True,
                welcome_greeting="Hello! Ask me about opening hours or your order.",
            )  # fmt: skip
            return response
        gather = response.gather(num_digits=4, action=base + "/gather", timeout=5)
        gather.say("Please enter your four digit code.")
        response.say("We did not receive any digits. Goodbye.")
        return response

    @listener.on_gather
    def gathered(event: Any) -> VoiceResponse:
        timeline.record("call.gather", event.call_sid, f"digits={event.digits!r}")
        response = VoiceResponse()
        response.say(f"You entered {' '.join(event.digits or '')}. Goodbye.")
        return response

    @listener.on("call.stream.*")
    def stream_status(event: Any) -> None:
        timeline.record(event.name, event.call_sid, f"stream {event.stream_sid}")

    @listener.media_stream("/twilio/media")
    async def echo(socket: MediaStreamSocket) -> None:
        """Media Streams: play back what the caller says; hang up once '#' is marked."""
        frames = 0
        async for message in socket:
            match message:
                case ms.Media(media=chunk) if chunk.payload != audio.SILENCE_FRAME:
                    frames += 1
                    await socket.send_media(chunk.payload)
                case ms.Dtmf(dtmf=key):
                    await socket.send_mark(f"key-{key.digit}")
                case ms.Mark(mark=mark) if mark.name == "key-#":
                    detail = f"{frames * audio.FRAME_MS} ms of the caller's speech played back"
                    timeline.record("agent.echoed", socket.call_sid or "", detail)
                    return

    @listener.conversation_relay("/twilio/relay")
    async def relay_agent(socket: ConversationRelaySocket) -> None:
        """ConversationRelay: answer by keyword, streamed a word at a time; hand off on
        "person" (or 0)."""
        async for message in socket:
            call = socket.setup.call_sid if socket.setup else ""  # setup is read first
            match message:
                case conversation_relay.Prompt(voice_prompt=words):
                    timeline.record("agent.heard", call, repr(words))
                    if "person" in words.lower():
                        await socket.end({"reason": "person"})
                        return
                    reply = next((r for k, r in RELAY_RULES if k in words.lower()), "Sorry?")
                    *head, tail = reply.split(" ")
                    for word in head:
                        await socket.send_text(word + " ")
                    await socket.send_text(tail, last=True)
                    timeline.record("agent.said", call, repr(reply))
                case conversation_relay.Dtmf(digit="0"):
                    await socket.end({"reason": "person"})
                    return

    @listener.on("call.conversation_relay")
    def relay_ended(event: Any) -> VoiceResponse:
        detail = f"{event.session_status}, handoff {event.handoff_data}"
        timeline.record(event.name, event.call_sid, detail)
        response = VoiceResponse()
        response.say("Connecting you to a person. Goodbye.")
        return response

    return listener


def step(title: str) -> None:
    console.rule(f"[bold]{title}")


def run_flows(
    client: TwilioClient,
    timeline: Timeline,
    hook: str,
    *,
    simulate_inbound: Callable[[str, str, str], None] | None,
    numbers: dict[str, str],
    voice_digits: Callable[[str], None] | None,
    caller_script: Callable[[str, list[dict[str, Any]]], None] | None = None,
    timeout: float,
) -> None:
    step("Account details")
    account = client.get_account_details()
    console.print(f"{account.friendly_name} [dim]{account.sid}[/dim] status={account.status}")

    step("SMS with a status callback")
    sms = client.send_sms(
        numbers["sms_from"], numbers["handset"], "Hello from twilio-connector!", hook
    )
    console.print(f"sent {sms.sid} status={sms.status} segments={sms.num_segments}")
    exp = timeline.expect("SMS with status callback", sms.sid, "sms.sent", "sms.delivered")
    timeline.wait(exp, timeout)

    step("WhatsApp conversation")
    wa_from = numbers["whatsapp_from"]
    if simulate_inbound is not None:
        exp = timeline.expect("WhatsApp inbound", None, "sms.received")
        user, sender = whatsapp_address(numbers["whatsapp_user"]), whatsapp_address(wa_from)
        simulate_inbound(user, sender, "Hi there!")
        timeline.wait(exp, timeout)
    wa = client.send_whatsapp_message(
        wa_from, numbers["whatsapp_user"], "Hi! How can we help?", status_callback=hook
    )
    console.print(f"sent {wa.sid} to {wa.to} status={wa.status}")
    exp = timeline.expect("WhatsApp reply", wa.sid, "sms.sent", "sms.delivered", "sms.read")
    timeline.wait(exp, timeout)

    step("Voice call that speaks text")
    callback = StatusCallback.all_events(hook)
    call = client.make_voice_call(
        numbers["sms_from"],
        numbers["handset"],
        VoiceCallInput.text("Hello from twilio-connector!"),
        callback,
    )
    console.print(f"placed {call.sid} status={call.status}")
    exp = timeline.expect(
        "Voice call (text)",
        call.sid,
        "call.initiated",
        "call.ringing",
        "call.answered",
        "call.completed",
    )
    timeline.wait(exp, timeout)

    step("Voice call whose TwiML gathers digits")
    if voice_digits is not None:
        voice_digits(numbers["gather_to"])
    call = client.make_voice_call(
        numbers["sms_from"],
        numbers["gather_to"],
        VoiceCallInput.twiml_url(hook + "/voice"),
        callback,
    )
    console.print(f"placed {call.sid}; the listener serves its TwiML")
    exp = timeline.expect(
        "Voice call (gather)", call.sid, "call.incoming", "call.gather", "call.completed"
    )
    timeline.wait(exp, timeout)

    if simulate_inbound is not None:
        step("Inbound SMS answered with TwiML")
        exp = timeline.expect(
            "Inbound SMS + TwiML reply", None, "sms.received", "sms.sent", "sms.delivered"
        )
        simulate_inbound(numbers["handset"], numbers["inbound"], "What are your opening hours?")
        timeline.wait(exp, timeout)

    if caller_script is not None:  # the emulator plays the caller's side
        run_voice_agents(client, timeline, hook, numbers, caller_script, timeout)


def run_voice_agents(
    client: TwilioClient,
    timeline: Timeline,
    hook: str,
    numbers: dict[str, str],
    caller_script: Callable[[str, list[dict[str, Any]]], None],
    timeout: float,
) -> None:
    callback = StatusCallback.all_events(hook)
    twiml = VoiceCallInput.twiml_url(hook + "/voice")

    step("Voice agent on Media Streams: an echo")
    caller_script(ECHO_NUMBER, [{"say": "Hello echo, can you hear me?"}, {"press": "#"}])
    call = client.make_voice_call(numbers["sms_from"], ECHO_NUMBER, twiml, callback)
    console.print(f"placed {call.sid}; the caller speaks, then presses #")
    exp = timeline.expect(
        "Media Streams echo agent", call.sid,
        "call.stream.started", "agent.echoed", "call.stream.stopped", "call.completed",
    )  # fmt: skip
    timeline.wait(exp, timeout)

    step("Voice agent on ConversationRelay: rules, then a handoff")
    script = [{"say": "What are your opening hours?"}, {"say": "I would like a person"}]
    caller_script(RELAY_NUMBER, script)
    call = client.make_voice_call(numbers["sms_from"], RELAY_NUMBER, twiml, callback)
    console.print(f"placed {call.sid}; the caller asks, then wants a person")
    exp = timeline.expect(
        "ConversationRelay agent", call.sid,
        "agent.heard", "agent.said", "call.conversation_relay", "call.completed",
    )  # fmt: skip
    timeline.wait(exp, timeout)


def summary(timeline: Timeline) -> bool:
    table = Table(title="Summary")
    table.add_column("flow")
    table.add_column("expected events")
    table.add_column("result")
    ok = True
    for exp in timeline.expectations:
        missing = [e for e in exp.events if e not in exp.seen]
        ok &= not missing
        result = (
            "[green]all received[/green]"
            if not missing
            else f"[red]missing {', '.join(missing)}[/red]"
        )
        table.add_row(exp.flow, ", ".join(exp.events), result)
    console.print(table)
    return ok


def run_emulated(timeout: float) -> bool:
    from .emulator import Emulator

    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="twilio-demo-")))
        emu = stack.enter_context(Emulator(port=0, phone_numbers=(INBOUND_NUMBER,)))
        console.print(f"[bold]Emulator[/bold] {emu.base_url}  account {emu.account_sid}")
        timeline = Timeline()
        sock = bind_socket("127.0.0.1", 0)
        hook = f"http://127.0.0.1:{sock.getsockname()[1]}/twilio"
        listener = build_listener(emu.auth_token, tmp / "inbox.sqlite3", None, timeline, hook)
        stack.enter_context(
            ServerThread(
                listener.app,
                sock=sock,
                lifespan="on",
                name="demo-listener",
                ws="websockets-sansio",
                ws_max_size=MAX_MESSAGE_BYTES,
                ws_per_message_deflate=False,
            )
        )
        console.print(f"[bold]Listener[/bold] {hook}  (every callback signature-verified)")
        client = stack.enter_context(
            TwilioClient(
                account_sid=emu.account_sid, auth_token=emu.auth_token, base_url=emu.base_url
            )
        )
        for number in client.incoming_phone_numbers.list():
            if number.phone_number in (INBOUND_NUMBER, WHATSAPP_SANDBOX):
                client.incoming_phone_numbers.update(number.sid, sms_url=hook + "/sms")

        def simulate(from_: str, to: str, body: str) -> None:
            emu.simulate_inbound_message(from_, to, body)

        def digits(to: str) -> None:
            emu.set_rule("completed", to=to, kind="call", digits="1234")

        def script(to: str, steps: list[dict[str, Any]]) -> None:
            emu.set_rule("completed", to=to, kind="call", script=steps)

        numbers = {
            "sms_from": SMS_NUMBER,
            "handset": HANDSET,
            "whatsapp_from": WHATSAPP_SANDBOX,
            "whatsapp_user": WHATSAPP_USER,
            "gather_to": "+14155550111",
            "inbound": INBOUND_NUMBER,
        }
        run_flows(
            client, timeline, hook, simulate_inbound=simulate, numbers=numbers,
            voice_digits=digits, caller_script=script, timeout=timeout,
        )  # fmt: skip
        return summary(timeline)
    return False  # pragma: no cover


def run_live(timeout: float) -> bool:
    env = os.environ
    missing = [k for k in ("DEMO_PUBLIC_URL", "DEMO_FROM", "DEMO_TO") if not env.get(k)]
    if missing:
        console.print(f"[red]DEMO_LIVE=1 needs {', '.join(missing)} (and TWILIO_* credentials)")
        return False
    config = TwilioConfig.from_env()
    token = config.auth_token
    if not token:
        console.print("[red]live mode validates signatures with TWILIO_AUTH_TOKEN; set it")
        return False
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="twilio-demo-")))
        timeline = Timeline()
        public = env["DEMO_PUBLIC_URL"].rstrip("/")
        hook = public
        listener = build_listener(token, tmp / "inbox.sqlite3", public, timeline, hook)
        port = int(env.get("DEMO_LISTEN_PORT", "8080"))
        stack.enter_context(
            ServerThread(
                listener.app, host="0.0.0.0", port=port, lifespan="on", name="demo-listener"
            )
        )
        client = stack.enter_context(TwilioClient(config))
        numbers = {
            "sms_from": env["DEMO_FROM"],
            "handset": env["DEMO_TO"],
            "whatsapp_from": env.get("DEMO_WHATSAPP_FROM", WHATSAPP_SANDBOX),
            "whatsapp_user": env["DEMO_TO"],
            "gather_to": env["DEMO_TO"],
            "inbound": env["DEMO_FROM"],
        }
        run_flows(
            client, timeline, hook, simulate_inbound=None, numbers=numbers,
            voice_digits=None, timeout=max(timeout, 120.0),
        )  # fmt: skip
        return summary(timeline)
    return False  # pragma: no cover


def main() -> None:
    timeout = float(os.environ.get("DEMO_TIMEOUT", "20"))
    live = os.environ.get("DEMO_LIVE") == "1"
    console.print(
        "[bold]twilio-connector demo[/bold] "
        + ("(live Twilio)" if live else "(embedded emulator; no account needed)")
    )
    try:
        ok = run_live(timeout) if live else run_emulated(timeout)
    except TwilioError as exc:
        console.print(f"[red]{exc}")
        ok = False
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()

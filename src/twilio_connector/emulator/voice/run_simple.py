"""Handlers of the verbs that need no caller input and no other call.

``<Say>``, ``<Play>``, ``<Pause>``, ``<Redirect>``, ``<Hangup>``, ``<Reject>``, ``<Leave>``,
``<Sms>``/``<Message>``, and the logged-only ``<Connect>``, ``<Start>``, ``<Stop>``, ``<Pay>``...
"""

from __future__ import annotations

from ...callbacks import SmsVerbResult
from .environment import OutgoingMessage
from .model import (
    Connect,
    Hangup,
    Leave,
    Pause,
    Play,
    Redirect,
    Reject,
    Say,
    SendMessage,
    StreamControl,
    Unsupported,
)
from .run_context import LEAVE_QUEUE, CallRuntime, DocumentRequest, End, Flow, Goto
from .run_relay import run_connect_relay
from .run_stream import run_connect_stream, run_stream_control
from .transcript import (
    HungUp,
    Left,
    Logged,
    MessageSent,
    Paused,
    Played,
    Redirected,
    Rejected,
    Said,
)

__all__ = [
    "run_connect",
    "run_hangup",
    "run_leave",
    "run_pause",
    "run_play",
    "run_redirect",
    "run_reject",
    "run_say",
    "run_send_message",
    "run_unsupported",
]


async def run_say(rt: CallRuntime, verb: Say) -> Flow:
    loops = rt.timing.loops(verb.loop)
    rt.transcript.add(
        Said(at=rt.at, text=verb.text, voice=verb.voice, language=verb.language, loop=loops)
    )
    await rt.sleep(rt.timing.say(verb.text, verb.loop))
    return None


async def run_play(rt: CallRuntime, verb: Play) -> Flow:
    loops = rt.timing.loops(verb.loop)
    if verb.digits:
        rt.transcript.add(Played(at=rt.at, url="", loop=1, digits=verb.digits))
        await rt.sleep(rt.timing.dtmf(verb.digits))
        return None
    url = rt.resolve(verb.url) or ""
    rt.transcript.add(Played(at=rt.at, url=url, loop=loops))
    await rt.sleep(rt.timing.play_audio(verb.loop))
    return None


async def run_pause(rt: CallRuntime, verb: Pause) -> Flow:
    rt.transcript.add(Paused(at=rt.at, length=verb.length))
    await rt.sleep(verb.length)
    return None


async def run_redirect(rt: CallRuntime, verb: Redirect) -> Flow:
    url = rt.resolve(verb.url) or verb.url
    rt.transcript.add(Redirected(at=rt.at, url=url, method=verb.method))
    return Goto(DocumentRequest(url, verb.method, purpose="redirect"))


async def run_hangup(rt: CallRuntime, verb: Hangup) -> Flow:
    rt.transcript.add(HungUp(at=rt.at, by="twiml"))
    return End("hangup")


async def run_reject(rt: CallRuntime, verb: Reject) -> Flow:
    """Before the call is answered: refuse it (ends ``busy`` or ``no-answer``, unbilled).
    On an answered call Twilio cannot reject any more: it hangs up (with a warning)."""
    if rt.progress.answered:
        rt.problem(None, "<Reject> on an answered call: hanging up", rt.document_url, fatal=False)
        rt.transcript.add(HungUp(at=rt.at, by="twiml"))
        return End("hangup")
    rt.rejected = verb.reason
    rt.transcript.add(Rejected(at=rt.at, reason=verb.reason))
    return End("rejected")


async def run_leave(rt: CallRuntime, verb: Leave) -> Flow:
    entry = rt.queue_entry
    if entry is None:
        rt.problem(None, "<Leave> outside a queue wait: ignored", rt.document_url, fatal=False)
        return None
    rt.transcript.add(Left(at=rt.at, queue=entry.queue_name))
    return LEAVE_QUEUE


async def run_send_message(rt: CallRuntime, verb: SendMessage) -> Flow:
    info = rt.progress.info
    message = OutgoingMessage(
        verb=verb.verb,
        from_=verb.from_ or info.twilio_number,
        to=verb.to or info.remote_party,
        body=verb.body,
        status_callback=rt.resolve(verb.status_callback),
    )
    sent = await rt.guard(rt.env.send_message(rt.progress, message))
    rt.transcript.add(
        MessageSent(
            at=rt.at,
            verb=verb.verb,
            message_sid=sent.sid,
            status=sent.status,
            from_=message.from_,
            to=message.to,
            body=message.body,
        )
    )
    if verb.action is None:
        return None
    action = rt.resolve(verb.action) or verb.action
    extra = SmsVerbResult(sms_sid=sent.sid, sms_status=sent.status).to_params()
    return Goto(DocumentRequest(action, verb.method, extra, purpose="action"))


async def run_connect(rt: CallRuntime, verb: Connect) -> Flow:
    """A ``<Stream>`` or ``<ConversationRelay>`` runs until it ends; other nouns are logged
    and end at once. Then ``action`` (if any) runs, else the next verb."""
    if verb.stream is not None:
        return await run_connect_stream(rt, verb, verb.stream)
    if verb.relay is not None:
        return await run_connect_relay(rt, verb, verb.relay)
    nouns = [noun.to_builtins() for noun in verb.nouns]
    rt.transcript.add(Logged(at=rt.at, verb="Connect", nouns=nouns))
    if verb.action is None:
        return None
    action = rt.resolve(verb.action) or verb.action
    return Goto(DocumentRequest(action, verb.method, purpose="action"))


async def run_unsupported(rt: CallRuntime, verb: StreamControl | Unsupported) -> Flow:
    if isinstance(verb, StreamControl) and verb.streams:
        return await run_stream_control(rt, verb)
    if isinstance(verb, StreamControl):
        name, nouns = verb.verb, [noun.to_builtins() for noun in verb.nouns]
    else:
        name, nouns = verb.element.name, [child.to_builtins() for child in verb.element.children]
    rt.transcript.add(Logged(at=rt.at, verb=name, nouns=nouns))
    return None

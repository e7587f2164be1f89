"""ConversationRelay: ``<Connect><ConversationRelay>``.

Opens the app's socket (signed as Twilio signs it), sends ``setup``, runs the session
(:mod:`.relay_session`: the caller's script against the agent, in call time) and then
requests the ``<Connect action>`` with :class:`~twilio_connector.callbacks.
ConversationRelayResult` (``SessionId``, ``SessionStatus``, ``SessionDuration``,
``HandoffData``, ``ErrorCode``/``ErrorMessage``), or goes on with the next verb when there
is no ``action``. A socket that cannot be opened is warning 64102 and a ``failed`` session.
The caller hanging up ends the call (no action request); so does the time limit. A hang-up
or redirect from outside closes the socket and records the session's end first.
"""

from __future__ import annotations

from ...callbacks import ConversationRelayResult
from ...realtime import conversation_relay as cr
from .environment import SocketError
from .model import Connect, ConversationRelay
from .params import CallInfo
from .relay_session import ERROR_CONNECT, RelaySession, SessionEnd, new_session_id
from .run_context import CallRuntime, DocumentRequest, End, Flow, Goto, Interrupted
from .transcript import HungUp, RelayEnded, RelayStarted

__all__ = ["run_connect_relay", "setup_message"]


def _call_type(info: CallInfo) -> str:
    for address in (info.from_, info.to):
        if address.startswith("client:"):
            return "CLIENT"
        if address.startswith("sip:"):
            return "SIP"
    return "PSTN"


def setup_message(
    rt: CallRuntime, session_id: str, parameters: tuple[tuple[str, str], ...]
) -> cr.Setup:
    """The ``setup`` message of a session on this call."""
    info = rt.progress.info
    return cr.Setup(
        session_id=session_id,
        account_sid=info.account_sid,
        call_sid=info.call_sid,
        parent_call_sid=info.parent_call_sid or "",
        from_=info.from_,
        to=info.to,
        forwarded_from=info.forwarded_from or "",
        call_type=_call_type(info),
        caller_name=info.caller_name or "",
        direction="inbound" if info.direction == "inbound" else "outbound",
        call_status=rt.progress.status.upper(),
        custom_parameters=dict(parameters),
    )


def _after(rt: CallRuntime, verb: Connect, session_id: str, end: SessionEnd, duration: int) -> Flow:
    rt.transcript.add(
        RelayEnded(
            at=rt.at,
            session_id=session_id,
            status=end.status,
            reason=end.reason,
            duration=duration,
            handoff_data=end.handoff_data,
            error_code=end.error_code,
        )
    )
    if end.reason == "caller-hangup":
        rt.transcript.add(HungUp(at=rt.at, by="caller"))
        return End("hangup")
    if end.reason == "time-limit":
        return End("time-limit")
    if verb.action is None:
        return None
    result = ConversationRelayResult(
        session_id=session_id,
        session_status=end.status,
        session_duration=duration,
        handoff_data=end.handoff_data,
        error_code=end.error_code,
        error_message=end.error_message,
    )
    action = rt.resolve(verb.action) or verb.action
    return Goto(DocumentRequest(action, verb.method, result.to_params(), purpose="action"))


async def run_connect_relay(rt: CallRuntime, verb: Connect, relay: ConversationRelay) -> Flow:
    session_id = new_session_id()
    url = relay.url.strip()
    try:
        socket = await rt.guard(rt.env.open_socket(rt.progress, url))
    except SocketError as exc:
        message = f"cannot connect to the ConversationRelay WebSocket ({exc.code}: {exc.message})"
        rt.problem(ERROR_CONNECT, message, url, fatal=False)
        failed = SessionEnd("failed", "connect-failed", error_code=ERROR_CONNECT,
                            error_message=message)  # fmt: skip
        return _after(rt, verb, session_id, failed, 0)
    session = RelaySession(rt, relay, socket, session_id)
    rt.caller.attach()
    try:
        rt.transcript.add(
            RelayStarted(
                at=rt.at,
                session_id=session_id,
                url=url,
                language=relay.language,
                parameters=dict(relay.parameters),
            )
        )
        await session.send(setup_message(rt, session_id, relay.parameters))
        session.start_reading()
        session.greet()
        end = await session.converse()
    except Interrupted:
        await session.abandon()
        await session.stop()
        reason = "call-ended" if rt.pending is None else "redirected"
        rt.transcript.add(
            RelayEnded(
                at=rt.at,
                session_id=session_id,
                status="ended",
                reason=reason,
                duration=session.duration(),
            )
        )
        raise
    finally:
        rt.caller.detach()
        await session.stop()
    await session.abandon()
    return _after(rt, verb, session_id, end, session.duration())

"""``client.calls``: place, fetch, list, redirect, hang up and delete calls; their recordings
and one-way Media Streams."""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any, Literal

from .._base_client import Op, PageFlow
from .._operation import Mode, Resource, collector, operation, paginator
from .._wire import ExtraParams, date_filters, form, form_with_extra, numbered_params
from ..enums import CallStatus, HttpMethod, StreamTrack
from ..inputs import StatusCallback, VoiceCallInput, VoiceInputType
from ..models import Call, CallStream, Recording
from ..specs import CALL_RECORDINGS, CALL_STREAMS, CALLS, RECORDINGS

__all__ = ["Calls", "call_params", "say_twiml"]


def say_twiml(text: str) -> str:
    """A TwiML document that speaks ``text`` (XML-escaped)."""
    from ..twiml import VoiceResponse

    response = VoiceResponse()
    response.say(text)
    return str(response)


def _status_callback_params(status_callback: str | StatusCallback | None) -> dict[str, Any]:
    """The three wire names, always (``None`` when not given: each is a typed parameter)."""
    if status_callback is None:
        return dict.fromkeys(("StatusCallback", "StatusCallbackMethod", "StatusCallbackEvent"))
    if isinstance(status_callback, str):
        status_callback = StatusCallback(status_callback)
    return {
        "StatusCallback": status_callback.url,
        "StatusCallbackMethod": status_callback.method,
        "StatusCallbackEvent": list(status_callback.events) if status_callback.events else None,
    }


def call_params(
    *,
    to: str,
    from_: str,
    voice_input: VoiceCallInput | None = None,
    url: str | None = None,
    method: str | None = None,
    twiml: str | None = None,
    status_callback: str | StatusCallback | None = None,
    wire: Mapping[str, Any] | None = None,
    extra_params: ExtraParams | None = None,
) -> builtins.list[tuple[str, str]]:
    """Form params for ``POST /Calls.json``: the typed ones, ``wire`` (more typed parameters
    already under their wire names) and ``extra_params`` (see :func:`form_with_extra`)."""
    wire = wire or {}
    if voice_input is not None:
        if voice_input.user_input_type is VoiceInputType.TWIML_URL:
            url = voice_input.user_input
        elif voice_input.user_input_type is VoiceInputType.TWIML:
            twiml = voice_input.user_input
        else:
            twiml = say_twiml(voice_input.user_input)
    if url is None and twiml is None and wire.get("ApplicationSid") is None:
        raise ValueError("a call needs voice_input, url, twiml or application_sid")
    return form_with_extra(
        extra_params,
        To=to,
        From=from_,
        Url=url,
        Method=method,
        Twiml=str(twiml) if twiml is not None else None,
        **_status_callback_params(status_callback),
        **wire,
    )


class Calls(Resource[Mode]):
    """Voice calls: ``/Accounts/{sid}/Calls``."""

    @operation
    def create(
        self,
        /,
        *,
        to: str,
        from_: str,
        url: str | None = None,
        method: str | None = None,
        twiml: str | object | None = None,
        status_callback: str | StatusCallback | None = None,
        timeout: int | None = None,
        record: bool | None = None,
        recording_status_callback: str | None = None,
        machine_detection: str | None = None,
        send_digits: str | None = None,
        fallback_url: str | None = None,
        application_sid: str | None = None,
        time_limit: int | None = None,
        extra_params: ExtraParams | None = None,
    ) -> Op[Call]:
        """Place a call that runs TwiML from ``url`` (fetched with ``method``) or inline
        ``twiml`` (a string or a ``VoiceResponse``). ``status_callback`` may be a
        :class:`StatusCallback` choosing the progress events.

        ``extra_params``: parameters Twilio added after this client was written, by their
        wire names, values sent as given (``{"Trim": "trim-silence"}``; a list repeats the
        name); a name that is one of the typed parameters raises ``ValueError``.
        """
        wire = {
            "Timeout": timeout,
            "Record": record,
            "RecordingStatusCallback": recording_status_callback,
            "MachineDetection": machine_detection,
            "SendDigits": send_digits,
            "FallbackUrl": fallback_url,
            "ApplicationSid": application_sid,
            "TimeLimit": time_limit,
        }
        data = call_params(
            to=to,
            from_=from_,
            url=url,
            method=method,
            twiml=str(twiml) if twiml is not None else None,
            status_callback=status_callback,
            wire=wire,
            extra_params=extra_params,
        )
        return (
            yield from self._core.call("POST", self._core.list_path(CALLS), CALLS.model, data=data)
        )

    def _fetch(self, sid: str) -> Op[Call]:
        """Fetch one call."""
        path = self._core.instance_path(CALLS, Sid=sid)
        return (yield from self._core.call("GET", path, CALLS.model))

    fetch = operation(_fetch)

    @staticmethod
    def _query(
        to: str | None,
        from_: str | None,
        status: str | None,
        parent_call_sid: str | None,
        start_time: Any,
        start_time_before: Any,
        start_time_after: Any,
    ) -> builtins.list[tuple[str, str]]:
        return form(To=to, From=from_, Status=status, ParentCallSid=parent_call_sid) + date_filters(
            "StartTime", start_time, start_time_before, start_time_after
        )

    def _iter(
        self,
        *,
        to: str | None = None,
        from_: str | None = None,
        status: CallStatus | None = None,
        parent_call_sid: str | None = None,
        start_time: date | datetime | str | None = None,
        start_time_before: date | datetime | str | None = None,
        start_time_after: date | datetime | str | None = None,
        limit: int | None = None,
        page_size: int | None = None,
    ) -> PageFlow[Call]:
        """Lazily iterate calls, fetching pages as needed."""
        query = self._query(
            to, from_, status, parent_call_sid, start_time, start_time_before, start_time_after
        )
        return self._core.list_pages(CALLS, query, limit=limit, page_size=page_size)

    iter = paginator(_iter)
    list = collector(_iter)

    def _update(
        self,
        /,
        sid: str,
        *,
        url: str | None = None,
        method: str | None = None,
        twiml: str | object | None = None,
        status: Literal["completed", "canceled"] | None = None,
        status_callback: str | None = None,
        status_callback_method: str | None = None,
        fallback_url: str | None = None,
        time_limit: int | None = None,
    ) -> Op[Call]:
        """Redirect a live call to new TwiML (``url`` or ``twiml``), or end it
        (``status="completed"`` for a live call, ``"canceled"`` for a queued/ringing one)."""
        data = form(
            Url=url,
            Method=method,
            Twiml=str(twiml) if twiml is not None else None,
            Status=status,
            StatusCallback=status_callback,
            StatusCallbackMethod=status_callback_method,
            FallbackUrl=fallback_url,
            TimeLimit=time_limit,
        )
        path = self._core.instance_path(CALLS, Sid=sid)
        return (yield from self._core.call("POST", path, CALLS.model, data=data))

    update = operation(_update)

    @operation
    def hangup(self, sid: str) -> Op[Call]:
        """Hang up a live call (``Status=completed``)."""
        return (yield from self._update(sid, status="completed"))

    @operation
    def cancel(self, sid: str) -> Op[Call]:
        """Cancel a queued or ringing call (``Status=canceled``)."""
        return (yield from self._update(sid, status="canceled"))

    @operation
    def delete(self, sid: str) -> Op[None]:
        """Delete a call record (204)."""
        path = self._core.instance_path(CALLS, Sid=sid)
        return (yield from self._core.call_no_content("DELETE", path))

    # -- recordings -----------------------------------------------------------------------------

    def _iter_recordings(self, call_sid: str, *, limit: int | None = None) -> PageFlow[Recording]:
        """Recordings made during a call (``list_recordings`` / lazy ``iter_recordings``)."""
        return self._core.list_pages(CALL_RECORDINGS, limit=limit, CallSid=call_sid)

    iter_recordings = paginator(_iter_recordings)
    list_recordings = collector(_iter_recordings)

    @operation
    def fetch_recording(self, sid: str) -> Op[Recording]:
        """One recording's metadata."""
        path = self._core.instance_path(RECORDINGS, Sid=sid)
        return (yield from self._core.call("GET", path, RECORDINGS.model))

    @operation
    def delete_recording(self, sid: str) -> Op[None]:
        """Delete a recording."""
        path = self._core.instance_path(RECORDINGS, Sid=sid)
        return (yield from self._core.call_no_content("DELETE", path))

    # -- one-way Media Streams ------------------------------------------------------------------

    @operation
    def start_stream(
        self,
        call_sid: str,
        /,
        url: str,
        *,
        name: str | None = None,
        track: StreamTrack | None = None,
        status_callback: str | None = None,
        status_callback_method: HttpMethod | None = None,
        parameters: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
    ) -> Op[CallStream]:
        """Fork a live call's audio to the WebSocket ``url`` (as ``<Start><Stream>`` does):
        ``track`` ``inbound_track`` (default), ``outbound_track`` or ``both_tracks``;
        ``parameters`` (at most 99) arrive in the ``start`` message's ``customParameters``.
        Stop it with :meth:`stop_stream` by its SID or ``name``."""
        data = form(
            Url=url,
            Name=name,
            Track=track,
            StatusCallback=status_callback,
            StatusCallbackMethod=status_callback_method,
        ) + numbered_params("Parameter", parameters)
        path = self._core.list_path(CALL_STREAMS, CallSid=call_sid)
        return (yield from self._core.call("POST", path, CALL_STREAMS.model, data=data))

    @operation
    def stop_stream(self, call_sid: str, sid_or_name: str, /) -> Op[CallStream]:
        """Stop a call's one-way stream (started by :meth:`start_stream` or TwiML), named by
        its ``MZ`` SID or its name."""
        path = self._core.instance_path(CALL_STREAMS, CallSid=call_sid, Sid=sid_or_name)
        data = form(Status="stopped")
        return (yield from self._core.call("POST", path, CALL_STREAMS.model, data=data))

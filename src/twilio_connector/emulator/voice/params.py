"""Form parameters of the webhooks a call produces (TWILIO.md 6.4, 6.5, 6.7).

Pure builders: each returns a fresh ``dict[str, str]`` ready to be form-encoded and signed by
the emulator's webhook dispatcher. Parameter names and value formats are Twilio's.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

import msgspec

from ...callbacks import CallStatusChangeEvent, IncomingCall, RecordingStatusEvent

__all__ = [
    "API_VERSION",
    "CALLBACK_SOURCE",
    "CallInfo",
    "billed_minutes",
    "recording_status_params",
    "status_callback_params",
    "voice_request_params",
    "whole_seconds",
]

API_VERSION = "2010-04-01"
CALLBACK_SOURCE = "call-progress-events"

_GEO_SUFFIXES = ("City", "State", "Zip", "Country")


@dataclass(frozen=True)
class CallInfo:
    """What every voice request of one call carries (the call's identity, not its state)."""

    account_sid: str
    call_sid: str
    from_: str
    to: str
    direction: str = "outbound-api"
    """``inbound``, ``outbound-api`` or ``outbound-dial``."""
    api_version: str = API_VERSION
    parent_call_sid: str | None = None
    forwarded_from: str | None = None
    caller_name: str | None = None
    answered_by: str | None = None
    application_sid: str | None = None
    call_token: str | None = None
    geo: Mapping[str, str] = field(default_factory=dict)
    """Caller/callee geography as ``FromCity``, ``ToCountry``, ...; the ``Caller*``/``Called*``
    duplicates are added automatically."""

    @functools.cached_property
    def request_params(self) -> Mapping[str, str]:
        """The call's voice request parameters except ``CallStatus`` (computed once)."""
        return MappingProxyType(_request_params(self))

    @property
    def twilio_number(self) -> str:
        """The Twilio side of the call (``To`` inbound, ``From`` outbound)."""
        return self.to if self.direction == "inbound" else self.from_

    @property
    def remote_party(self) -> str:
        """The other side of the call (the caller inbound, the callee outbound)."""
        return self.from_ if self.direction == "inbound" else self.to


def voice_request_params(
    call: CallInfo, call_status: str, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Parameters of a TwiML request (``Url``/``VoiceUrl`` fetch, ``action``, redirect): 6.4."""
    params = dict(call.request_params)
    params["CallStatus"] = call_status
    if extra:
        params.update(extra)
    return params


def _request_params(call: CallInfo) -> dict[str, str]:
    geo: dict[str, str] = {}
    for key, value in call.geo.items():
        geo[key] = value
        for side, legacy in (("From", "Caller"), ("To", "Called")):
            if key.startswith(side) and key[len(side) :] in _GEO_SUFFIXES:
                geo[legacy + key[len(side) :]] = value
    attrs = IncomingCall.fields_by_param()
    request = IncomingCall(
        account_sid=call.account_sid,
        api_version=call.api_version,
        call_sid=call.call_sid,
        call_status="",
        called=call.to,
        caller=call.from_,
        direction=call.direction,
        from_=call.from_,
        to=call.to,
        parent_call_sid=call.parent_call_sid,
        forwarded_from=call.forwarded_from,
        caller_name=call.caller_name,
        answered_by=call.answered_by,
        application_sid=call.application_sid,
        call_token=call.call_token,
    )
    request = msgspec.structs.replace(request, **{attrs[k]: v for k, v in geo.items()})
    return request.to_params()


def whole_seconds(seconds: float) -> int:
    """A simulated duration as Twilio reports it: whole seconds, a started second counts."""
    return max(0, math.ceil(seconds - 1e-9))


def billed_minutes(call_duration: int) -> int:
    """``Duration`` of a completed call: minutes, rounded up; an answered call bills >= 1."""
    return max(1, math.ceil(call_duration / 60)) if call_duration > 0 else 0


def status_callback_params(
    call: CallInfo,
    call_status: str,
    *,
    sequence_number: int,
    timestamp: datetime,
    call_duration: int | None = None,
    sip_response_code: int | None = None,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """A call-progress status callback (6.5); pass ``call_duration`` on the final event.

    ``call_duration`` (whole seconds, 0 when the call was never answered) adds ``CallDuration``
    and ``Duration`` (billed minutes, rounded up); ``sip_response_code`` adds
    ``SipResponseCode``.
    """
    params = voice_request_params(call, call_status)
    params.update(
        CallStatusChangeEvent(
            callback_source=CALLBACK_SOURCE,
            sequence_number=sequence_number,
            timestamp=timestamp,
            call_duration=call_duration,
            duration=None if call_duration is None else billed_minutes(call_duration),
            sip_response_code=sip_response_code,
        ).to_params()
    )
    if extra:
        params.update(extra)
    return params


def recording_status_params(
    *,
    account_sid: str,
    call_sid: str,
    recording_sid: str,
    recording_url: str,
    status: str,
    duration: int | None,
    start_time: datetime,
    source: str,
    channels: int = 1,
    track: str = "both",
    error_code: int = 0,
) -> dict[str, str]:
    """A recording status callback (6.7). ``duration`` is omitted while ``in-progress``."""
    return RecordingStatusEvent(
        account_sid=account_sid,
        call_sid=call_sid,
        recording_sid=recording_sid,
        recording_url=recording_url,
        recording_status=status,
        recording_channels=channels,
        recording_start_time=start_time,
        recording_source=source,
        recording_track=track,
        error_code=error_code,
        recording_duration=duration,
    ).to_params()

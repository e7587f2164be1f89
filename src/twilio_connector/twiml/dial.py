"""``<Dial>`` and the nouns it connects to: Number, Client, Sip, Conference, Queue, Sim, ...

``dial = response.dial(caller_id="+15005550006", timeout=20)`` then ``dial.number("+1...")``;
or ``response.dial("+14155550100")`` to dial a number given as plain text.
"""

from __future__ import annotations

from ._core import AttrValue, SpaceSeparated, TwiML, nested

__all__ = [
    "Application",
    "ApplicationSid",
    "Client",
    "Conference",
    "Dial",
    "Identity",
    "Number",
    "Parameter",
    "Queue",
    "Sim",
    "Sip",
    "WhatsApp",
]


class Parameter(TwiML):
    """``<Parameter name value>``: a custom key/value passed along (Stream, Client, ...)."""

    __slots__ = ()
    tag = "Parameter"

    def __init__(self, *, name: str, value: str, **extra: AttrValue | None) -> None:
        self._init(None, locals(), extra)


class Number(TwiML):
    """``<Number>``: a phone number to dial (E.164)."""

    __slots__ = ()
    tag = "Number"

    def __init__(
        self,
        phone_number: str,
        *,
        send_digits: str | None = None,
        url: str | None = None,
        method: str | None = None,
        status_callback_event: SpaceSeparated | None = None,
        status_callback: str | None = None,
        status_callback_method: str | None = None,
        byoc: str | None = None,
        machine_detection: str | None = None,
        machine_detection_timeout: int | None = None,
        amd_status_callback: str | None = None,
        amd_status_callback_method: str | None = None,
        **extra: AttrValue | None,
    ) -> None:
        self._init(phone_number, locals(), extra)


class Identity(TwiML):
    """``<Identity>``: the client identity inside ``<Client>``."""

    __slots__ = ()
    tag = "Identity"

    def __init__(self, client_identity: str, **extra: AttrValue | None) -> None:
        self._init(client_identity, locals(), extra)


class Client(TwiML):
    """``<Client>``: a Twilio Client (Voice SDK) identity, as text or ``<Identity>``."""

    __slots__ = ()
    tag = "Client"

    def __init__(
        self,
        identity: str | None = None,
        *,
        url: str | None = None,
        method: str | None = None,
        status_callback_event: SpaceSeparated | None = None,
        status_callback: str | None = None,
        status_callback_method: str | None = None,
        **extra: AttrValue | None,
    ) -> None:
        self._init(identity, locals(), extra)

    identity = nested(Identity)
    parameter = nested(Parameter)


class Sip(TwiML):
    """``<Sip>``: a SIP URI to dial."""

    __slots__ = ()
    tag = "Sip"

    def __init__(
        self,
        sip_url: str | None = None,
        *,
        username: str | None = None,
        password: str | None = None,
        url: str | None = None,
        method: str | None = None,
        status_callback_event: SpaceSeparated | None = None,
        status_callback: str | None = None,
        status_callback_method: str | None = None,
        machine_detection: str | None = None,
        amd_status_callback: str | None = None,
        amd_status_callback_method: str | None = None,
        **extra: AttrValue | None,
    ) -> None:
        self._init(sip_url, locals(), extra)


class Conference(TwiML):
    """``<Conference>``: join the named conference room."""

    __slots__ = ()
    tag = "Conference"

    def __init__(
        self,
        name: str,
        *,
        muted: bool | None = None,
        beep: bool | str | None = None,
        start_conference_on_enter: bool | None = None,
        end_conference_on_exit: bool | None = None,
        wait_url: str | None = None,
        wait_method: str | None = None,
        max_participants: int | None = None,
        record: str | None = None,
        region: str | None = None,
        coach: str | None = None,
        trim: str | None = None,
        status_callback_event: SpaceSeparated | None = None,
        status_callback: str | None = None,
        status_callback_method: str | None = None,
        recording_status_callback: str | None = None,
        recording_status_callback_method: str | None = None,
        recording_status_callback_event: SpaceSeparated | None = None,
        event_callback_url: str | None = None,
        jitter_buffer_size: str | None = None,
        participant_label: str | None = None,
        **extra: AttrValue | None,
    ) -> None:
        self._init(name, locals(), extra)


class Queue(TwiML):
    """``<Queue>``: take the first caller waiting in the named queue."""

    __slots__ = ()
    tag = "Queue"

    def __init__(
        self,
        name: str,
        *,
        url: str | None = None,
        method: str | None = None,
        reservation_sid: str | None = None,
        post_work_activity_sid: str | None = None,
        **extra: AttrValue | None,
    ) -> None:
        self._init(name, locals(), extra)


class Sim(TwiML):
    """``<Sim>``: a Programmable Wireless SIM, by SID."""

    __slots__ = ()
    tag = "Sim"

    def __init__(self, sim_sid: str, **extra: AttrValue | None) -> None:
        self._init(sim_sid, locals(), extra)


class WhatsApp(TwiML):
    """``<WhatsApp>``: a WhatsApp user's number (E.164) for a WhatsApp voice call."""

    __slots__ = ()
    tag = "WhatsApp"

    def __init__(
        self,
        phone_number: str,
        *,
        url: str | None = None,
        method: str | None = None,
        status_callback_event: SpaceSeparated | None = None,
        status_callback: str | None = None,
        status_callback_method: str | None = None,
        **extra: AttrValue | None,
    ) -> None:
        self._init(phone_number, locals(), extra)


class ApplicationSid(TwiML):
    """``<ApplicationSid>`` inside ``<Application>``."""

    __slots__ = ()
    tag = "ApplicationSid"

    def __init__(self, sid: str, **extra: AttrValue | None) -> None:
        self._init(sid, locals(), extra)


class Application(TwiML):
    """``<Application>``: dial another TwiML App (by SID, as text or ``<ApplicationSid>``)."""

    __slots__ = ()
    tag = "Application"

    def __init__(
        self,
        application_sid: str | None = None,
        *,
        url: str | None = None,
        method: str | None = None,
        status_callback_event: SpaceSeparated | None = None,
        status_callback: str | None = None,
        status_callback_method: str | None = None,
        customer_id: str | None = None,
        copy_parent_to: bool | None = None,
        **extra: AttrValue | None,
    ) -> None:
        self._init(application_sid, locals(), extra)

    application_sid = nested(ApplicationSid)
    parameter = nested(Parameter)


class Dial(TwiML):
    """``<Dial>``: connect the caller to another party (a number as text, or nouns)."""

    __slots__ = ()
    tag = "Dial"

    def __init__(
        self,
        number: str | None = None,
        *,
        action: str | None = None,
        method: str | None = None,
        timeout: int | None = None,
        caller_id: str | None = None,
        hangup_on_star: bool | None = None,
        time_limit: int | None = None,
        record: str | None = None,
        trim: str | None = None,
        recording_status_callback: str | None = None,
        recording_status_callback_method: str | None = None,
        recording_status_callback_event: SpaceSeparated | None = None,
        recording_track: str | None = None,
        answer_on_bridge: bool | None = None,
        ring_tone: str | None = None,
        sequential: bool | None = None,
        refer_url: str | None = None,
        refer_method: str | None = None,
        events: str | None = None,
        **extra: AttrValue | None,
    ) -> None:
        self._init(number, locals(), extra)

    number = nested(Number)
    client = nested(Client)
    sip = nested(Sip)
    conference = nested(Conference)
    queue = nested(Queue)
    sim = nested(Sim)
    whatsapp = nested(WhatsApp)
    application = nested(Application)

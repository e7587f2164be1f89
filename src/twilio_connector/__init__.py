"""twilio-connector: a typed sync+async Twilio client, a verified durable webhook
listener, and an offline Twilio emulator.

>>> from twilio_connector import TwilioClient
>>> with TwilioClient() as client:  # doctest: +SKIP  (TWILIO_* from the environment)
...     client.send_sms(from_="+15005550006", to="+14155550100", body="Hello")
"""

import typing as _typing

if _typing.TYPE_CHECKING:  # pragma: no cover - imported lazily below
    from ._base_client import RetryEvent
    from .async_client import AsyncTwilioClient
    from .client import TwilioClient
    from .config import RetryPolicy, TwilioConfig
    from .enums import CallStatus, MessageStatus, Unrecognized
    from .errors import (
        AuthenticationError,
        ConfigurationError,
        ConnectError,
        InvalidRequestError,
        NotFoundError,
        OutcomeUnknownError,
        RateLimitError,
        ResponseDecodeError,
        ResponseHeaders,
        ServerError,
        TimeoutError,
        TransportError,
        TwilioApiError,
        TwilioError,
        TwilioHttpError,
        UnexpectedRedirectError,
    )
    from .inputs import StatusCallback, VoiceCallInput, VoiceInputType
    from .models import (
        Account,
        ApiKey,
        AvailablePhoneNumber,
        Balance,
        Call,
        CallStream,
        Content,
        ContentAndApprovals,
        ContentApprovalRequest,
        ContentApprovalStatus,
        IncomingPhoneNumber,
        Media,
        Message,
        MessagingService,
        MessagingServicePhoneNumber,
        NewApiKey,
        Recording,
        Verification,
        VerificationCheck,
        VerifyService,
    )

# Names are imported on first use, so that `twilio_connector.listener` or `.signature` does
# not load httpx, aiohttp and rich (about 18 MiB) in a process that never makes requests.
_LAZY_MODULES = {
    "._base_client": ("RetryEvent",),
    ".client": ("TwilioClient",),
    ".async_client": ("AsyncTwilioClient",),
    ".config": ("RetryPolicy", "TwilioConfig"),
    ".enums": ("CallStatus", "MessageStatus", "Unrecognized"),
    ".inputs": ("StatusCallback", "VoiceCallInput", "VoiceInputType"),
    ".errors": (
        "AuthenticationError",
        "ConfigurationError",
        "ConnectError",
        "InvalidRequestError",
        "NotFoundError",
        "OutcomeUnknownError",
        "RateLimitError",
        "ResponseDecodeError",
        "ResponseHeaders",
        "ServerError",
        "TimeoutError",
        "TransportError",
        "TwilioApiError",
        "TwilioError",
        "TwilioHttpError",
        "UnexpectedRedirectError",
    ),
    ".models": (
        "Account",
        "ApiKey",
        "AvailablePhoneNumber",
        "Balance",
        "Call",
        "CallStream",
        "Content",
        "ContentAndApprovals",
        "ContentApprovalRequest",
        "ContentApprovalStatus",
        "IncomingPhoneNumber",
        "Media",
        "Message",
        "MessagingService",
        "MessagingServicePhoneNumber",
        "NewApiKey",
        "Recording",
    ),
}
_LAZY_MODULES[".models"] += ("Verification", "VerificationCheck", "VerifyService")  # verify/v2
_LAZY = {name: module for module, names in _LAZY_MODULES.items() for name in names}


def __getattr__(name: str) -> _typing.Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'twilio_connector' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__version__ = "0.1.0"

__all__ = [
    "Account",
    "ApiKey",
    "AsyncTwilioClient",
    "AuthenticationError",
    "AvailablePhoneNumber",
    "Balance",
    "Call",
    "CallStatus",
    "CallStream",
    "ConfigurationError",
    "ConnectError",
    "Content",
    "ContentAndApprovals",
    "ContentApprovalRequest",
    "ContentApprovalStatus",
    "IncomingPhoneNumber",
    "InvalidRequestError",
    "Media",
    "Message",
    "MessageStatus",
    "MessagingService",
    "MessagingServicePhoneNumber",
    "NewApiKey",
    "NotFoundError",
    "OutcomeUnknownError",
    "RateLimitError",
    "Recording",
    "ResponseDecodeError",
    "ResponseHeaders",
    "RetryEvent",
    "RetryPolicy",
    "ServerError",
    "StatusCallback",
    "TimeoutError",
    "TransportError",
    "TwilioApiError",
    "TwilioClient",
    "TwilioConfig",
    "TwilioError",
    "TwilioHttpError",
    "UnexpectedRedirectError",
    "Unrecognized",
    "VoiceCallInput",
    "VoiceInputType",
    "__version__",
]
__all__ += ["Verification", "VerificationCheck", "VerifyService"]  # verify/v2

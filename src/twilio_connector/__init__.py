"""twilio-connector: a typed sync+async Twilio client, a verified durable webhook
listener, and an offline Twilio emulator.

>>> from twilio_connector import TwilioClient, VoiceCallInput
>>> with TwilioClient.from_env() if False else TwilioClient(  # doctest: +SKIP
...     account_sid="AC...", auth_token="...") as client:
...     client.send_sms(from_="+15005550006", to="+14155550100", body="Hello")
"""

from ._base_client import RetryEvent
from .client import AsyncTwilioClient, TwilioClient
from .config import RetryPolicy, TwilioConfig
from .errors import (
    AuthenticationError,
    ConfigurationError,
    ConnectError,
    InvalidRequestError,
    NotFoundError,
    OutcomeUnknownError,
    RateLimitError,
    ResponseDecodeError,
    ServerError,
    TimeoutError,
    TransportError,
    TwilioApiError,
    TwilioError,
)
from .inputs import StatusCallback, VoiceCallInput, VoiceInputType
from .models import (
    Account,
    ApiKey,
    AvailablePhoneNumber,
    Balance,
    Call,
    IncomingPhoneNumber,
    Media,
    Message,
    NewApiKey,
    Recording,
)

__version__ = "0.1.0"

__all__ = [
    "Account",
    "ApiKey",
    "AsyncTwilioClient",
    "AuthenticationError",
    "AvailablePhoneNumber",
    "Balance",
    "Call",
    "ConfigurationError",
    "ConnectError",
    "IncomingPhoneNumber",
    "InvalidRequestError",
    "Media",
    "Message",
    "NewApiKey",
    "NotFoundError",
    "OutcomeUnknownError",
    "RateLimitError",
    "Recording",
    "ResponseDecodeError",
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
    "VoiceCallInput",
    "VoiceInputType",
    "__version__",
]

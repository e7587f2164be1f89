"""The wire: one definition of each format Twilio speaks, for the client, listener and emulator.

* :mod:`.api`: the API version and its path prefix, the ``<Message>`` error codes;
* :mod:`.forms`: form encoding (PascalCase, repeated keys) and decoding, lenient or strict;
* :mod:`.addresses`: E.164 and channel addresses (``whatsapp:``, ``client:``, ``sip:`` ...);
* :mod:`.dates`: ISO 8601 parameters and the ``Name``/``Name<``/``Name>`` list filters;
* :mod:`.urls`: ``user:pass@`` credentials in webhook URLs;
* :mod:`.domains`: the product hosts (``messaging.twilio.com``) and their base URLs.

Resource paths, list keys and SID prefixes are in :mod:`twilio_connector.specs`; the JSON
shapes and the page envelope in :mod:`twilio_connector.models`.
"""

from __future__ import annotations

from .addresses import (
    CALLING_CODES,
    Address,
    Channel,
    country_of,
    format_address,
    is_e164,
    parse_address,
    whatsapp_address,
)
from .api import API_PREFIX, API_VERSION, MESSAGE_VERB_ERRORS, message_verb_error
from .dates import (
    MAX_YEAR,
    MIN_YEAR,
    DateRange,
    DayFilter,
    InvalidParameter,
    date_filters,
    filter_day,
    format_iso_datetime,
    parse_date_filters,
    parse_iso_datetime,
)
from .domains import API_DOMAIN, DOMAINS, domain_base_url, domain_prefix
from .forms import (
    FORM_CONTENT_TYPE,
    MAX_FIELDS,
    MAX_NUMBERED,
    ExtraParams,
    MalformedPayload,
    encode_form,
    form,
    form_value,
    form_with_extra,
    numbered_field,
    numbered_params,
    parse_form,
    parse_form_strict,
    to_bool,
    to_float,
    to_int,
)
from .urls import Userinfo, redact_userinfo, resolve_url, same_origin, signed_url, split_userinfo

__all__ = [
    "API_DOMAIN",
    "API_PREFIX",
    "API_VERSION",
    "CALLING_CODES",
    "DOMAINS",
    "FORM_CONTENT_TYPE",
    "MAX_FIELDS",
    "MAX_NUMBERED",
    "MAX_YEAR",
    "MESSAGE_VERB_ERRORS",
    "MIN_YEAR",
    "Address",
    "Channel",
    "DateRange",
    "DayFilter",
    "ExtraParams",
    "InvalidParameter",
    "MalformedPayload",
    "Userinfo",
    "country_of",
    "date_filters",
    "domain_base_url",
    "domain_prefix",
    "encode_form",
    "filter_day",
    "form",
    "form_value",
    "form_with_extra",
    "format_address",
    "format_iso_datetime",
    "is_e164",
    "message_verb_error",
    "numbered_field",
    "numbered_params",
    "parse_address",
    "parse_date_filters",
    "parse_form",
    "parse_form_strict",
    "parse_iso_datetime",
    "redact_userinfo",
    "resolve_url",
    "same_origin",
    "signed_url",
    "split_userinfo",
    "to_bool",
    "to_float",
    "to_int",
    "whatsapp_address",
]

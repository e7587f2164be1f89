"""``twilio_connector.signature`` against every vector in TWILIO.md sections 7.4 and 21.5,
and against the official ``twilio.request_validator.RequestValidator``."""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from multidict import MultiDict
from twilio.request_validator import RequestValidator, get_signature_algorithm

from twilio_connector.signature import (
    HMAC_SHA1,
    HMAC_SHA256,
    SIGNATURE_HEADER,
    SIGNATURE_SETTINGS_HEADER,
    SignatureSettings,
    body_sha256,
    compute_signature,
    parse_signature_settings,
    signature_urls,
    validate_signature,
)

TOKEN = "12345"
URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
PARAMS = {
    "CallSid": "CA1234567890ABCDE",
    "Digits": "1234",
    "From": "+14158675309",
    "To": "+18005551212",
    "Caller": "+14158675309",
}
BASIC = "RSOYDt4T1cUTdK1PDd93/VVr8B8="
JSON_BODY = '{"property": "value", "boolean": true}'
JSON_HASH = "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620"
JSON_URL = f"{URL}&bodySHA256={JSON_HASH}"
JSON_SIGNATURE = "a9nBmqA0ju/hNViExpshrM61xv4="
DUPLICATES = [
    ("Sid", "CA123"),
    ("SidAccount", "AC123"),
    ("Digits", "5678"),
    ("Digits", "1234"),
    ("Digits", "1234"),
]
DUPLICATES_SIGNATURE = "IK+Dwps556ElfBT0I3Rgjkr1wJU="


# -- published vectors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (URL, BASIC),
        ("https://mycompany.com:443/myapp.php?foo=1&bar=2", "kvajT1Ptam85bY51eRf/AJRuM3w="),
        ("http://mycompany.com:80/myapp.php?foo=1&bar=2", "0ZXoZLH/DfblKGATFgpif+LLRf4="),
        ("http://mycompany.com:1234/myapp.php?foo=1&bar=2", "Zmvh+3yNM1Phv2jhDCwEM3q5ebU="),
    ],
)
def test_published_form_vectors(url: str, expected: str) -> None:
    assert compute_signature(TOKEN, url, PARAMS) == expected
    assert validate_signature(TOKEN, url, PARAMS, expected)
    # the same params as pairs, in any order
    pairs = sorted(PARAMS.items(), reverse=True)
    assert compute_signature(TOKEN, url, pairs) == expected
    assert validate_signature(TOKEN, url, pairs, expected)


def test_port_variants_validate_both_ways() -> None:
    # Twilio signed with the default port added; the app sees the URL without it
    assert validate_signature(TOKEN, URL, PARAMS, "kvajT1Ptam85bY51eRf/AJRuM3w=")
    # Twilio signed without the port; the app sees :443
    assert validate_signature(
        TOKEN, "https://mycompany.com:443/myapp.php?foo=1&bar=2", PARAMS, BASIC
    )
    # http: with and without :80
    assert validate_signature(
        TOKEN, "http://mycompany.com/myapp.php?foo=1&bar=2", PARAMS, "0ZXoZLH/DfblKGATFgpif+LLRf4="
    )
    # https received on a non-default port validates against the port-less signature
    assert validate_signature(
        TOKEN, "https://mycompany.com:1234/myapp.php?foo=1&bar=2", PARAMS, BASIC
    )
    # ... and against the signature that kept that port
    signed_with_port = compute_signature(
        TOKEN, "https://mycompany.com:1234/myapp.php?foo=1&bar=2", PARAMS
    )
    assert validate_signature(
        TOKEN, "https://mycompany.com:1234/myapp.php?foo=1&bar=2", PARAMS, signed_with_port
    )
    # but not another port
    assert not validate_signature(
        TOKEN, "https://mycompany.com:1235/myapp.php?foo=1&bar=2", PARAMS, signed_with_port
    )


def test_duplicate_keys_vector() -> None:
    assert compute_signature(TOKEN, URL, DUPLICATES) == DUPLICATES_SIGNATURE
    assert validate_signature(TOKEN, URL, DUPLICATES, DUPLICATES_SIGNATURE)
    as_mapping = {"Sid": "CA123", "SidAccount": "AC123", "Digits": ["5678", "1234", "1234"]}
    assert compute_signature(TOKEN, URL, as_mapping) == DUPLICATES_SIGNATURE
    assert validate_signature(TOKEN, URL, as_mapping, DUPLICATES_SIGNATURE)
    # 1234 counts once: dropping the duplicate changes nothing, dropping 5678 does
    assert compute_signature(TOKEN, URL, DUPLICATES[:4]) == DUPLICATES_SIGNATURE
    assert compute_signature(TOKEN, URL, DUPLICATES[:2] + DUPLICATES[3:]) != DUPLICATES_SIGNATURE


def test_json_body_vectors() -> None:
    assert body_sha256(JSON_BODY) == JSON_HASH
    assert body_sha256(JSON_BODY.encode()) == JSON_HASH
    assert compute_signature(TOKEN, JSON_URL) == JSON_SIGNATURE
    assert compute_signature(TOKEN, JSON_URL, JSON_BODY) == JSON_SIGNATURE  # body not in HMAC
    assert validate_signature(TOKEN, JSON_URL, JSON_BODY, JSON_SIGNATURE)
    assert validate_signature(TOKEN, JSON_URL, JSON_BODY.encode(), JSON_SIGNATURE)
    with_port = JSON_URL.replace("mycompany.com", "mycompany.com:443")
    assert validate_signature(TOKEN, with_port, JSON_BODY, JSON_SIGNATURE)


def test_json_body_tampering_fails() -> None:
    tampered = JSON_BODY.replace("value", "valuE")
    assert not validate_signature(TOKEN, JSON_URL, tampered, JSON_SIGNATURE)
    assert not validate_signature(TOKEN, JSON_URL, JSON_BODY + " ", JSON_SIGNATURE)
    # a body without a bodySHA256 in the URL is refused
    assert not validate_signature(TOKEN, URL, JSON_BODY, compute_signature(TOKEN, URL))
    # the hash in the URL is case-insensitive hex
    upper = f"{URL}&bodySHA256={JSON_HASH.upper()}"
    assert validate_signature(TOKEN, upper, JSON_BODY, compute_signature(TOKEN, upper))


def test_docs_examples() -> None:
    params = {
        "Digits": "1234",
        "To": "+18005551212",
        "From": "+14158675310",
        "Caller": "+14158675310",
        "CallSid": "CA1234567890ABCDE",
    }
    url = "https://example.com/myapp.php?foo=1&bar=2"
    assert compute_signature(TOKEN, url, params) == "L/OH5YylLD5NRKLltdqwSvS0BnU="
    assert validate_signature(TOKEN, url, params, "L/OH5YylLD5NRKLltdqwSvS0BnU=")
    docs_body = '{"CallSid":"CA1234567890ABCDE","Caller":"+12349013030"}'
    assert body_sha256(docs_body) == (
        "5ccde7145dfb8f56479710896586cb9d5911809d83afbe34627818790db0aec9"
    )


@pytest.mark.parametrize(
    ("url", "params", "expected"),
    [
        (
            "https://mycompany.com/myapp.php?foo=1&bar=2&CallSid=CA1234567890ABCDE&Digits=1234",
            None,
            "L2PBWCn+V0G1KfmEqKao6qMzPqo=",
        ),
        (
            "https://example.com/x",
            [("A", "1"), ("a", "2"), ("B", "3")],
            "NRH2KgqkSDC05Z5ay6+NNYoTUpU=",
        ),
        (
            "https://example.com/x",
            [
                ("MediaUrl", "https://b.example/2.png"),
                ("MediaUrl", "https://a.example/1.png"),
                ("To", "+1"),
                ("Empty", ""),
            ],
            "SBwL7bDPKiyTgTJw/166o8NvEbw=",
        ),
    ],
)
def test_extra_vectors(url: str, params: list[tuple[str, str]] | None, expected: str) -> None:
    assert compute_signature(TOKEN, url, params) == expected
    assert validate_signature(TOKEN, url, params, expected)


def test_get_webhook_with_empty_params_equals_no_params() -> None:
    url = "https://mycompany.com/myapp.php?foo=1&bar=2&CallSid=CA1234567890ABCDE&Digits=1234"
    assert validate_signature(TOKEN, url, {}, "L2PBWCn+V0G1KfmEqKao6qMzPqo=")
    assert validate_signature(TOKEN, url, [], "L2PBWCn+V0G1KfmEqKao6qMzPqo=")


# -- token rotation and tampering ----------------------------------------------------------------


def test_token_lists_for_rotation() -> None:
    assert validate_signature(["old-token", TOKEN], URL, PARAMS, BASIC)
    assert validate_signature((TOKEN, "next-token"), URL, PARAMS, BASIC)
    assert not validate_signature(["old-token", "next-token"], URL, PARAMS, BASIC)
    assert not validate_signature([], URL, PARAMS, BASIC)


@pytest.mark.parametrize(
    ("url", "params", "signature", "token"),
    [
        (URL, {**PARAMS, "Digits": "1235"}, BASIC, TOKEN),  # value changed
        (URL, {**PARAMS, "Extra": "1"}, BASIC, TOKEN),  # param added
        (URL, {k: v for k, v in PARAMS.items() if k != "To"}, BASIC, TOKEN),  # param removed
        (URL, {**PARAMS, "digits": PARAMS["Digits"]}, BASIC, TOKEN),  # name case matters
        (URL.replace("foo=1", "foo=2"), PARAMS, BASIC, TOKEN),  # query changed
        (URL.replace("myapp", "myApp"), PARAMS, BASIC, TOKEN),  # path changed
        (URL.replace("https", "http"), PARAMS, BASIC, TOKEN),  # scheme changed
        (URL + "/", PARAMS, BASIC, TOKEN),  # trailing slash
        (URL, PARAMS, BASIC, "12346"),  # wrong token
        (URL, PARAMS, BASIC.lower(), TOKEN),  # signature case
        (URL, PARAMS, BASIC[:-1], TOKEN),  # truncated
        (URL, PARAMS, "", TOKEN),
        (URL, PARAMS, None, TOKEN),
    ],
)
def test_tampering_fails(
    url: str, params: dict[str, str], signature: str | None, token: str
) -> None:
    assert not validate_signature(token, url, params, signature)


def test_fragment_and_userinfo_are_not_signed() -> None:
    assert compute_signature(TOKEN, URL + "#rc=5&rp=all", PARAMS) == BASIC
    assert validate_signature(TOKEN, URL + "#ct=1000", PARAMS, BASIC)
    with_user = URL.replace("https://", "https://user:pass@")
    assert compute_signature(TOKEN, with_user, PARAMS) == BASIC
    assert validate_signature(TOKEN, with_user, PARAMS, BASIC)


def test_signature_urls() -> None:
    assert signature_urls(URL) == (URL, URL.replace(".com/", ".com:443/"))
    with_port = "http://h.example:8080/p?q=1"
    assert signature_urls(with_port) == (with_port, "http://h.example/p?q=1")
    assert signature_urls("http://h.example:80/p") == (
        "http://h.example:80/p",
        "http://h.example/p",
    )


def test_unicode_values() -> None:
    params = {"Body": "héllo ✓ 日本", "From": "whatsapp:+1"}
    expected = RequestValidator(TOKEN).compute_signature(URL, params)
    assert compute_signature(TOKEN, URL, params) == expected
    assert validate_signature(TOKEN, URL, params, expected)


# -- parity with the official SDK ----------------------------------------------------------------

names = st.text(alphabet=string.ascii_letters + string.digits + "<>_", min_size=1, max_size=12)
values = st.text(max_size=20)
urls = st.sampled_from(
    [
        URL,
        "https://example.com/hook",
        "http://example.com/hook?x=%20y&z=",
        "https://example.com:8443/a/b?c=d",
        "http://127.0.0.1:8080/sms",
        "https://example.com:443/p",
    ]
)


@settings(max_examples=150, deadline=None)
@given(url=urls, pairs=st.lists(st.tuples(names, values), max_size=8), token=st.text(min_size=1))
def test_parity_with_official_request_validator(
    url: str, pairs: list[tuple[str, str]], token: str
) -> None:
    official = RequestValidator(token)
    multi = MultiDict(pairs)  # repeated keys, as Flask/aiohttp deliver them
    expected = official.compute_signature(url, multi)
    assert compute_signature(token, url, pairs) == expected
    assert validate_signature(token, url, pairs, expected)
    assert official.validate(url, multi, expected)
    # both agree on the other URL forms too
    for candidate in signature_urls(url):
        signed = official.compute_signature(candidate, multi)
        assert validate_signature(token, url, pairs, signed) == official.validate(
            url, multi, signed
        )


@settings(max_examples=50, deadline=None)
@given(body=st.text(max_size=60), token=st.text(min_size=1))
def test_json_parity_with_official_request_validator(body: str, token: str) -> None:
    official = RequestValidator(token)
    url = f"https://example.com/events?bodySHA256={body_sha256(body)}"
    signature = official.compute_signature(url, {})
    assert compute_signature(token, url) == signature
    assert validate_signature(token, url, body, signature)
    assert official.validate(url, body, signature)
    assert not validate_signature(token, url, body + "x", signature)
    assert not official.validate(url, body + "x", signature)


# -- SharedKey signatures (HMAC-SHA256), TWILIO.md section 21 -----------------------------------

SHARED_SECRET = "whsk_test_0123456789abcdefABCDEF"
SHA256_BASIC = "033hgUJA9M/hXIZsYjwkerEP/DBm35nEri5FhCYjA5s="
GET_URL = "https://mycompany.com/myapp.php?foo=1&bar=2&CallSid=CA1234567890ABCDE&Digits=1234"


@pytest.mark.parametrize(
    ("secret", "url", "params", "algorithm", "expected"),
    [
        (TOKEN, URL, PARAMS, HMAC_SHA256, SHA256_BASIC),
        (TOKEN, URL, PARAMS, HMAC_SHA1, BASIC),
        (
            TOKEN,
            URL.replace(".com/", ".com:443/"),
            PARAMS,
            HMAC_SHA256,
            "grxRoa/VNtXxd524NGLxIdev83nh23xhrRUVm50Umq4=",
        ),
        (SHARED_SECRET, URL, PARAMS, HMAC_SHA256, "Z3v67zixpwoaiO6L9lUEP1v93Br0+PLDjEyEtRkGrEs="),
        (TOKEN, JSON_URL, None, HMAC_SHA256, "+UOCWf84gdgo/5Hpg4m5/EgKnJA2/TbOw5sPNVr3bPk="),
        (TOKEN, GET_URL, None, HMAC_SHA256, "J1MIE6p877CyCJNwP44pWCep6yWEU8MNQpQVxVh629k="),
    ],
)
def test_shared_key_vectors(
    secret: str, url: str, params: dict[str, str] | None, algorithm: str, expected: str
) -> None:
    assert compute_signature(secret, url, params, algorithm) == expected
    assert compute_signature(secret, url, params, algorithm=algorithm.lower()) == expected
    checked = JSON_BODY if url == JSON_URL else params
    assert validate_signature(secret, url, checked, expected, algorithm)
    assert validate_signature(["other", secret], url, checked, expected, algorithm=algorithm)
    official = RequestValidator(secret)
    assert official.compute_signature(url, params or {}, algorithm=algorithm) == expected
    assert official.validate(url, checked or {}, expected, algorithm=algorithm)


def test_sha256_port_variants() -> None:
    with_port = "grxRoa/VNtXxd524NGLxIdev83nh23xhrRUVm50Umq4="
    assert validate_signature(TOKEN, URL, PARAMS, with_port, HMAC_SHA256)
    assert validate_signature(
        TOKEN, URL.replace(".com/", ".com:443/"), PARAMS, SHA256_BASIC, HMAC_SHA256
    )
    assert validate_signature(
        TOKEN, URL.replace(".com/", ".com:1234/"), PARAMS, SHA256_BASIC, HMAC_SHA256
    )


def test_algorithms_do_not_cross() -> None:
    assert not validate_signature(TOKEN, URL, PARAMS, SHA256_BASIC)  # default SHA1
    assert not validate_signature(TOKEN, URL, PARAMS, SHA256_BASIC, HMAC_SHA1)
    assert not validate_signature(TOKEN, URL, PARAMS, BASIC, HMAC_SHA256)
    assert not RequestValidator(TOKEN).validate(URL, PARAMS, SHA256_BASIC)
    assert not validate_signature("12346", URL, PARAMS, SHA256_BASIC, HMAC_SHA256)


def test_unknown_algorithm() -> None:
    with pytest.raises(ValueError, match="HMAC_MD5"):
        compute_signature(TOKEN, URL, PARAMS, "HMAC_MD5")
    with pytest.raises(ValueError):
        RequestValidator(TOKEN).compute_signature(URL, PARAMS, algorithm="HMAC_MD5")
    assert not validate_signature(TOKEN, URL, PARAMS, BASIC, "HMAC_MD5")
    assert not validate_signature(TOKEN, URL, PARAMS, BASIC, "")
    assert not RequestValidator(TOKEN).validate(URL, PARAMS, BASIC, algorithm="HMAC_MD5")


def test_non_ascii_signature_is_invalid() -> None:
    assert not validate_signature(TOKEN, URL, PARAMS, "é" * 28)
    assert not validate_signature(TOKEN, URL, PARAMS, "é" * 44, HMAC_SHA256)


def test_header_constants_match_the_sdk() -> None:
    from twilio import request_validator as sdk

    assert SIGNATURE_HEADER == "X-Twilio-Signature"
    assert SIGNATURE_SETTINGS_HEADER == sdk.SIGNATURE_SETTINGS_HEADER
    assert (HMAC_SHA1, HMAC_SHA256) == (sdk.HMAC_SHA1, sdk.HMAC_SHA256)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, SignatureSettings(None, HMAC_SHA1, True)),
        ("", SignatureSettings(None, HMAC_SHA1, True)),
        ("key=webhooks_sharedkey_01", SignatureSettings(None, HMAC_SHA1, True)),
        ("algorithm=", SignatureSettings(None, HMAC_SHA1, True)),
        (
            "key=webhooks_sharedkey_01,algorithm=HMAC_SHA256",
            SignatureSettings("webhooks_sharedkey_01", HMAC_SHA256, False),
        ),
        (
            " algorithm = hmac_sha256 , key = k1 ",
            SignatureSettings("k1", HMAC_SHA256, False),
        ),
        ("key=k1,algorithm=HMAC_SHA1", SignatureSettings("k1", HMAC_SHA1, False)),
        ("algorithm=HMAC_SHA256", SignatureSettings(None, HMAC_SHA256, False)),
        ("key=k1,algorithm=HMAC_MD5,x", SignatureSettings("k1", "HMAC_MD5", False)),
    ],
)
def test_parse_signature_settings(header: str | None, expected: SignatureSettings) -> None:
    parsed = parse_signature_settings(header)
    assert parsed == expected
    # the SDK reads the same algorithm (it keeps the case; ours is upper-cased)
    assert get_signature_algorithm(header).upper() == parsed.algorithm


@settings(max_examples=100, deadline=None)
@given(
    url=urls,
    pairs=st.lists(st.tuples(names, values), max_size=8),
    secret=st.text(min_size=1),
    algorithm=st.sampled_from([HMAC_SHA1, HMAC_SHA256, "hmac_sha256"]),
)
def test_shared_key_parity_with_official_request_validator(
    url: str, pairs: list[tuple[str, str]], secret: str, algorithm: str
) -> None:
    official = RequestValidator(secret)
    multi = MultiDict(pairs)
    expected = official.compute_signature(url, multi, algorithm=algorithm)
    assert compute_signature(secret, url, pairs, algorithm) == expected
    assert validate_signature(secret, url, pairs, expected, algorithm)
    assert official.validate(url, multi, expected, algorithm=algorithm)
    for candidate in signature_urls(url):
        signed = official.compute_signature(candidate, multi, algorithm=algorithm)
        assert validate_signature(secret, url, pairs, signed, algorithm) == official.validate(
            url, multi, signed, algorithm=algorithm
        )


@settings(max_examples=30, deadline=None)
@given(body=st.text(max_size=60), secret=st.text(min_size=1))
def test_shared_key_json_parity(body: str, secret: str) -> None:
    official = RequestValidator(secret)
    url = f"https://example.com/events?bodySHA256={body_sha256(body)}"
    signature = official.compute_signature(url, {}, algorithm=HMAC_SHA256)
    assert compute_signature(secret, url, None, HMAC_SHA256) == signature
    assert validate_signature(secret, url, body, signature, HMAC_SHA256)
    assert official.validate(url, body, signature, algorithm=HMAC_SHA256)
    assert not validate_signature(secret, url, body + "x", signature, HMAC_SHA256)


def test_many_secrets_and_url_forms_are_all_checked() -> None:
    """The params are encoded once, yet every (secret, URL form) pair can match."""
    root = "https://example.com"
    secrets = ["s1", "s2", "s3"]
    for secret in secrets:
        for form in signature_urls(root):
            for algorithm in (HMAC_SHA1, HMAC_SHA256):
                signed = compute_signature(secret, form, PARAMS, algorithm)
                assert validate_signature(secrets, root, PARAMS, signed, algorithm)
                assert validate_signature(secrets, root + "/", PARAMS, signed, algorithm)
    assert not validate_signature(secrets, root, PARAMS, compute_signature("s4", root, PARAMS))

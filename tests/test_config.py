"""``TwilioConfig``: credentials validated at construction, ``from_env``, the retry policy."""

from __future__ import annotations

import base64
import dataclasses

import pytest

from twilio_connector import (
    AsyncTwilioClient,
    ConfigurationError,
    RetryPolicy,
    TwilioClient,
    TwilioConfig,
)
from twilio_connector.config import DEFAULT_BASE_URL, check_sid

SID = "AC" + "0123456789abcdef" * 2
KEY = "SK" + "fedcba9876543210" * 2
TOKEN = "f00dfeedcafe4b1d9a7e3c2b1a0d9e8f"


def basic(user: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode()


def test_auth_token_config() -> None:
    config = TwilioConfig(account_sid=SID, auth_token=TOKEN)
    assert config.base_url == DEFAULT_BASE_URL == "https://api.twilio.com"
    assert config.username == SID
    assert config.authorization_header() == basic(SID, TOKEN)
    assert config.retry_policy == RetryPolicy(max_retries=3)


def test_api_key_config_keeps_account_sid() -> None:
    config = TwilioConfig(account_sid=SID, api_key=KEY, api_secret="s3cret")
    assert config.account_sid == SID
    assert config.username == KEY
    assert config.authorization_header() == basic(KEY, "s3cret")


def test_api_key_wins_over_auth_token_when_both_given() -> None:
    config = TwilioConfig(account_sid=SID, auth_token=TOKEN, api_key=KEY, api_secret="s3cret")
    assert config.authorization_header() == basic(KEY, "s3cret")


@pytest.mark.parametrize(
    "sid",
    [
        "",
        "AC",
        "AC123",
        "AC" + "0" * 31,
        "AC" + "0" * 33,
        "AC" + "g" * 32,  # not hex
        "ac" + "0" * 32,  # prefix is upper case
        "SK" + "0" * 32,  # a key SID is not an account SID
        " AC" + "0" * 32,
        "AC" + "0" * 32 + "\n",
        "AC" + "0" * 30 + "é1",
    ],
)
def test_malformed_account_sid(sid: str) -> None:
    with pytest.raises(ConfigurationError, match="account_sid"):
        TwilioConfig(account_sid=sid, auth_token=TOKEN)


def test_non_string_sid() -> None:
    with pytest.raises(ConfigurationError, match="account_sid"):
        TwilioConfig(account_sid=123, auth_token=TOKEN)  # type: ignore[arg-type]


def test_long_garbage_sid_is_not_echoed() -> None:
    with pytest.raises(ConfigurationError) as info:
        TwilioConfig(account_sid="x" * 500, auth_token=TOKEN)
    assert "x" * 50 not in str(info.value)


@pytest.mark.parametrize("key", ["AC" + "0" * 32, "SK123", "sk" + "0" * 32])
def test_malformed_api_key(key: str) -> None:
    with pytest.raises(ConfigurationError, match="api_key"):
        TwilioConfig(account_sid=SID, api_key=key, api_secret="s")


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"auth_token": ""},
        {"api_key": KEY},
        {"api_key": KEY, "api_secret": ""},
        {"api_secret": "s"},
        {"auth_token": TOKEN, "api_secret": "s"},  # a secret without its key is a mistake
    ],
)
def test_missing_credentials(kwargs: dict[str, str]) -> None:
    with pytest.raises(ConfigurationError):
        TwilioConfig(account_sid=SID, **kwargs)


@pytest.mark.parametrize("url", ["api.twilio.com", "ftp://api.twilio.com", "https://", "http:// x"])
def test_bad_base_url(url: str) -> None:
    with pytest.raises(ConfigurationError, match="base_url"):
        TwilioConfig(account_sid=SID, auth_token=TOKEN, base_url=url)


def test_base_url_trailing_slash_is_dropped() -> None:
    config = TwilioConfig(account_sid=SID, auth_token=TOKEN, base_url="http://127.0.0.1:8080/")
    assert config.base_url == "http://127.0.0.1:8080"


@pytest.mark.parametrize(
    "kwargs", [{"timeout": 0}, {"timeout": -1}, {"connect_timeout": 0}, {"max_retries": -1}]
)
def test_bad_numbers(kwargs: dict[str, float]) -> None:
    with pytest.raises(ConfigurationError):
        TwilioConfig(account_sid=SID, auth_token=TOKEN, **kwargs)


def test_configuration_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        TwilioConfig(account_sid="nope", auth_token=TOKEN)


def test_config_is_frozen() -> None:
    config = TwilioConfig(account_sid=SID, auth_token=TOKEN)
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.auth_token = "other"  # type: ignore[misc]


def test_max_retries_builds_the_policy() -> None:
    config = TwilioConfig(account_sid=SID, auth_token=TOKEN, max_retries=0)
    assert config.retry_policy.max_retries == 0
    policy = RetryPolicy(max_retries=5, base_backoff=0.1)
    assert TwilioConfig(account_sid=SID, auth_token=TOKEN, retry=policy).retry_policy is policy


def test_retry_policy_defaults() -> None:
    policy = RetryPolicy()
    assert policy.retry_statuses == {429, 503}
    assert policy.idempotent_retry_statuses == {500, 502, 503, 504}
    assert policy.jitter is None


def test_check_sid() -> None:
    assert check_sid(KEY, "SK", "api_key") == KEY
    with pytest.raises(ConfigurationError, match="key_sid must be 'SK'"):
        check_sid(SID, "SK", "key_sid")


# -- from_env ------------------------------------------------------------------------------------


def test_from_env_with_auth_token() -> None:
    env = {
        "TWILIO_ACCOUNT_SID": SID,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "TWILIO_BASE_URL": "http://127.0.0.1:9/",
    }
    config = TwilioConfig.from_env(env)
    assert (config.account_sid, config.auth_token, config.base_url) == (
        SID,
        TOKEN,
        "http://127.0.0.1:9",
    )
    assert config.api_key is None


def test_from_env_with_api_key() -> None:
    env = {
        "TWILIO_ACCOUNT_SID": SID,
        "TWILIO_API_KEY": KEY,
        "TWILIO_API_SECRET": "s3cret",
        "TWILIO_AUTH_TOKEN": "",
    }
    config = TwilioConfig.from_env(env)
    assert config.authorization_header() == basic(KEY, "s3cret")
    assert config.auth_token is None
    assert config.base_url == DEFAULT_BASE_URL


def test_from_env_overrides() -> None:
    env = {"TWILIO_ACCOUNT_SID": SID, "TWILIO_AUTH_TOKEN": TOKEN}
    config = TwilioConfig.from_env(env, timeout=5.0, max_retries=1)
    assert (config.timeout, config.retry_policy.max_retries) == (5.0, 1)


@pytest.mark.parametrize(
    ("env", "match"),
    [
        ({}, "TWILIO_ACCOUNT_SID"),
        ({"TWILIO_ACCOUNT_SID": ""}, "TWILIO_ACCOUNT_SID"),
        ({"TWILIO_ACCOUNT_SID": SID}, "no credentials"),
        ({"TWILIO_ACCOUNT_SID": "ACnope", "TWILIO_AUTH_TOKEN": TOKEN}, "account_sid"),
        ({"TWILIO_ACCOUNT_SID": SID, "TWILIO_API_KEY": KEY}, "api_secret"),
    ],
)
def test_from_env_errors(env: dict[str, str], match: str) -> None:
    with pytest.raises(ConfigurationError, match=match):
        TwilioConfig.from_env(env)


def test_from_env_reads_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", SID)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TOKEN)
    monkeypatch.delenv("TWILIO_API_KEY", raising=False)
    monkeypatch.delenv("TWILIO_API_SECRET", raising=False)
    monkeypatch.delenv("TWILIO_BASE_URL", raising=False)
    assert TwilioConfig.from_env().account_sid == SID
    with TwilioClient() as client:  # no arguments: the environment
        assert client.config.account_sid == SID


# -- clients fail at construction, not at the first request --------------------------------------


@pytest.mark.parametrize("cls", [TwilioClient, AsyncTwilioClient])
def test_clients_validate_at_construction(cls: type) -> None:
    with pytest.raises(ConfigurationError, match="account_sid"):
        cls(account_sid="AC-bad", auth_token=TOKEN)
    with pytest.raises(ConfigurationError):
        cls(account_sid=SID)
    with pytest.raises(ConfigurationError, match="base_url"):
        cls(account_sid=SID, auth_token=TOKEN, base_url="nope")


def test_client_keyword_construction() -> None:
    with TwilioClient(
        account_sid=SID, api_key=KEY, api_secret="s", base_url="http://127.0.0.1:1", timeout=2
    ) as client:
        assert client.config.username == KEY
        assert client.config.timeout == 2
        assert client.config.base_url == "http://127.0.0.1:1"


# -- one retry setting per concept: conflicts raise ----------------------------------------------


def test_max_retries_conflicting_with_retry_policy_raises() -> None:
    with pytest.raises(ConfigurationError, match="max_retries=3 conflicts"):
        TwilioConfig(
            account_sid=SID, auth_token=TOKEN, max_retries=3, retry=RetryPolicy(max_retries=5)
        )
    with pytest.raises(ConfigurationError, match="conflicts"):
        TwilioConfig(account_sid=SID, auth_token=TOKEN, max_retries=0, retry=RetryPolicy())
    # the same count twice is not a conflict
    same = TwilioConfig(
        account_sid=SID, auth_token=TOKEN, max_retries=5, retry=RetryPolicy(max_retries=5)
    )
    assert same.retry_policy.max_retries == 5


def test_retry_policy_alone_and_defaults() -> None:
    assert TwilioConfig(account_sid=SID, auth_token=TOKEN).retry_policy == RetryPolicy()
    policy = RetryPolicy(max_retries=7)
    config = TwilioConfig(account_sid=SID, auth_token=TOKEN, retry=policy)
    assert config.retry_policy is policy
    # replace() re-decides from what was given
    assert dataclasses.replace(config, retry=None, max_retries=1).retry_policy.max_retries == 1
    with pytest.raises(ConfigurationError):
        dataclasses.replace(config, max_retries=1)


@pytest.mark.parametrize(
    "bad",
    [
        {"max_retries": -1},
        {"max_retries": True},  # a bool is not a count
        {"max_retries": "3"},
        {"timeout": "5"},
        {"timeout": float("nan")},
        {"retry": {"max_retries": 2}},  # a dict is not a RetryPolicy
    ],
)
def test_bad_retry_settings_raise(bad: dict[str, object]) -> None:
    with pytest.raises(ConfigurationError):
        TwilioConfig(account_sid=SID, auth_token=TOKEN, **bad)  # type: ignore[arg-type]


def test_retry_policy_validates_itself() -> None:
    with pytest.raises(ConfigurationError):
        RetryPolicy(max_retries=-1)
    with pytest.raises(ConfigurationError):
        RetryPolicy(base_backoff=-0.5)
    for bad in ({"max_retries": True}, {"base_backoff": "1"}, {"max_backoff": float("nan")}):
        with pytest.raises(ConfigurationError):
            RetryPolicy(**bad)  # type: ignore[arg-type]


def test_one_public_retry_policy() -> None:
    import twilio_connector
    import twilio_connector.listener as listener

    assert twilio_connector.RetryPolicy is RetryPolicy
    assert not hasattr(listener, "RetryPolicy")
    assert listener.RedeliveryPolicy is not RetryPolicy


@pytest.mark.parametrize("cls", [TwilioClient, AsyncTwilioClient])
def test_client_settings_next_to_a_config_raise(cls: type) -> None:
    config = TwilioConfig(account_sid=SID, auth_token=TOKEN)
    for settings in (
        {"max_retries": 5},
        {"timeout": 1.0},
        {"auth_token": "other"},
        {"retry": RetryPolicy()},
    ):
        with pytest.raises(ConfigurationError, match="not both"):
            cls(config, **settings)
    with pytest.raises(ConfigurationError, match="conflicts"):
        cls(account_sid=SID, auth_token=TOKEN, max_retries=3, retry=RetryPolicy(max_retries=5))
    client = cls(account_sid=SID, auth_token=TOKEN, retry=RetryPolicy(max_retries=2))
    assert client.config.retry_policy.max_retries == 2

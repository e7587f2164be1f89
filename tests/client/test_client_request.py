"""``client.request()`` beyond the 2010 API: ``domain=`` reaches any product host
(``{base_url}/verify/...`` here, ``verify.twilio.com`` on Twilio), a full URL works on the
client's own hosts only, and credentials never go to any other."""

from __future__ import annotations

from typing import Any

import pytest
from client_testkit import FakeTwilio, Reply, maybe

from twilio_connector import NotFoundError
from twilio_connector._wire.domains import serves_url

VA = "VA" + "a" * 32


async def test_domain_reaches_that_hosts_prefix_with_auth(server: FakeTwilio, client: Any) -> None:
    server.on("POST", "/verify/v2/Services", Reply(201, json={"sid": VA}))
    server.on("GET", f"/verify/v2/Services/{VA}", Reply(404, json={"code": 20404, "status": 404}))
    created = await maybe(
        client.request("post", "/v2/Services", data={"FriendlyName": "App"}, domain="verify")
    )
    assert created == {"sid": VA}
    with pytest.raises(NotFoundError) as caught:
        await maybe(client.request("GET", f"/v2/Services/{VA}", domain="verify"))
    assert caught.value.code == 20404
    post, get = server.requests
    assert (post.method, post.path, post.form) == (
        "POST",
        "/verify/v2/Services",
        [("FriendlyName", "App")],
    )
    assert post.headers["authorization"].startswith("Basic ")
    assert get.path == f"/verify/v2/Services/{VA}"


async def test_a_full_url_on_the_clients_origin_works(server: FakeTwilio, client: Any) -> None:
    server.on("GET", "/content/v1/Content", {"contents": [], "meta": {"next_page_url": None}})
    listed = await maybe(
        client.request("GET", f"{server.url}/content/v1/Content", params={"PageSize": 5})
    )
    assert listed["contents"] == []
    assert server.only().raw_query == "PageSize=5"


async def test_credentials_never_go_to_another_origin(
    server: FakeTwilio, start_server: Any, client: Any
) -> None:
    elsewhere = start_server()
    elsewhere.on("GET", "/v2/Services", {"services": []})
    with pytest.raises(ValueError, match="outside this client's API hosts"):
        await maybe(client.request("GET", f"{elsewhere.url}/v2/Services"))
    assert elsewhere.requests == [] and server.requests == []


@pytest.mark.parametrize(
    ("domain", "path", "message"),
    [
        ("Verify.twilio.com", "/v2/Services", "not an API domain name"),
        ("verify/../x", "/v2/Services", "not an API domain name"),
        ("verify", "v2/Services", "starts at the host's root"),
    ],
)
async def test_bad_domain_arguments_are_refused_before_sending(
    server: FakeTwilio, client: Any, domain: str, path: str, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        await maybe(client.request("GET", path, domain=domain))
    assert server.requests == []


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://verify.twilio.com/v2/Services", True),
        ("https://content.dublin.ie1.twilio.com/v1/Content", True),
        ("https://api.twilio.com/2010-04-01/Accounts.json", True),
        ("http://verify.twilio.com/v2/Services", False),  # Twilio is HTTPS only
        ("https://verify.twilio.com@evil.example/v2", False),
        ("https://evil.example/verify.twilio.com", False),
        ("https://twilio.com.evil.example/", False),
        ("https://eviltwilio.com/", False),
        ("https://verify.twilio.com:8443/", False),
    ],
)
def test_which_hosts_a_twilio_configured_client_may_call(url: str, allowed: bool) -> None:
    assert serves_url("https://api.twilio.com", url) is allowed


def test_a_non_twilio_base_url_serves_its_own_origin_only() -> None:
    base = "http://127.0.0.1:8080"
    assert serves_url(base, "http://127.0.0.1:8080/verify/v2/Services")
    assert not serves_url(base, "http://127.0.0.1:8081/verify/v2/Services")
    assert not serves_url(base, "https://verify.twilio.com/v2/Services")

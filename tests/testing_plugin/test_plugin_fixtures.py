"""The plugin's fixtures used as a user would: small test files run by pytest (pytester)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

Run = Callable[..., pytest.RunResult]

FIVE_LINES = """
def test_sends_sms(twilio_client, twilio_emulator):
    message = twilio_client.send_sms(twilio_emulator.phone_number, "+15558675310", "hi")
    twilio_emulator.wait_for_status(message, "delivered")
    twilio_emulator.assert_message_sent(to="+15558675310", body="hi")
"""


def test_five_line_test_passes(run_tests: Run) -> None:
    run_tests(FIVE_LINES).assert_outcomes(passed=1)


def test_each_test_starts_from_a_clean_emulator(run_tests: Run) -> None:
    source = """
        import pytest
        seen = {}

        @pytest.mark.parametrize("round", [1, 2, 3])
        def test_round(round, twilio_emulator, twilio_client):
            assert twilio_emulator.messages() == [] and twilio_emulator.calls() == []
            assert twilio_emulator.delivery_log() == [] and twilio_emulator.rules() == []
            assert [a.sid for a in twilio_client.accounts.list()] == [twilio_emulator.account_sid]
            # same server, account and token all session; the owned number is still there
            ids = (twilio_emulator.base_url, twilio_emulator.auth_token)
            seen.setdefault("ids", set()).add(ids)
            assert len(seen["ids"]) == 1
            assert twilio_emulator.phone_number in [
                n.phone_number for n in twilio_client.incoming_phone_numbers.list()
            ]
            # leave state behind for the next round
            twilio_client.send_sms(twilio_emulator.phone_number, "+15558675310", f"round {round}")
            twilio_client.accounts.create(friendly_name="sub")
            twilio_emulator.set_rule("failed", to="+1555*", error_code=30006)
            twilio_emulator.configure_number(sms_url="http://127.0.0.1:9/never")
            twilio_client.send_sms(
                twilio_emulator.phone_number, "+15558675311", "x",
                status_callback="http://127.0.0.1:9/status",
            )
            twilio_emulator.settle()
            assert len(twilio_emulator.messages()) == 2
        """
    run_tests(source).assert_outcomes(passed=3)


def test_failed_assertions_list_what_was_there(run_tests: Run) -> None:
    source = """
        def test_wrong_body(twilio_client, twilio_emulator):
            twilio_client.send_sms(twilio_emulator.phone_number, "+15558675310", "hello there")
            twilio_emulator.assert_message_sent(to="+15558675310", body="bye")

        def test_undelivered(twilio_client, twilio_emulator):
            twilio_emulator.set_rule("undelivered", to="+15558675310", error_code=30003)
            message = twilio_client.send_sms(
                twilio_emulator.phone_number, "+15558675310", "hi",
                status_callback="http://127.0.0.1:9/status",
            )
            twilio_emulator.wait_for_status(message, "delivered")

        def test_webhook_not_delivered(twilio_client, twilio_emulator):
            twilio_client.send_sms(
                twilio_emulator.phone_number, "+15558675310", "hi",
                status_callback="http://127.0.0.1:9/status",
            )
            twilio_emulator.settle()
            twilio_emulator.assert_webhook_delivered(path="/status")
        """
    result = run_tests(source)
    result.assert_outcomes(failed=3)
    result.stdout.fnmatch_lines(
        [
            "*AssertionError: no outbound message matching to='+15558675310', body='bye'*"
            " among these 1:",
            "*SM* outbound-api +15017122661 -> +15558675310 *body='hello there'",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*AssertionError: message SM* ended 'undelivered' (error 30003: *), a final status;"
            " expected 'delivered'",
            "*webhooks it caused:",
            "*#* message-status POST http://127.0.0.1:9/status -> no response*",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*AssertionError: no webhook delivery matching path='/status', status='2xx'*",
            "*message-status POST http://127.0.0.1:9/status -> no response*",
        ]
    )
    # pytest points at the test's own line, not into the helpers
    assert "emulator.py:" not in result.stdout.str()


def test_official_sdk_fixture(run_tests: Run) -> None:
    source = """
        def test_sdk(twilio_sdk_client, twilio_emulator):
            message = twilio_sdk_client.messages.create(
                to="+15558675310", from_=twilio_emulator.phone_number, body="from the SDK"
            )
            assert twilio_emulator.wait_for_status(message, "delivered").sid == message.sid
            fetched = twilio_sdk_client.messages(message.sid).fetch()
            assert fetched.status == "delivered" and fetched.body == "from the SDK"
        """
    run_tests(source).assert_outcomes(passed=1)


def test_sdk_fixture_skips_without_the_sdk(run_tests: Run) -> None:
    source = """
        import sys
        import pytest

        @pytest.fixture(autouse=True)
        def no_sdk(monkeypatch):
            monkeypatch.setitem(sys.modules, "twilio", None)  # import twilio fails

        def test_sdk(twilio_sdk_client):
            pass
        """
    result = run_tests(source, "-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*twilio_sdk_client needs the official SDK: pip install twilio*"])


def test_async_client_fixture(run_tests: Run) -> None:
    source = """
        import pytest

        @pytest.mark.asyncio
        async def test_async(twilio_async_client, twilio_emulator):
            message = await twilio_async_client.send_sms(
                twilio_emulator.phone_number, "+15558675310", "async"
            )
            twilio_emulator.wait_for_status(message, "delivered")
            assert (await twilio_async_client.messages.fetch(message.sid)).status == "delivered"
        """
    run_tests(source).assert_outcomes(passed=1)


def test_listener_fixture_receives_signed_webhooks_and_replies(run_tests: Run) -> None:
    source = """
        from twilio_connector.twiml import MessagingResponse

        def test_reply(twilio_listener, twilio_emulator):
            @twilio_listener.on("sms.received")
            def reply(event):
                response = MessagingResponse()
                response.message(f"you said {event.body}")
                return response

            twilio_emulator.configure_number(sms_url=twilio_listener.url_for("/sms"))
            twilio_emulator.simulate_inbound_message(
                "+15558675310", twilio_emulator.phone_number, "hi"
            )
            twilio_emulator.settle()
            (event,) = twilio_listener.wait_for_events("sms.received")
            assert event.body == "hi" and event.from_ == "+15558675310"
            twilio_emulator.assert_message_sent(to="+15558675310", body="you said hi")
            twilio_emulator.assert_webhook_delivered(path="/sms", status=200)

        def test_status_callbacks(twilio_listener, twilio_client, twilio_emulator):
            message = twilio_client.send_sms(
                twilio_emulator.phone_number, "+15558675310", "hi",
                status_callback=twilio_listener.url_for("/status"),
            )
            twilio_emulator.wait_for_status(message, "delivered")
            twilio_emulator.settle()
            events = twilio_listener.wait_for_events("sms.delivered")
            assert events[0].message_sid == message.sid
            assert [e.name for e in twilio_listener.events] == ["sms.sent", "sms.delivered"]

        def test_unsigned_requests_are_refused(twilio_listener):
            import httpx
            answer = httpx.post(twilio_listener.url_for("/sms"), data={"Body": "forged"})
            assert answer.status_code == 403
            assert twilio_listener.events == []

        def test_wait_for_events_lists_what_came(twilio_listener):
            twilio_listener.wait_for_events("call.*", timeout=0.01)
        """
    result = run_tests(source)
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(
        ["*AssertionError: expected 1 'call.*' event(s) within 0.01 s, got 0; the listener"
         " received 0: []"]
    )  # fmt: skip


def test_listener_marker_passes_options(run_tests: Run) -> None:
    source = """
        import pytest

        @pytest.mark.twilio_listener(handler_timeout=1.5, reply_timeout=0.5)
        def test_options(twilio_listener):
            settings = twilio_listener.listener.settings
            assert settings.handler_timeout == 1.5 and settings.reply_timeout == 0.5
        """
    run_tests(source).assert_outcomes(passed=1)

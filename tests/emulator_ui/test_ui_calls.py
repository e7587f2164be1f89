"""The calls view: each call with its transcript (live while it runs) and its webhooks."""

from __future__ import annotations

import httpx
from support.emulator import OWNED
from support.receiver import Receiver
from support.wait import wait_until
from ui_testkit import UI, ui_http

from twilio_connector.client import TwilioClient
from twilio_connector.emulator import Emulator
from twilio_connector.inputs import VoiceCallInput

CALLEE = "+15558675310"


def test_finished_call_shows_transcript_and_status_callbacks(
    emu: Emulator, client: TwilioClient, receiver: Receiver, http: httpx.Client
) -> None:
    call = client.make_voice_call(
        from_=OWNED,
        to=CALLEE,
        voice_input=VoiceCallInput.text("Your <order> has shipped"),
        status_callback=receiver.url("/call-status"),
    )
    emu.settle()
    receiver.wait_for(lambda hits: any(h.form.get("CallStatus") == "completed" for h in hits))
    html = http.get(UI, params={"view": "calls"}).text
    assert f'id="c-{call.sid}"' in html
    section = html.split(f'id="c-{call.sid}"', 1)[1]
    assert '<span class="badge ok">completed</span>' in section
    assert "Your &lt;order&gt; has shipped" in section and "<order>" not in html
    assert 'k-say">say<' in section and 'k-end">end<' in section
    completed = [h for h in receiver.at("/call-status") if h.form["CallStatus"] == "completed"]
    assert completed[0].headers["X-Twilio-Signature"] in section
    assert "call-status" in section and receiver.url("/call-status") in section
    assert "No calls" not in html


def test_running_call_transcript_updates_live() -> None:
    with Emulator(phone_numbers=(OWNED,), timing="manual") as emu, ui_http(emu) as http:
        with TwilioClient(
            account_sid=emu.account_sid, auth_token=emu.auth_token, base_url=emu.base_url
        ) as client:
            twiml = (
                '<Response><Say>Hello early</Say><Pause length="60"/><Say>Later</Say></Response>'
            )
            call = client.make_voice_call(
                from_=OWNED, to=CALLEE, voice_input=VoiceCallInput.twiml(twiml)
            )
        params = {"view": "calls"}
        first = http.get(f"{UI}/live", params=params)
        assert first.status_code == 200 and "queued" in first.text
        emu.advance(6)

        def spoken() -> bool:
            text = http.get(f"{UI}/live", params=params).text
            return "Hello early" in text and ">in-progress</span>" in text

        assert wait_until(spoken)
        text = http.get(f"{UI}/live", params=params).text
        assert f'id="c-{call.sid}"' in text and "Later" not in text  # 60 s not yet simulated
        changed = http.get(f"{UI}/live", params={**params, "h": first.headers["x-ui-hash"]})
        assert changed.status_code == 200

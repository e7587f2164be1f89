"""The ``listen`` and ``inbox`` click commands (serving itself is covered by the crash test)."""

from __future__ import annotations

import json
import textwrap

import pytest
from click.testing import CliRunner
from inbox_seed import seed

from twilio_connector.listener import TwilioListener
from twilio_connector.listener.cli import inbox, listen, load_listener
from twilio_connector.listener.inbox import Update, open_store


@pytest.fixture
def app_module(tmp_path, monkeypatch):
    (tmp_path / "hooks_for_cli.py").write_text(
        textwrap.dedent(
            """
            from twilio_connector.listener import TwilioListener

            listener = TwilioListener("tok", inbox_path=":memory:")
            not_a_listener = 42

            def make():
                return TwilioListener("tok", inbox_path=":memory:")
            """
        )
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    return "hooks_for_cli"


def test_load_listener_accepts_objects_and_factories(app_module):
    assert isinstance(load_listener(f"{app_module}:listener"), TwilioListener)
    assert isinstance(load_listener(f"{app_module}:make"), TwilioListener)


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("no_colon", "expected module:attribute"),
        ("missing_module_xyz:listener", "cannot import"),
        ("hooks_for_cli:nope", "has no attribute"),
        ("hooks_for_cli:not_a_listener", "not a TwilioListener"),
    ],
)
def test_listen_rejects_bad_targets(app_module, target, message):
    result = CliRunner().invoke(listen, [target, "--port", "0"])
    assert result.exit_code == 2
    assert message in result.output


def _seed(location: str) -> None:
    rows = [("sms.sent", "SM1"), ("sms.delivered", "SM1"), ("call.completed", "CA1")]
    seed(location, rows, [Update(1, "done", 1), Update(3, "dead", 5, 0.0, "KeyError: 'x'")])


def test_inbox_list_filters_and_formats(backend, new_inbox):
    path = new_inbox()
    _seed(path)
    runner = CliRunner()
    everything = runner.invoke(inbox, ["list", "--inbox", path])
    assert everything.exit_code == 0
    lines = everything.output.splitlines()
    assert len(lines) == 4 and "1 pending" in lines[-1] and "1 dead" in lines[-1]
    assert "KeyError: 'x'" in lines[2]
    pending = runner.invoke(inbox, ["list", "--inbox", path, "--status", "pending", "--json"])
    doc = json.loads(pending.output)
    assert [e["name"] for e in doc["events"]] == ["sms.delivered"]
    assert doc["counts"] == {"pending": 1, "done": 1, "unhandled": 0, "dead": 1}
    env = runner.invoke(inbox, ["list", "--dead"], env={"TWILIO_CONNECTOR_INBOX": path})
    assert "call.completed" in env.output and "sms.sent" not in env.output


def test_inbox_replay_requeues_dead_letters_or_ids(backend, new_inbox):
    path = new_inbox()
    _seed(path)
    runner = CliRunner()
    assert "1 event(s)" in runner.invoke(inbox, ["replay", "--inbox", path]).output
    assert "1 event(s)" in runner.invoke(inbox, ["replay", "--inbox", path, "1"]).output
    with open_store(path) as store:
        rows = store.records()
    assert [(r.status, r.attempts) for r in rows] == [("pending", 0)] * 3


def test_inbox_commands_need_an_existing_inbox(tmp_path):
    result = CliRunner().invoke(inbox, ["list", "--inbox", str(tmp_path / "nope.sqlite3")])
    assert result.exit_code == 1 and "no inbox at" in result.output
    assert not (tmp_path / "nope.sqlite3").exists()


def test_inbox_list_shows_the_most_recent_events(backend, new_inbox):
    path = new_inbox()
    seed(path, [("sms.sent", f"SM{n}") for n in range(250)])
    with open_store(path) as store:
        assert [r.resource_sid for r in store.records(limit=2)] == ["SM0", "SM1"]
        newest = store.records(("pending",), limit=2, newest=True)
        assert [r.resource_sid for r in newest] == ["SM248", "SM249"]
    out = CliRunner().invoke(inbox, ["list", "--inbox", path, "--limit", "3", "--json"])
    assert [e["resource_sid"] for e in json.loads(out.output)["events"]] == [
        "SM247",
        "SM248",
        "SM249",
    ]

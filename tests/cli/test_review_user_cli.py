"""Found by the new-user review of issue 12: ``emulator rules add --help`` names every
outcome of every ``--kind`` it offers (it listed the message and call outcomes only, so a
reader of ``--kind verify`` had to guess ``rate-limited`` / ``blocked``), and what ``--from``
matches for a Verify rule (the service SID, not a sender)."""

from __future__ import annotations

from cli_kit import invoke

from twilio_connector.cli.emulator_control import RULE_KINDS
from twilio_connector.emulator.calls.requests import CALL_OUTCOMES
from twilio_connector.emulator.rules.kinds import MESSAGE_OUTCOMES
from twilio_connector.emulator.verify.state import VERIFY_OUTCOMES

# --kind -> (how the help introduces it, its outcomes)
OUTCOMES = {
    "message": ("Messages", MESSAGE_OUTCOMES),
    "call": ("Calls", CALL_OUTCOMES),
    "verify": ("Verify", tuple(VERIFY_OUTCOMES)),
}


def test_rules_add_help_names_the_outcomes_of_every_kind() -> None:
    assert set(OUTCOMES) == set(RULE_KINDS)
    result = invoke({}, "emulator", "rules", "add", "--help")
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())  # click wraps the help
    for label, outcomes in OUTCOMES.values():
        listed = f"{label}: {', '.join(outcomes)}"
        assert listed in text, listed
    assert "service SID" in text  # what --from matches for --kind verify

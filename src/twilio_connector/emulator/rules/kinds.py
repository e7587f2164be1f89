"""The kinds of rule the emulator knows and the one check of a rule, for every way one is
added (``emu.set_rule``, ``POST /_emulator/rules``, the CLI's ``--kind`` choices).

* ``message``: what happens to matching outbound messages (:mod:`..messages.state`);
* ``call``: how matching calls end and what their callee does (:mod:`..calls.requests`);
* ``verify``: whether a Verify start for the number fails or is rate-limited
  (:mod:`..verify.state`).
"""

from __future__ import annotations

from .records import Rule

__all__ = ["MESSAGE_OUTCOMES", "RULE_KINDS", "check_rule"]

RULE_KINDS = ("message", "call", "verify")
MESSAGE_OUTCOMES = ("delivered", "undelivered", "failed", "sent", "read")


def check_rule(rule: Rule) -> None:
    """``ValueError`` naming what is wrong with ``rule`` (an unknown kind, an outcome or a
    param its kind does not know), so a typo never makes a rule that silently matches nothing."""
    if rule.kind not in RULE_KINDS:
        raise ValueError(f"unknown rule kind {rule.kind[:32]!r}: one of {', '.join(RULE_KINDS)}")
    if rule.kind == "message":
        if rule.outcome not in MESSAGE_OUTCOMES:
            raise ValueError(f"a message outcome is one of {', '.join(MESSAGE_OUTCOMES)}")
    elif rule.kind == "call":
        from ..calls.requests import check_call_rule  # the calls package imports the rules'

        check_call_rule(rule)
    else:
        from ..verify.state import check_verify_rule

        check_verify_rule(rule)

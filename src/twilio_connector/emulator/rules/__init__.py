"""The rule table: how a simulated destination behaves (delivered, busy, ...)."""

"""The web inbox at ``/_emulator/ui``: ``pages`` renders, ``queries`` reads (bounded)."""

"""Accounts, subaccounts, API keys and Basic authentication.

``state`` holds the accounts and keys and checks credentials; ``rest`` serves
``/Accounts``, ``/Balance`` and ``/Keys``.
"""

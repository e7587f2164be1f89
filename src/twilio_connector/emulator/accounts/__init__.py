"""Accounts, subaccounts, balance and HTTP Basic authentication.

``records`` (the account record), ``repository`` (the ``accounts`` table), ``state``
(subaccounts, status rules, credentials), ``serialize`` (to the model) and ``rest``
(``/Accounts``, ``/Balance``). API keys are in :mod:`..keys`.
"""

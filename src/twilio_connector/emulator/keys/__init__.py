"""API keys (``SK…`` + secret), a second kind of credentials for an account.

``records`` (the key record), ``repository`` (the ``api_keys`` table), ``state`` (create,
rename, revoke, verify a secret) and ``rest`` (``/Accounts/{AC}/Keys``, serialization).
"""

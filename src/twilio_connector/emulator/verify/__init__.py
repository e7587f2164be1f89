"""Verify v2 (``verify/v2``): Verify Services (``VA...``), Verifications (``VE...``) and
VerificationCheck, served under ``/verify`` (:func:`twilio_connector._wire.domain_base_url`).

``records`` (a service, a verification), ``repository`` (the ``verify_services`` and
``verifications`` tables), ``settings`` (service parameters, their checks and defaults),
``state`` (the verification lifecycle: codes, resends, checks, expiry, rules), ``delivery``
(the code sent as an SMS / WhatsApp message through the messages backend, or spoken in a
call), ``serialize`` (records -> ``models.VerifyService`` ...), ``rest`` (the handlers) and
``control`` (``GET /_emulator/verifications``: the codes, for tests).
"""

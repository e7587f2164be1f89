"""Messaging Services (``MG...``, ``messaging/v1/Services``) and their phone-number pools.

``records`` (a service, a pool entry), ``repository`` (the ``messaging_services`` and
``messaging_service_numbers`` tables), ``state`` (settings and their validation, the pool
rules), ``serialize`` (records -> ``models.MessagingService``) and ``rest`` (the handlers).
Served under ``/messaging`` (:func:`twilio_connector._wire.domain_base_url`).
"""

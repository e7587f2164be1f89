"""Content templates (``HX...``, ``content/v1/Content``) and their WhatsApp approval.

``records`` (a template with its approval), ``repository`` (the ``contents`` table),
``validate`` (a create body checked against :mod:`twilio_connector.content_types`),
``render`` (a template and ``ContentVariables`` -> what a message carries; pure),
``state`` (the templates of every account, approval, what a send needs), ``serialize``
(records -> :mod:`twilio_connector.models`), ``rest`` (the handlers) and ``control``
(``POST /_emulator/content/{HX}/approval``). Served under ``/content``.
"""

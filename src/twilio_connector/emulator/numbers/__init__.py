"""Phone numbers: owned IncomingPhoneNumbers and the AvailablePhoneNumbers search.

``records`` / ``repository`` (the ``phone_numbers`` table), ``state`` (ownership, purchase,
webhook settings), ``inventory`` (numbers for sale, made to match a search) over
``geography`` (area codes to places), ``serialize``, ``rest`` and ``control``
(``/_emulator/numbers/{E164}``: WhatsApp on or off).
"""

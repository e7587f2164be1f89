"""Messages (SMS, MMS, WhatsApp): outbound lifecycles, inbound handsets, messaging TwiML.

``state`` runs outbound lifecycles (``Messaging``) over ``requests`` (create parameters and
Twilio's checks); ``repository`` holds the tables and their SQL, ``records`` the rows;
``rest`` serves ``/Messages`` and their Media, ``serialize`` shapes them, ``control`` is
``/_emulator/messages``; ``inbound`` is a simulated handset, ``twiml`` reads its replies,
``segments`` counts segments.
"""

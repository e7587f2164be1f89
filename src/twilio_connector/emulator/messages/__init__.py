"""Messages (SMS, MMS, WhatsApp): outbound lifecycles, inbound handsets, messaging TwiML.

``state`` validates and runs outbound lifecycles; ``inbound`` is a simulated handset texting
an owned number; ``twiml`` reads the reply TwiML; ``segments`` counts segments; ``rest``
serves ``/Messages`` and their Media.
"""

"""Phone numbers: owned IncomingPhoneNumbers and the AvailablePhoneNumbers search.

``state`` owns numbers and their webhook settings; ``rest`` serves the REST routes.
"""

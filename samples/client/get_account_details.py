"""Seed sample getAccountDetail: read the account these credentials act for."""

from twilio_connector import TwilioClient

with TwilioClient() as client:  # TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN[, TWILIO_BASE_URL]
    account = client.get_account_details()
    print(f"Account {account.sid}: {account.friendly_name} ({account.status}, {account.type})")

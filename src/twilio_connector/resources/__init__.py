"""One module per Twilio resource: thin operations over the sans-IO core."""

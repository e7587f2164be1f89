"""Outbound webhooks: the dispatcher (signing, retries, delivery log) and its HTTP client.

``dispatcher`` decides what is sent, when and how often, and logs every attempt;
``http_client`` is the keep-alive HTTP/1.1 client it sends with; ``signing`` picks a
shared key by URL (SharedKey signatures) instead of the auth token; ``records`` and
``repository`` hold the delivery log and the signing rules; ``control`` serves both.
"""

"""Shared constants of the listener benchmark (the servers and the load generator agree on them)."""

TOKEN = "bench-auth-token-0123456789abcdef"
PUBLIC_URL = "https://hooks.example.com"
PATH = "/sms/status"
BODY_TEMPLATE = (
    "AccountSid=AC0123456789abcdef0123456789abcdef&ApiVersion=2010-04-01"
    "&From=%2B15017250604&MessageSid={sid}&MessageStatus={status}&SmsSid={sid}"
    "&SmsStatus={status}&To=%2B15558675310"
)
STATUSES = ("sent", "delivered")


def params(index: int) -> dict[str, str]:
    """The decoded form of request ``index`` (1-based, as the Lua script counts)."""
    sid = f"SM{index:032x}"
    status = STATUSES[index % 2]
    return {
        "AccountSid": "AC0123456789abcdef0123456789abcdef",
        "ApiVersion": "2010-04-01",
        "From": "+15017250604",
        "MessageSid": sid,
        "MessageStatus": status,
        "SmsSid": sid,
        "SmsStatus": status,
        "To": "+15558675310",
    }

"""Webhook signatures, as receivers check them: copy this module (standard
library only) into the receiving application.

Each delivery carries ``X-Helpdesk-Signature: t=<unix time>,v1=<hex>``,
where the hex is the HMAC-SHA256, keyed with the webhook's secret, of the
timestamp, a dot and the raw request body. Signing the time makes an old
delivery replayed later fail: `verify_signature` refuses a timestamp more
than `tolerance` seconds (5 minutes) away from now.
"""
import hashlib
import hmac
import time

HEADER = "X-Helpdesk-Signature"
TOLERANCE = 300  # seconds


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The header value for `body` sent at `timestamp`."""
    digest = hmac.new(secret.encode("utf-8"),
                      str(timestamp).encode("ascii") + b"." + body,
                      hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify_signature(secret: str, header: str, body: bytes,
                     tolerance: int = TOLERANCE, now=None) -> bool:
    """Whether `header` (the X-Helpdesk-Signature value) signs the raw
    `body` with `secret`, at a time within `tolerance` seconds of now."""
    try:
        fields = dict(part.split("=", 1) for part in header.split(","))
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance:
        return False
    expected = sign(secret, timestamp, body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, fields.get("v1", ""))

"""Pure webhook rules: the signature and which targets may be called."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from urllib.parse import urlsplit

SIGNATURE_HEADER = "X-SnapLeads-Signature"
TIMESTAMP_HEADER = "X-SnapLeads-Timestamp"
EVENT_HEADER = "X-SnapLeads-Event"
DELIVERY_HEADER = "X-SnapLeads-Delivery"


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=<hex>` of HMAC-SHA256(secret, "<timestamp>.<body>"): the receiver recomputes it."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, header: str) -> bool:
    return hmac.compare_digest(signature(secret, timestamp, body), header)


def url_problem(url: str) -> str | None:
    """Why a URL cannot be a webhook target (scheme, host), or None."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return "http_or_https_only"
    if not parts.hostname:
        return "host_required"
    if parts.username or parts.password:
        return "no_credentials_in_url"
    return None


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def backoff_seconds(attempt: int) -> int:
    """Delay before retry number `attempt` (1-based): 10 s, 40 s, 160 s, 640 s, ~43 min."""
    return 10 * 4 ** (attempt - 1)

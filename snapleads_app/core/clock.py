"""One clock, so tests can move time (token expiry, throttling windows)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_offset_seconds = 0.0


def now() -> datetime:
    """Timezone-aware UTC now (shifted in tests by `advance`)."""
    return datetime.now(UTC) + timedelta(seconds=_offset_seconds)


def advance(seconds: float) -> None:
    global _offset_seconds
    _offset_seconds += seconds


def reset() -> None:
    global _offset_seconds
    _offset_seconds = 0.0

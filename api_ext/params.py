"""Parameter types shared by routes, stricter than pydantic's lax parsing where the document says so."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import BeforeValidator

_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")


def _rfc3339_only(value: Any) -> Any:
    # pydantic would read "0.5" as a Unix timestamp; the OpenAPI document promises RFC 3339.
    if isinstance(value, str) and not _RFC3339.fullmatch(value):
        raise ValueError("expected an RFC 3339 date-time, e.g. 2026-11-25T10:00:00Z")
    return value


IsoDateTime = Annotated[datetime, BeforeValidator(_rfc3339_only)]

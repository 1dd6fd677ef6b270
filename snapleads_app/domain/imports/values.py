"""Parsing the values Brazilian and English spreadsheets hold: numbers, booleans, dates.

Pure functions. Each returns None for empty input and raises ValueError for text it cannot read,
so the caller can reject the row or keep the raw text. Follower-style counts ("12,5 mil") are
`snapleads_app.domain.leads.normalise.normalise_count`'s job, not this module's.
"""

from __future__ import annotations

import re
from datetime import date, datetime

_CURRENCY = re.compile(r"^(r\$|us\$|\$|€|£)\s*|\s*(r\$|€|%)$", re.IGNORECASE)


def parse_number(text: str | None, *, decimal: str | None = None) -> int | float | None:
    """ "1.234" / "1,234" → 1234; "1.234,56" / "1,234.56" → 1234.56; "12,5" → 12.5; "R$ 10" → 10.

    Ambiguous single separators followed by exactly three digits ("1.234", "1,234") are read as
    thousands unless `decimal` (the file's decimal mark, when the caller knows it) says otherwise.
    """
    if text is None:
        return None
    value = text.strip().replace("\u00a0", "").replace(" ", "")
    if not value:
        return None
    value = _CURRENCY.sub("", value)
    negative = value.startswith("-") or (value.startswith("(") and value.endswith(")"))
    value = value.strip("()").lstrip("+-")
    if not re.fullmatch(r"[0-9][0-9.,]*", value) or value.endswith((",", ".")):
        raise ValueError(f"not a number: {text!r}")
    dots, commas = value.count("."), value.count(",")
    if dots and commas:
        # Both marks: the last one is the decimal mark, the other groups thousands.
        dec = "," if value.rfind(",") > value.rfind(".") else "."
        group = "." if dec == "," else ","
        whole, _, frac = value.rpartition(dec)
        if dec in whole or not re.fullmatch(r"\d{1,3}(" + re.escape(group) + r"\d{3})*", whole):
            raise ValueError(f"not a number: {text!r}")
        number: float | int = float(whole.replace(group, "") + "." + frac)
    elif dots + commas == 0:
        number = int(value)
    else:
        mark = "." if dots else ","
        parts = value.split(mark)
        if len(parts) > 2:  # "1.234.567": only thousands groups
            if not all(len(p) == 3 for p in parts[1:]) or len(parts[0]) > 3:
                raise ValueError(f"not a number: {text!r}")
            number = int("".join(parts))
        elif len(parts[1]) == 3 and parts[0] != "0" and (decimal is None or decimal != mark):
            number = int(parts[0] + parts[1])
        else:
            number = float(parts[0] + "." + parts[1])
    return -number if negative else number


_TRUE = {
    "1",
    "sim",
    "s",
    "yes",
    "y",
    "true",
    "t",
    "verdadeiro",
    "v",
    "x",
    "✓",
    "✔",
    "☑",
    "ok",
    "verified",
    "verificado",
}
_FALSE = {"0", "nao", "não", "n", "no", "false", "f", "falso", "✗", "✘", "☐", "-"}


def parse_bool(text: str | None) -> bool | None:
    """sim/não, yes/no, true/false, 1/0, x/✓ (a ticked cell) → bool; blank → None."""
    if text is None:
        return None
    value = text.strip().lower()
    if not value:
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"not a yes/no value: {text!r}")


_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_ISO = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$"
)


def parse_date(text: str | None) -> date | None:
    """dd/mm/yyyy, dd/mm/yy, dd-mm-yyyy, dd.mm.yyyy, yyyy-mm-dd, each optionally with a time.

    Day first (Brazil), except when the first number cannot be a day-month order but can be US
    month/day ("12/25/2024"). Two-digit years: 00-69 → 2000s, 70-99 → 1900s (the POSIX pivot).
    """
    if text is None:
        return None
    value = text.strip()
    if not value:
        return None
    iso = _ISO.match(value)
    if iso:
        year, month, day = (int(g) for g in iso.groups())
        return _date(year, month, day, text)
    dmy = _DMY.match(value)
    if dmy:
        day, month, year_text = int(dmy.group(1)), int(dmy.group(2)), dmy.group(3)
        year = int(year_text)
        if len(year_text) == 2:
            year += 2000 if year < 70 else 1900
        if month > 12 and day <= 12:
            day, month = month, day  # unambiguous US order
        return _date(year, month, day, text)
    raise ValueError(f"not a date: {text!r}")


def _date(year: int, month: int, day: int, text: str) -> date:
    try:
        return datetime(year, month, day).date()
    except ValueError as exc:
        raise ValueError(f"not a date: {text!r}") from exc

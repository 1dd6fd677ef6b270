"""Dashboard numbers and dates in the UI language (pt-BR: 1.234,5 and 15/06; en: 1,234.5 and 06/15)."""

from __future__ import annotations

import datetime as dt

from snapleads_app.state.dashboard import fmt_bucket, fmt_day, fmt_int, fmt_pct, fmt_when


def test_numbers_follow_the_language():
    assert fmt_int(1234567, "pt-BR") == "1.234.567"
    assert fmt_int(1234567, "en") == "1,234,567"
    assert fmt_pct(66.66, "pt-BR") == "66,7%"
    assert fmt_pct(1234.5, "pt-BR") == "1.234,5%"
    assert fmt_pct(66.66, "en") == "66.7%"
    assert fmt_pct(None, "en") == "—"


def test_dates_and_buckets_follow_the_language():
    day = dt.date(2026, 6, 15)
    assert fmt_day(day, "pt-BR") == "15/06" and fmt_day(day, "pt-BR", year=True) == "15/06/2026"
    assert fmt_day(day, "en") == "06/15" and fmt_day(day, "en", year=True) == "06/15/2026"
    assert fmt_bucket("2026-06-01", "month", "pt-BR") == "06/2026"
    assert fmt_bucket("2026-06-15T07:00", "hour", "en") == "07:00"
    now = dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC)
    assert fmt_when(now - dt.timedelta(minutes=5), now, "pt-BR") == "há 5 min"
    assert fmt_when(now - dt.timedelta(hours=3), now, "en") == "3 h ago"
    assert fmt_when(now - dt.timedelta(days=3), now, "pt-BR") == "12/06/2026"

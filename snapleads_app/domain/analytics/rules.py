"""Pure helpers of the analytics: periods in a time zone, growth, buckets, the funnel arithmetic."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from snapleads_app.core.errors import InvalidInput

DEFAULT_DAYS = 30
MAX_DAYS = 731  # two years of daily points
MAX_HOUR_DAYS = 14  # 336 hourly points


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput(
            "Unknown time zone", code="invalid_time_zone", errors={"time_zone": "unknown"}
        ) from exc


def valid_time_zone(name: str) -> bool:
    return name in available_timezones()


def time_zone_choices() -> list[str]:
    """The IANA zones a workspace may pick (regions only: no "posix/…", "Etc/GMT+3" style aliases
    except UTC), sorted."""
    return sorted(
        z for z in available_timezones() if z == "UTC" or ("/" in z and z.split("/")[0] not in _NOT_REGIONS)
    )


_NOT_REGIONS = {"Etc", "posix", "right", "SystemV", "US", "Brazil", "Canada", "Chile", "Mexico"}


@dataclass(frozen=True)
class Range:
    date_from: date
    date_to: date  # inclusive

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1

    def previous(self) -> Range:
        """The equal range right before this one."""
        end = self.date_from - timedelta(days=1)
        return Range(end - timedelta(days=self.days - 1), end)

    def utc_bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """[start, end) instants: local midnight of the first day to local midnight after the last."""
        start = datetime.combine(self.date_from, time(), tzinfo=tz).astimezone(UTC)
        end = datetime.combine(self.date_to + timedelta(days=1), time(), tzinfo=tz).astimezone(UTC)
        return start, end


def resolve_range(date_from: date | None, date_to: date | None, today: date) -> Range:
    """Default: the last 30 days ending today (local). One given end anchors the other."""
    if date_to is None:
        date_to = today if date_from is None else min(today, date_from + timedelta(days=DEFAULT_DAYS - 1))
    if date_from is None:
        date_from = date_to - timedelta(days=DEFAULT_DAYS - 1)
    if date_from > date_to:
        raise InvalidInput(
            "The start date is after the end date",
            code="invalid_range",
            errors={"date_from": "after_date_to"},
        )
    period = Range(date_from, date_to)
    if period.days > MAX_DAYS:
        raise InvalidInput(
            "The period is longer than two years", code="range_too_long", errors={"date_to": "too_long"}
        )
    return period


def growth_pct(current: int, previous: int) -> float | None:
    if previous == 0:
        return None
    return round((current - previous) * 100.0 / previous, 1)


def rate(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(part * 100.0 / whole, 1)


def bucket_of(day: date, granularity: str) -> date:
    if granularity == "week":
        return day - timedelta(days=day.weekday())  # weeks start on Monday (ISO, as in Brazil's calendars)
    if granularity == "month":
        return day.replace(day=1)
    return day


def day_buckets(period: Range, granularity: str) -> list[date]:
    """Every bucket of the period in order, empty ones included."""
    out: list[date] = []
    day = period.date_from
    while day <= period.date_to:
        key = bucket_of(day, granularity)
        if not out or out[-1] != key:
            out.append(key)
        day += timedelta(days=1)
    return out


def hour_buckets(period: Range, tz: ZoneInfo) -> list[str]:
    """Local hours of the period (a DST day has 23 or 25 of them)."""
    start, end = period.utc_bounds(tz)
    out: list[str] = []
    at = start
    while at < end:
        label = hour_label(at.astimezone(tz))
        if not out or out[-1] != label:
            out.append(label)
        at += timedelta(hours=1)
    return out


def hour_label(local: datetime) -> str:
    return local.strftime("%Y-%m-%dT%H:00")


# ---------------------------------------------------------------- funnel


@dataclass(frozen=True)
class StageInfo:
    id: int
    position: int
    terminal: bool  # "lost": outside the progression


@dataclass(frozen=True)
class HistoryGroup:
    """Cohort leads grouped by where they are and how far their history went."""

    current_stage_id: int | None
    furthest_position: int | None  # highest non-terminal stage position entered, by the history
    entered_terminal: bool
    leads: int


def funnel_reached(
    stages: list[StageInfo], current: dict[int, int], cohort: int, history: Iterable[HistoryGroup]
) -> dict[int, int]:
    """Leads that reached each stage: those there now or further along, plus those the history shows
    went further before moving back (or to a terminal stage). The first stage counts the whole cohort:
    every lead enters the pipeline there."""
    progression = [s for s in sorted(stages, key=lambda s: s.position) if not s.terminal]
    index_of_position = {s.position: i for i, s in enumerate(progression)}
    index_of_stage = {s.id: i for i, s in enumerate(progression)}
    at_least = [0] * (len(progression) + 1)  # at_least[i]: leads whose furthest index ≥ i
    for stage_id, n in current.items():
        if stage_id in index_of_stage:
            at_least[index_of_stage[stage_id]] += n
    for group in history:
        now_index = index_of_stage.get(group.current_stage_id or 0, -1)
        went = (
            index_of_position.get(group.furthest_position, -1) if group.furthest_position is not None else -1
        )
        if went > now_index:
            at_least[went] += group.leads
            if now_index >= 0:
                at_least[now_index] -= group.leads
    reached: dict[int, int] = {}
    running = 0
    for i in range(len(progression) - 1, -1, -1):
        running += at_least[i]
        reached[progression[i].id] = running
    if progression:
        reached[progression[0].id] = cohort
    for stage in stages:
        if stage.terminal:
            reached[stage.id] = current.get(stage.id, 0)  # "lost": the leads lost now
    return reached

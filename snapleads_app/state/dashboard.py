"""Dashboard and /analytics: filters → `AnalyticsQuery`, analytics results → chart rows and KPI cards.

The state only translates; the numbers, role scoping and periods are the analytics service's. Numbers
and dates are formatted here for the UI language (pt-BR: 1.234,5 and 15/06; en: 1,234.5 and 06/15).
Live: joined to the workspace's leads and imports pushes (and, through the shell, the inbox's); a
change schedules one reload 1.5 s later, so an import of thousands of leads reloads a few times, not
thousands.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
import time
from typing import Any

import reflex as rx

from snapleads_app.core import clock
from snapleads_app.core.context import Ctx
from snapleads_app.domain.accounts import rules
from snapleads_app.domain.analytics import service as analytics
from snapleads_app.domain.analytics.models import AnalyticsQuery, RecentActivity
from snapleads_app.i18n import t
from snapleads_app.state import realtime_imports, realtime_leads
from snapleads_app.state.base import api_url, guarded, run_service
from snapleads_app.state.realtime_imports import ImportsLiveState
from snapleads_app.state.realtime_leads import LeadsLiveState
from snapleads_app.state.session import SessionState

log = logging.getLogger(__name__)

PRESETS = ("7", "30", "90", "365")
PLATFORMS = ("instagram", "facebook", "linkedin", "twitter", "tiktok", "whatsapp", "other")
GRANULARITIES = ("day", "week", "month")
RELOAD_DELAY = 1.5
PLATFORM_COLORS = {
    "instagram": "#d946ef",
    "facebook": "#3b82f6",
    "linkedin": "#0ea5e9",
    "twitter": "#64748b",
    "tiktok": "#f43f5e",
    "whatsapp": "#22c55e",
    "other": "#a3a3a3",
}
STATUS_COLORS = {
    "new": "#64748b",
    "contacted": "#3b82f6",
    "responded": "#8b5cf6",
    "qualified": "#f59e0b",
    "scheduled": "#06b6d4",
    "closed": "#22c55e",
    "lost": "#ef4444",
}


# ---------------------------------------------------------------- formats (pure)


def fmt_int(value: int, lang: str) -> str:
    text = f"{int(value):,}"
    return text.replace(",", ".") if lang == "pt-BR" else text


def fmt_pct(value: float | None, lang: str) -> str:
    if value is None:
        return "—"
    text = f"{value:,.1f}%"
    if lang == "pt-BR":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def fmt_rate(value: float | None, lang: str) -> str:
    """A 0..1 share as a percentage."""
    return fmt_pct(None if value is None else value * 100, lang)


def fmt_day(day: dt.date, lang: str, *, year: bool = False) -> str:
    if lang == "pt-BR":
        return day.strftime("%d/%m/%Y" if year else "%d/%m")
    return day.strftime("%m/%d/%Y" if year else "%m/%d")


def fmt_bucket(bucket: str, granularity: str, lang: str) -> str:
    if "T" in bucket:
        return bucket[11:16]
    day = dt.date.fromisoformat(bucket)
    if granularity == "month":
        return day.strftime("%m/%Y")
    return fmt_day(day, lang)


def fmt_when(at: dt.datetime, now: dt.datetime, lang: str) -> str:
    seconds = max(0, int((now - at).total_seconds()))
    if seconds < 60:
        return t("analytics.just_now", lang)
    if seconds < 3600:
        return t("analytics.minutes_ago", lang, n=seconds // 60)
    if seconds < 86400:
        return t("analytics.hours_ago", lang, n=seconds // 3600)
    return fmt_day(at.date(), lang, year=True)


def activity_text(item: RecentActivity, lang: str) -> str:
    data = item.data
    if item.type in ("status.changed",) and data.get("to"):
        return t("analytics.act_status", lang, status=t(f"lead_status.{data['to']}", lang))
    key = f"analytics.act_{item.type.replace('.', '_')}"
    text = t(key, lang)
    return text if text != key else item.type


# ---------------------------------------------------------------- rows


@dataclasses.dataclass
class Kpi:
    key: str = ""
    value: str = ""
    delta: str = ""
    trend: str = "none"  # up, down, flat, none


@dataclasses.dataclass
class Slice:
    key: str = ""
    label: str = ""
    count: int = 0
    count_text: str = ""
    pct: str = ""
    color: str = ""


@dataclasses.dataclass
class FunnelRow:
    name: str = ""
    current: str = ""
    reached: str = ""
    reached_n: int = 0
    conversion: str = ""
    width: str = "0%"
    color: str = ""
    terminal: bool = False


@dataclasses.dataclass
class RepRow:
    name: str = ""
    assigned: str = ""
    new: str = ""
    contacted: str = ""
    qualified: str = ""
    scheduled: str = ""
    closed: str = ""
    conversations: str = ""
    response_rate: str = ""


@dataclasses.dataclass
class ActivityRow:
    lead_id: str = ""
    lead_name: str = ""
    what: str = ""
    actor: str = ""
    when: str = ""


@dataclasses.dataclass
class ImportRow:
    source: str = ""
    jobs: str = ""
    rows: str = ""
    created: str = ""
    duplicates: str = ""
    errors: str = ""


@dataclasses.dataclass
class TemplatePerfRow:
    name: str = ""
    sent: str = ""
    replies: str = ""
    reply_rate: str = ""


@dataclasses.dataclass
class Option:
    value: str = ""
    label: str = ""


class DashboardState(SessionState):
    """Dashboard (/) and analytics (/analytics)."""

    preset: rx.Field[str] = rx.field("30")
    date_from: rx.Field[str] = rx.field("")
    date_to: rx.Field[str] = rx.field("")
    platform: rx.Field[str] = rx.field("all")
    assignee: rx.Field[str] = rx.field("all")
    granularity: rx.Field[str] = rx.field("day")
    loaded: rx.Field[bool] = rx.field(False)
    loading: rx.Field[bool] = rx.field(False)
    period_text: rx.Field[str] = rx.field("")
    workspace_total: rx.Field[int] = rx.field(-1)  # -1: not loaded; 0: a new workspace (empty state)
    kpis: rx.Field[list[Kpi]] = rx.field(default_factory=list)
    chart: rx.Field[list[dict[str, Any]]] = rx.field(default_factory=list)
    chart_total: rx.Field[str] = rx.field("")
    platforms: rx.Field[list[Slice]] = rx.field(default_factory=list)
    statuses: rx.Field[list[Slice]] = rx.field(default_factory=list)
    platform_chart: rx.Field[list[dict[str, Any]]] = rx.field(default_factory=list)
    status_chart: rx.Field[list[dict[str, Any]]] = rx.field(default_factory=list)
    funnel: rx.Field[list[FunnelRow]] = rx.field(default_factory=list)
    funnel_cohort: rx.Field[str] = rx.field("")
    reps: rx.Field[list[RepRow]] = rx.field(default_factory=list)
    recent: rx.Field[list[ActivityRow]] = rx.field(default_factory=list)
    imports: rx.Field[list[ImportRow]] = rx.field(default_factory=list)
    template_rows: rx.Field[list[TemplatePerfRow]] = rx.field(default_factory=list)
    templates_own: rx.Field[bool] = rx.field(False)
    member_options: rx.Field[list[Option]] = rx.field(default_factory=list)
    sees_all: rx.Field[bool] = rx.field(False)
    can_export: rx.Field[bool] = rx.field(False)
    _reload_pending: bool = False
    _local_today: str = ""  # the workspace's "today" (its time zone), from the last default period
    _last_load: float = 0.0

    # ------------------------------------------------------------ query

    def _query(self) -> AnalyticsQuery:
        return AnalyticsQuery(
            date_from=dt.date.fromisoformat(self.date_from) if self.date_from else None,
            date_to=dt.date.fromisoformat(self.date_to) if self.date_to else None,
            platform=[self.platform] if self.platform in PLATFORMS else None,  # type: ignore[list-item]
            assignee_id=int(self.assignee) if self.assignee.isdigit() else None,
        )

    @rx.var
    def export_query(self) -> str:
        parts = []
        if self.date_from:
            parts.append(f"date_from={self.date_from}")
        if self.date_to:
            parts.append(f"date_to={self.date_to}")
        if self.platform in PLATFORMS:
            parts.append(f"platform={self.platform}")
        if self.assignee.isdigit():
            parts.append(f"assignee_id={self.assignee}")
        parts.append(f"granularity={self.granularity}")
        return "&".join(parts)

    @rx.var
    def export_base(self) -> str:
        return api_url("/api/v1/analytics")

    # ------------------------------------------------------------ loading

    async def _fetch(self, ctx: Ctx, *, full: bool) -> None:
        self.loading = True
        try:
            lang = self.lang
            query = self._query()
            overview = await run_service(analytics.overview, ctx=ctx, query=query)
            timeline = await run_service(
                analytics.timeline, ctx=ctx, query=query, granularity=self.granularity
            )
            funnel = await run_service(analytics.funnel, ctx=ctx, query=query)
            by_user = await run_service(analytics.by_user, ctx=ctx, query=query)
            recent = await run_service(analytics.recent_activity, ctx=ctx, limit=8)
            self.sees_all = rules.can(ctx.role, "leads.see_all")
            self.can_export = rules.can(ctx.role, "export")
            if full:
                imports = await run_service(analytics.imports, ctx=ctx, query=query)
                self.imports = [
                    ImportRow(
                        source=t(f"analytics.source_{r.source}", lang),
                        jobs=fmt_int(r.jobs, lang),
                        rows=fmt_int(r.rows, lang),
                        created=fmt_int(r.created, lang),
                        duplicates=fmt_int(r.duplicates, lang),
                        errors=fmt_int(r.errors, lang),
                    )
                    for r in imports.rows
                ]
                template_stats = await run_service(analytics.template_stats, ctx=ctx)
                self.templates_own = template_stats.own_only
                self.template_rows = [
                    TemplatePerfRow(
                        name=r.name,
                        sent=fmt_int(r.sent, lang),
                        replies=fmt_int(r.replies, lang),
                        reply_rate=fmt_rate(r.reply_rate, lang),
                    )
                    for r in template_stats.rows
                ]
            period = overview.period
            if not self.date_to:
                self._local_today = period.date_to.isoformat()
            self.period_text = (
                f"{fmt_day(period.date_from, lang, year=True)} – {fmt_day(period.date_to, lang, year=True)}"
            )
            self.workspace_total = (
                overview.leads_total
                if self.platform == "all" and self.assignee == "all"
                else max(self.workspace_total, overview.leads_total, 1)
            )
            growth = overview.growth_pct
            self.kpis = [
                Kpi("total", fmt_int(overview.leads_total, lang)),
                Kpi(
                    "new",
                    fmt_int(overview.new_leads, lang),
                    (("+" if growth > 0 else "") + fmt_pct(growth, lang)) if growth is not None else "",
                    "none" if growth is None else ("up" if growth > 0 else "down" if growth < 0 else "flat"),
                ),
                Kpi("scheduled", fmt_int(overview.scheduled, lang)),
                Kpi("closed", fmt_int(overview.closed, lang)),
                Kpi("conversations", fmt_int(overview.inbox.conversations_started, lang)),
                Kpi("response_rate", fmt_rate(overview.inbox.response_rate, lang)),
            ]
            total_new = max(overview.new_leads, 1)
            self.platforms = [
                Slice(
                    r.key,
                    t(f"platform.{r.key}", lang),
                    r.count,
                    fmt_int(r.count, lang),
                    fmt_pct(r.count * 100 / total_new, lang),
                    PLATFORM_COLORS.get(r.key, "#a3a3a3"),
                )
                for r in overview.by_platform
            ]
            self.statuses = [
                Slice(
                    r.key,
                    t(f"lead_status.{r.key}", lang),
                    r.count,
                    fmt_int(r.count, lang),
                    fmt_pct(r.count * 100 / total_new, lang),
                    STATUS_COLORS.get(r.key, "#a3a3a3"),
                )
                for r in overview.by_status
            ]
            self.platform_chart = [{"label": x.label, "count": x.count} for x in self.platforms]
            self.status_chart = [{"label": x.label, "count": x.count} for x in self.statuses]
            self.chart = [
                {
                    "label": fmt_bucket(p.bucket, timeline.granularity, lang),
                    "bucket": p.bucket,
                    "leads": p.leads,
                }
                for p in timeline.points
            ]
            self.chart_total = fmt_int(sum(p.leads for p in timeline.points), lang)
            top = max([s.reached for s in funnel.stages] + [1])
            self.funnel_cohort = fmt_int(funnel.cohort, lang)
            self.funnel = [
                FunnelRow(
                    name=t(f"lead_status.{s.status}", lang) if s.status else s.name,
                    current=fmt_int(s.current, lang),
                    reached=fmt_int(s.reached, lang),
                    reached_n=s.reached,
                    conversion=fmt_pct(s.conversion_pct, lang) if s.conversion_pct is not None else "",
                    width=f"{max(2, round(s.reached * 100 / top)) if s.reached else 0}%",
                    color=s.color,
                    terminal=s.terminal,
                )
                for s in funnel.stages
            ]
            unassigned = t("analytics.unassigned", lang)
            self.reps = [
                RepRow(
                    name=r.name or unassigned,
                    assigned=fmt_int(r.leads_assigned, lang),
                    new=fmt_int(r.new_leads, lang),
                    contacted=fmt_int(r.by_status.get("contacted", 0), lang),
                    qualified=fmt_int(r.by_status.get("qualified", 0), lang),
                    scheduled=fmt_int(r.by_status.get("scheduled", 0), lang),
                    closed=fmt_int(r.closed, lang),
                    conversations=fmt_int(r.conversations, lang),
                    response_rate=fmt_rate(r.response_rate, lang),
                )
                for r in by_user.rows
            ]
            if not self.member_options or full:
                self.member_options = [
                    Option(str(r.user_id), r.name) for r in by_user.rows if r.user_id is not None
                ]
            now = clock.now()
            self.recent = [
                ActivityRow(
                    lead_id=str(a.lead_id),
                    lead_name=a.lead_name or f"#{a.lead_id}",
                    what=activity_text(a, lang),
                    actor=a.actor_name or t("analytics.system", lang),
                    when=fmt_when(a.created_at, now, lang),
                )
                for a in recent
            ]
            self.loaded = True
            self._last_load = time.monotonic()
        finally:
            self.loading = False

    def _is_analytics_page(self) -> bool:
        return (self.router.url.path or "").startswith("/analytics")

    @rx.event
    @guarded
    async def load(self):
        ctx = await self._ctx()
        # The versions this load reads at: a change before the joins below reaches live_changed.
        await realtime_leads.start_live(self, ctx.workspace_id)
        await realtime_imports.start_live(self, ctx)
        await self._fetch(ctx, full=self._is_analytics_page())
        return [LeadsLiveState.link, ImportsLiveState.link]

    async def _refetch(self):
        ctx = await self._ctx()
        await self._fetch(ctx, full=self._is_analytics_page())

    # ------------------------------------------------------------ filters

    @rx.event
    @guarded
    async def set_preset(self, value: str | list[str]):
        if not isinstance(value, str) or value not in PRESETS:
            return
        self.preset = value
        today = dt.date.fromisoformat(self._local_today) if self._local_today else clock.now().date()
        self.date_to = ""
        self.date_from = (today - dt.timedelta(days=int(value) - 1)).isoformat() if value != "30" else ""
        if value == "365" and self.granularity == "day":
            self.granularity = "week"
        await self._refetch()

    @rx.event
    @guarded
    async def set_date_from(self, value: str):
        self.date_from = _iso_or_empty(value)
        self.preset = "custom"
        await self._refetch()

    @rx.event
    @guarded
    async def set_date_to(self, value: str):
        self.date_to = _iso_or_empty(value)
        self.preset = "custom"
        await self._refetch()

    @rx.event
    @guarded
    async def set_platform(self, value: str):
        self.platform = value if value in PLATFORMS else "all"
        await self._refetch()

    @rx.event
    @guarded
    async def set_assignee(self, value: str):
        self.assignee = value if value.isdigit() else "all"
        await self._refetch()

    @rx.event
    @guarded
    async def set_granularity(self, value: str | list[str]):
        self.granularity = value if isinstance(value, str) and value in GRANULARITIES else "day"
        await self._refetch()

    # ------------------------------------------------------------ live

    @rx.event
    async def live_changed(self, version: Any):
        """A lead, import or conversation changed in the workspace: one reload shortly after (coalesced)."""
        if not self.loaded or not version or self._reload_pending:
            return None
        self._reload_pending = True
        return DashboardState.reload_soon

    @rx.event(background=True)
    async def reload_soon(self):
        await asyncio.sleep(RELOAD_DELAY)
        async with self:
            self._reload_pending = False
            try:
                await self._refetch()
            except Exception:  # noqa: BLE001 - a live refresh must never break the page
                log.warning("dashboard live reload failed", exc_info=True)


def _iso_or_empty(value: str) -> str:
    try:
        return dt.date.fromisoformat(str(value)[:10]).isoformat()
    except ValueError:
        return ""

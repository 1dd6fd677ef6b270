"""Leads table: server-side filters, search, sort, cursor pages, selection + bulk, export, new lead, undo.

The state only translates: UI values → `LeadFilter`/`BulkIn`/`LeadCreate`, service results → rows.
Rules (who may see/edit/delete, dedup, validation) are the leads service's.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from typing import Any

import reflex as rx
from pydantic import ValidationError

from snapleads_app.core.context import Ctx
from snapleads_app.core.errors import Conflict, InvalidInput, NotFound
from snapleads_app.domain.accounts import rules
from snapleads_app.domain.accounts import service as accounts
from snapleads_app.domain.exports import service as exports
from snapleads_app.domain.exports.models import ExportJobPublic
from snapleads_app.domain.leads import service as leads
from snapleads_app.domain.leads.models import LeadCreate, LeadFilter, LeadPublic
from snapleads_app.domain.tags import service as tags
from snapleads_app.domain.tags.models import TagPublic
from snapleads_app.i18n import t_error
from snapleads_app.state.base import api_url, error_message, guarded, run_service
from snapleads_app.state.realtime_leads import LeadsLiveState, observe_change, remember_own, start_live
from snapleads_app.state.session import SessionState

PAGE_SIZE = 25
EXPORT_LIMIT = exports.SYNC_LIMIT  # rows per browser download; bigger: a background export with a link
EXPORT_POLL_SECONDS = 2.0
UNDO_SECONDS = 30
PLATFORMS = ("instagram", "facebook", "linkedin", "twitter", "tiktok", "whatsapp", "other")
STATUSES = ("new", "contacted", "responded", "qualified", "scheduled", "closed", "lost")
SORTS = ("created", "updated", "score", "name")
COLUMNS = (
    "platform",
    "email",
    "phone",
    "company",
    "status",
    "score",
    "tags",
    "assignee",
    "created",
    "updated",
)
DEFAULT_COLUMNS = "platform,email,company,status,score,tags,assignee,created"
NEW_LEAD_FIELDS = ("profile_url", "full_name", "email", "phone", "company")


@dataclasses.dataclass
class TagChip:
    id: str = ""
    name: str = ""
    color: str = ""


@dataclasses.dataclass
class Option:
    value: str = ""
    label: str = ""
    color: str = ""


@dataclasses.dataclass
class LeadRow:
    id: str = ""
    name: str = ""
    initials: str = ""
    username: str = ""
    platform: str = ""
    profile_url: str = ""
    avatar_url: str = ""
    email: str = ""
    phone: str = ""
    company: str = ""
    status: str = ""
    score: int = 0
    stage_id: str = ""
    assignee_id: str = ""
    assignee: str = ""
    tags: list[TagChip] = dataclasses.field(default_factory=list)
    created: str = ""
    updated: str = ""


def _date(value: dt.datetime | None) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


def display_name(lead: LeadPublic) -> str:
    return (
        lead.full_name
        or (f"@{lead.username}" if lead.username else "")
        or lead.email
        or lead.phone
        or f"#{lead.id}"
    )


def initials(name: str) -> str:
    parts = [p for p in name.replace("@", "").split() if p]
    return "".join(p[0] for p in parts[:2]).upper() or "?"


def tag_chips(tag_ids: list[int], tag_map: dict[int, TagPublic]) -> list[TagChip]:
    return [TagChip(id=str(i), name=tag_map[i].name, color=tag_map[i].color) for i in tag_ids if i in tag_map]


def lead_row(lead: LeadPublic, tag_map: dict[int, TagPublic], members: dict[int, str]) -> LeadRow:
    name = display_name(lead)
    return LeadRow(
        id=str(lead.id),
        name=name,
        initials=initials(name),
        username=lead.username or "",
        platform=lead.platform,
        profile_url=lead.profile_url or "",
        avatar_url=lead.avatar_url or "",
        email=lead.email or "",
        phone=lead.phone or "",
        company=lead.company or "",
        status=lead.status,
        score=lead.score,
        stage_id=str(lead.stage_id or ""),
        assignee_id=str(lead.assignee_id or ""),
        assignee=members.get(lead.assignee_id or 0, ""),
        tags=tag_chips(lead.tag_ids, tag_map),
        created=_date(lead.created_at),
        updated=_date(lead.updated_at),
    )


def tag_options(all_tags: list[TagPublic]) -> list[Option]:
    return [Option(value=str(t.id), label=t.name, color=t.color) for t in all_tags]


async def load_lookups(ctx: Ctx) -> tuple[dict[int, TagPublic], dict[int, str], list[Option], list[Option]]:
    """Tags and members (for chips, pickers and assignee names)."""
    all_tags = await run_service(tags.list_tags, ctx=ctx)
    members = await run_service(accounts.list_members, ctx=ctx)
    tag_map = {t.id: t for t in all_tags}
    names = {m.user_id: m.full_name for m in members}
    member_opts = [Option(value=str(m.user_id), label=m.full_name) for m in members]
    return tag_map, names, tag_options(all_tags), member_opts


def field_errors(exc: InvalidInput | Conflict | ValidationError, lang: str) -> dict[str, str]:
    """Per-field translated messages (`error.<code>` keys) for a form."""
    if isinstance(exc, ValidationError):
        out: dict[str, str] = {}
        for err in exc.errors():
            loc = [str(p) for p in err.get("loc", ()) if isinstance(p, str)]
            if loc:
                out[loc[0]] = t_error("invalid_value", lang)
        return out
    if exc.code == "lead_exists":
        return {"profile_url": t_error("lead_exists", lang)}
    return {field: t_error(code, lang) for field, code in (exc.errors or {}).items() if field != "id"}


class LeadsState(SessionState):
    # data
    rows: rx.Field[list[LeadRow]] = rx.field(default_factory=list)
    total: rx.Field[int] = rx.field(0)
    loading: rx.Field[bool] = rx.field(True)
    loaded: rx.Field[bool] = rx.field(False)
    page_index: rx.Field[int] = rx.field(0)
    has_next: rx.Field[bool] = rx.field(False)
    _cursors: list[str | None] = [None]  # noqa: RUF012 - the cursor that starts each visited page
    _next_cursor: str | None = None
    # filters and sort
    search: rx.Field[str] = rx.field("")
    platforms: rx.Field[list[str]] = rx.field(default_factory=list)
    statuses: rx.Field[list[str]] = rx.field(default_factory=list)
    tag_filter: rx.Field[list[str]] = rx.field(default_factory=list)
    tags_mode: rx.Field[str] = rx.field("any")
    assignee_filter: rx.Field[str] = rx.field("all")  # all | unassigned | <user id>
    score_min: rx.Field[str] = rx.field("")
    score_max: rx.Field[str] = rx.field("")
    sort: rx.Field[str] = rx.field("-created")
    # lookups and permissions
    tag_options: rx.Field[list[Option]] = rx.field(default_factory=list)
    member_options: rx.Field[list[Option]] = rx.field(default_factory=list)
    can_create: rx.Field[bool] = rx.field(False)
    can_edit: rx.Field[bool] = rx.field(False)
    can_delete: rx.Field[bool] = rx.field(False)
    can_assign: rx.Field[bool] = rx.field(False)
    can_export: rx.Field[bool] = rx.field(False)
    # selection and bulk
    selected: rx.Field[list[str]] = rx.field(default_factory=list)
    all_matching: rx.Field[bool] = rx.field(False)
    bulk_action: rx.Field[str] = rx.field("")  # "" = dialog closed
    bulk_value: rx.Field[str] = rx.field("")
    # column chooser, per browser
    columns: rx.Field[str] = rx.field(rx.LocalStorage(DEFAULT_COLUMNS, name="sl_lead_columns", sync=True))
    # new lead dialog
    new_open: rx.Field[bool] = rx.field(False)
    new_platform: rx.Field[str] = rx.field("instagram")
    new_errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    exporting: rx.Field[bool] = rx.field(False)
    # a background export (too many leads for one download): its progress and link
    export_job_id: rx.Field[int] = rx.field(0)
    export_status: rx.Field[str] = rx.field("")
    export_progress: rx.Field[float] = rx.field(0.0)
    export_url: rx.Field[str] = rx.field("")
    # live updates
    _live_seen: int = 0
    _own_changes: dict[str, float] = {}  # noqa: RUF012

    # ------------------------------------------------------------ computed

    @rx.var
    def shown_columns(self) -> list[str]:
        cols: list[str] = [c for c in self.columns.split(",") if c in COLUMNS]
        return cols or [str(c) for c in DEFAULT_COLUMNS.split(",")]

    @rx.var
    def filters_active(self) -> bool:
        return bool(
            self.search.strip()
            or self.platforms
            or self.statuses
            or self.tag_filter
            or self.assignee_filter != "all"
            or self.score_min
            or self.score_max
        )

    @rx.var
    def page_selected(self) -> bool:
        return bool(self.rows) and all(r.id in self.selected for r in self.rows)

    @rx.var
    def selection_count(self) -> int:
        return self.total if self.all_matching else len(self.selected)

    # ------------------------------------------------------------ translation helpers

    def _filters(self) -> LeadFilter:
        def score(value: str) -> int | None:
            value = value.strip()
            return max(0, min(100, int(value))) if value.isdigit() else None

        assignee = self.assignee_filter
        return LeadFilter(
            search=self.search.strip()[:100] or None,
            platform=list(self.platforms) or None,  # type: ignore[arg-type]
            status=list(self.statuses) or None,  # type: ignore[arg-type]
            tag_ids=[int(t) for t in self.tag_filter] or None,
            tags_mode="all" if self.tags_mode == "all" else "any",
            unassigned=assignee == "unassigned",
            assignee_id=int(assignee) if assignee.isdigit() else None,
            score_min=score(self.score_min),
            score_max=score(self.score_max),
        )

    async def _lookups(self, ctx: Ctx) -> tuple[dict[int, TagPublic], dict[int, str]]:
        tag_map, names, tag_opts, member_opts = await load_lookups(ctx)
        self.tag_options = tag_opts
        self.member_options = member_opts
        self.can_create = rules.can(ctx.role, "leads.create")
        self.can_edit = rules.can(ctx.role, "leads.edit_assigned")
        self.can_delete = rules.can(ctx.role, "leads.delete")
        self.can_assign = rules.can(ctx.role, "leads.assign")
        self.can_export = rules.can(ctx.role, "export")
        return tag_map, names

    async def _fetch(self, ctx: Ctx, *, lookups: bool = False) -> None:
        """Load the page `page_index` (its cursor is on the stack) with the current filters."""
        self.loading = True
        try:
            if lookups or not self.tag_options:
                tag_map, names = await self._lookups(ctx)
            else:
                tag_map = {
                    int(o.value): TagPublic(id=int(o.value), name=o.label, color=o.color, lead_count=0)
                    for o in self.tag_options
                }
                names = {int(o.value): o.label for o in self.member_options}
            cursor = self._cursors[self.page_index] if self.page_index < len(self._cursors) else None
            page = await run_service(
                leads.list_leads,
                ctx=ctx,
                filters=self._filters(),
                sort=self.sort,
                limit=PAGE_SIZE,
                cursor=cursor,
                include_total=True,
            )
            self.rows = [lead_row(lead, tag_map, names) for lead in page.data]
            self.total = page.total or 0
            self._next_cursor = page.next_cursor
            self.has_next = page.next_cursor is not None
            self.loaded = True
        finally:
            self.loading = False

    async def _restart(self) -> None:
        """Filters or sort changed: back to the first page, selection cleared."""
        ctx = await self._ctx()
        self._cursors = [None]
        self.page_index = 0
        self.selected = []
        self.all_matching = False
        await self._fetch(ctx)

    # ------------------------------------------------------------ load and live

    @rx.event
    @guarded
    async def load(self):
        ctx = await self._ctx()
        # Every change numbered up to here is in what this load reads; later ones make live_changed catch up.
        self._live_seen = await start_live(self, ctx.workspace_id)
        self._cursors = [None]
        self.page_index = 0
        self.selected = []
        self.all_matching = False
        self.bulk_action = ""
        await self._fetch(ctx, lookups=True)
        return LeadsLiveState.link

    @rx.event
    @guarded
    async def live_changed(self, version: int):
        action, change = await observe_change(self, version)
        if action == "skip" or not self.loaded:
            return
        ctx = await self._ctx()
        await self._fetch(ctx, lookups=change.get("type") == "lead.created")
        visible = {r.id for r in self.rows}
        if not self.all_matching:
            self.selected = [i for i in self.selected if i in visible]

    # ------------------------------------------------------------ filters, search, sort, pages

    @rx.event
    @guarded
    async def set_search(self, value: str):
        self.search = str(value)[:100]
        await self._restart()

    @rx.event
    @guarded
    async def toggle_platform(self, platform: str):
        self.platforms = _toggle(self.platforms, platform, PLATFORMS)
        await self._restart()

    @rx.event
    @guarded
    async def toggle_status(self, status: str):
        self.statuses = _toggle(self.statuses, status, STATUSES)
        await self._restart()

    @rx.event
    @guarded
    async def toggle_tag_filter(self, tag_id: str):
        self.tag_filter = _toggle(self.tag_filter, tag_id, [o.value for o in self.tag_options])
        await self._restart()

    @rx.event
    @guarded
    async def set_tags_mode(self, mode: str | list[str]):
        self.tags_mode = "all" if mode == "all" else "any"
        if self.tag_filter:
            await self._restart()

    @rx.event
    @guarded
    async def set_assignee_filter(self, value: str):
        self.assignee_filter = value if value in ("all", "unassigned") or value.isdigit() else "all"
        await self._restart()

    @rx.event
    @guarded
    async def set_score_min(self, value: str):
        self.score_min = "".join(ch for ch in str(value) if ch.isdigit())[:3]
        await self._restart()

    @rx.event
    @guarded
    async def set_score_max(self, value: str):
        self.score_max = "".join(ch for ch in str(value) if ch.isdigit())[:3]
        await self._restart()

    @rx.event
    @guarded
    async def set_score_band(self, band: str):
        """Hot / warm / cold: the band's score range in the min–max filter."""
        from snapleads_app.domain.scoring.rules import BANDS, band_range

        if band in BANDS:
            low, high = band_range(band)
            self.score_min, self.score_max = str(low), str(high)
            await self._restart()

    @rx.event
    @guarded
    async def clear_filters(self):
        self.search = ""
        self.platforms = []
        self.statuses = []
        self.tag_filter = []
        self.tags_mode = "any"
        self.assignee_filter = "all"
        self.score_min = ""
        self.score_max = ""
        await self._restart()

    @rx.event
    @guarded
    async def sort_by(self, key: str):
        if key not in SORTS:
            return
        # Names read best A→Z first; dates and scores newest/highest first.
        if self.sort.lstrip("-") == key:
            self.sort = key if self.sort.startswith("-") else f"-{key}"
        else:
            self.sort = key if key == "name" else f"-{key}"
        await self._restart()

    @rx.event
    @guarded
    async def next_page(self):
        if self._next_cursor is None:
            return
        ctx = await self._ctx()
        self._cursors = [*self._cursors[: self.page_index + 1], self._next_cursor]
        self.page_index += 1
        await self._fetch(ctx)

    @rx.event
    @guarded
    async def prev_page(self):
        if self.page_index == 0:
            return
        ctx = await self._ctx()
        self.page_index -= 1
        await self._fetch(ctx)

    # ------------------------------------------------------------ selection and bulk

    @rx.event
    def toggle_select(self, lead_id: str) -> None:
        self.all_matching = False
        self.selected = _toggle(self.selected, lead_id, None)

    @rx.event
    def toggle_select_page(self, checked: bool) -> None:
        self.all_matching = False
        ids = [r.id for r in self.rows]
        if checked:
            self.selected = list(dict.fromkeys([*self.selected, *ids]))
        else:
            self.selected = [i for i in self.selected if i not in ids]

    @rx.event
    def select_all_matching(self) -> None:
        self.all_matching = True
        self.selected = [r.id for r in self.rows]

    @rx.event
    def clear_selection(self) -> None:
        self.all_matching = False
        self.selected = []

    @rx.event
    def open_bulk(self, action: str) -> None:
        if action in ("tag", "untag", "assign", "status", "delete"):
            self.bulk_action = action
            self.bulk_value = ""

    @rx.event
    def close_bulk(self, open_: bool = False) -> None:
        if not open_:
            self.bulk_action = ""

    @rx.event
    def set_bulk_value(self, value: str) -> None:
        self.bulk_value = str(value)

    async def _target_ids(self, ctx: Ctx) -> list[int] | None:
        """Explicit ids for the bulk action; for "all matching" up to 1,000 (None: use the filter)."""
        if not self.all_matching:
            return [int(i) for i in self.selected]
        if self.total > 1000:
            return None
        page = await run_service(leads.list_leads, ctx=ctx, filters=self._filters(), limit=100)
        ids = [lead.id for lead in page.data]
        cursor = page.next_cursor
        while cursor and len(ids) < 1000:
            page = await run_service(
                leads.list_leads, ctx=ctx, filters=self._filters(), limit=100, cursor=cursor
            )
            ids.extend(lead.id for lead in page.data)
            cursor = page.next_cursor
        return ids

    @rx.event
    @guarded
    async def apply_bulk(self):
        action, value = self.bulk_action, self.bulk_value
        if not action:
            return None
        if action != "delete" and not value:
            return rx.toast.warning(self._t("leads.bulk_choose"))
        ctx = await self._ctx()
        ids = await self._target_ids(ctx)
        payload: dict[str, Any] = {"action": action}
        if ids is None:
            payload["filters"] = self._filters()
        else:
            payload["lead_ids"] = ids
        if action in ("tag", "untag"):
            payload["tag_ids"] = [int(value)]
        elif action == "assign":
            payload["assignee_id"] = int(value) if value.isdigit() else None
        elif action == "status":
            payload["status"] = value
        result = await run_service(leads.bulk, ctx=ctx, data=leads.BulkIn.model_validate(payload))
        self._own_changes = remember_own(self._own_changes, ids or [])
        self.bulk_action = ""
        self.selected = []
        self.all_matching = False
        await self._fetch(ctx, lookups=action in ("tag", "untag"))
        message = self._t(f"leads.bulk_done_{action}", count=result.affected)
        if action == "delete" and ids:
            return undo_toast(message, self._t("leads.undo"), ids)
        return rx.toast.success(message)

    # ------------------------------------------------------------ delete / undo

    @rx.event
    @guarded
    async def delete_lead(self, lead_id: str):
        ctx = await self._ctx()
        await run_service(leads.delete_lead, ctx=ctx, lead_id=int(lead_id))
        self._own_changes = remember_own(self._own_changes, [lead_id])
        self.selected = [i for i in self.selected if i != lead_id]
        await self._fetch(ctx)
        return undo_toast(self._t("leads.deleted_one"), self._t("leads.undo"), [int(lead_id)])

    @rx.event
    @guarded
    async def undo_delete(self, lead_ids: list[int]):
        ctx = await self._ctx()
        restored, failed = 0, 0
        for lead_id in lead_ids[:1000]:
            try:
                await run_service(leads.restore_lead, ctx=ctx, lead_id=int(lead_id))
                restored += 1
            except (Conflict, InvalidInput):
                failed += 1
        self._own_changes = remember_own(self._own_changes, lead_ids)
        if self.loaded:
            await self._fetch(ctx)
        if failed:
            return rx.toast.warning(self._t("leads.restored_partial", count=restored, failed=failed))
        return rx.toast.success(self._t("leads.restored", count=restored))

    # ------------------------------------------------------------ export

    @rx.event
    @guarded
    async def export(self):
        ctx = await self._ctx()
        filters = self._filters()
        count = await run_service(leads.count_leads, ctx=ctx, filters=filters)
        if count > EXPORT_LIMIT:  # a file written by a worker; the page follows it and links the download
            job = await run_service(
                exports.start_export, ctx=ctx, filters=filters, sort=self.sort, total=count
            )
            self._show_export(job)
            return [
                rx.toast.info(self._t("leads.export_started", count=f"{count:,}"), duration=8000),
                LeadsState.follow_export,
            ]
        text = await run_service(_export_text, ctx=ctx, filters=filters, sort=self.sort)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M")
        return [
            rx.download(data=text, filename=f"leads-{stamp}.csv", mime_type="text/csv;charset=utf-8"),
            rx.toast.success(self._t("leads.exported", count=count)),
        ]

    def _show_export(self, job: ExportJobPublic) -> None:
        self.export_job_id = job.id
        self.export_status = job.status
        self.export_progress = job.progress
        self.export_url = api_url(job.download_url) if job.download_url else ""

    @rx.event(background=True)
    async def follow_export(self):
        """Poll the background export every 2 s until it is done (the worker publishes no UI events)."""
        while True:
            await asyncio.sleep(EXPORT_POLL_SECONDS)
            async with self:
                job_id = self.export_job_id
                ctx = await self._ctx()
            if not job_id:
                return
            try:
                job = await run_service(exports.get_export, ctx=ctx, job_id=job_id)
            except NotFound:
                return
            async with self:
                if self.export_job_id != job_id:
                    return  # another export took its place
                self._show_export(job)
            if job.status in ("completed", "failed"):
                return

    @rx.event
    def dismiss_export(self) -> None:
        self.export_job_id, self.export_status, self.export_progress, self.export_url = 0, "", 0.0, ""

    # ------------------------------------------------------------ columns

    @rx.event
    def toggle_column(self, column: str) -> None:
        if column not in COLUMNS:
            return
        shown = _toggle(self.shown_columns, column, COLUMNS)
        self.columns = ",".join(shown) or "platform"

    # ------------------------------------------------------------ new lead

    @rx.event
    def set_new_open(self, open_: bool) -> None:
        self.new_open = bool(open_)
        self.new_errors = {}

    @rx.event
    def set_new_platform(self, platform: str) -> None:
        if platform in PLATFORMS:
            self.new_platform = platform

    @rx.event
    @guarded
    async def create_lead(self, form_data: dict[str, Any]):
        ctx = await self._ctx()
        raw = {k: str(form_data.get(k) or "").strip() for k in NEW_LEAD_FIELDS}
        profile = raw.pop("profile_url")
        data: dict[str, Any] = {k: v for k, v in raw.items() if v}
        if profile:
            # A bare name ("ana.souza", "@ana") is a username; anything with a dot-slash shape is a URL.
            is_url = "/" in profile or profile.startswith(("http", "www."))
            data["profile_url" if is_url else "username"] = profile.lstrip("@") if not is_url else profile
        try:
            lead = await run_service(
                leads.create_lead,
                ctx=ctx,
                data=LeadCreate.model_validate({"platform": self.new_platform, **data}),
            )
        except (InvalidInput, Conflict, ValidationError) as exc:
            errors = field_errors(exc, self.lang)
            if "username" in errors:
                errors["profile_url"] = errors.pop("username")
            self.new_errors = errors or {"form": error_message(exc, self.lang)}
            return None
        self.new_errors = {}
        self.new_open = False
        self._own_changes = remember_own(self._own_changes, [lead.id])
        await self._fetch(ctx)
        return rx.toast.success(self._t("leads.created", name=display_name(lead)))


def _toggle(values: list[str], value: str, allowed: Any) -> list[str]:
    if allowed is not None and value not in allowed:
        return list(values)
    return [v for v in values if v != value] if value in values else [*values, value]


def _export_text(*, session: Any, ctx: Ctx, filters: LeadFilter, sort: str) -> str:
    """Joins the service's CSV chunks inside one unit of work (the size is capped by the caller)."""
    return "".join(leads.export_csv(session=session, ctx=ctx, filters=filters, sort=sort))


def undo_toast(message: str, label: str, ids: list[int]) -> rx.event.EventSpec:
    """A 30 s toast whose action restores the soft-deleted leads (any page may return it)."""
    return rx.toast.info(
        message,
        duration=UNDO_SECONDS * 1000,
        action={"label": label, "on_click": LeadsState.undo_delete(ids)},
        close_button=True,
    )

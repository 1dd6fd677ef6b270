"""The unified inbox page: conversation list (filters, search, unread), thread (history pages, delivery
status, day separators), composer with templates, assignment/archive, lead side panel, live updates.

The state only translates: UI values → inbox/templates/leads services, results → rows. Every live
change is re-read from the database (`live_changed`), so what a tab shows is always the DB's truth.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from typing import Any

import reflex as rx
from sqlmodel import Session

from snapleads_app.core import clock
from snapleads_app.core.context import Ctx
from snapleads_app.core.errors import NotFound
from snapleads_app.domain.accounts import rules as account_rules
from snapleads_app.domain.accounts import service as accounts
from snapleads_app.domain.inbox import rules as inbox_rules
from snapleads_app.domain.inbox import service as inbox
from snapleads_app.domain.inbox.models import (
    AssignIn,
    ConversationFilter,
    ConversationPage,
    ConversationPublic,
    MessagePublic,
    SendIn,
)
from snapleads_app.domain.leads import service as leads
from snapleads_app.domain.tags import service as tags
from snapleads_app.domain.templates import service as templates
from snapleads_app.domain.templates.models import PreviewIn
from snapleads_app.state.base import guarded, run_service
from snapleads_app.state.leads import STATUSES, Option, TagChip, initials, tag_chips
from snapleads_app.state.realtime_inbox import InboxLiveState, current_version, last_change
from snapleads_app.state.session import SessionState
from snapleads_app.state.viewing import ViewingState

LIST_PAGE = 30
THREAD_PAGE = 30
FINAL_STATUSES = ("read", "failed")
PLATFORMS = ("instagram", "facebook", "linkedin", "twitter", "tiktok", "whatsapp", "other")

# j/k move, r replies, e archives — ignored while typing in a field. Installed once per tab; the thread
# asks for older messages when scrolled to its top (infinite scroll up).
SHORTCUTS_JS = """
(() => {
  if (window.__slInbox) return; window.__slInbox = true;
  const click = (id) => { const el = document.getElementById(id); if (el && !el.disabled) el.click(); };
  document.addEventListener('keydown', (ev) => {
    if (!document.getElementById('inbox-page')) return;
    const t = ev.target;
    if (t && t.id === 'composer' && ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) {
      ev.preventDefault(); click('send-message'); return;
    } const tag = (t && t.tagName || '').toLowerCase();
    if (ev.ctrlKey || ev.metaKey || ev.altKey || tag === 'input' || tag === 'textarea' || tag === 'select'
        || (t && t.isContentEditable) || (t && t.getAttribute && t.getAttribute('role') === 'combobox')) return;
    if (ev.key === 'j') { ev.preventDefault(); click('inbox-next'); }
    else if (ev.key === 'k') { ev.preventDefault(); click('inbox-prev'); }
    else if (ev.key === 'r') { const c = document.getElementById('composer'); if (c) { ev.preventDefault(); c.focus(); } }
    else if (ev.key === 'e') { ev.preventDefault(); click('inbox-archive'); }
  });
  document.addEventListener('scroll', (ev) => {
    const el = ev.target;
    if (el && el.id === 'thread' && el.scrollTop < 40) click('load-older');
  }, true);
})();
"""
SCROLL_BOTTOM_JS = (
    "(() => { const t = document.getElementById('thread'); if (t) t.scrollTop = t.scrollHeight; })()"
)


@dataclasses.dataclass
class ConversationRow:
    id: str = ""
    lead_id: str = ""
    name: str = ""
    initials: str = ""
    platform: str = ""
    avatar_url: str = ""
    channel: str = ""
    status: str = ""
    unread: int = 0
    preview: str = ""
    outbound: bool = False
    assignee_id: str = ""
    assignee: str = ""
    when: str = ""


@dataclasses.dataclass
class MessageRow:
    id: str = ""
    body: str = ""
    outbound: bool = False
    status: str = ""
    error: str = ""
    sender: str = ""
    time: str = ""
    day: str = ""  # set on the first message of each day: the separator's label
    is_template: bool = False


def _local(value: dt.datetime, offset_minutes: int) -> dt.datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC) - dt.timedelta(minutes=offset_minutes)


def _when(value: dt.datetime, offset_minutes: int, today: dt.date) -> str:
    local = _local(value, offset_minutes)
    return local.strftime("%H:%M") if local.date() == today else local.strftime("%d/%m")


def with_days(rows: list[MessageRow], days: list[str]) -> list[MessageRow]:
    """Rows with `day` set on the first message of each day (`days[i]` is row i's date label)."""
    out: list[MessageRow] = []
    previous = ""
    for row, day in zip(rows, days, strict=True):
        out.append(dataclasses.replace(row, day=day if day != previous else ""))
        previous = day
    return out


@dataclasses.dataclass
class LiveSnapshot:
    page: ConversationPage | None
    conversation: ConversationPublic | None
    fresh: list[MessagePublic]
    after: list[MessagePublic]


def live_snapshot(
    *,
    session: Session,
    ctx: Ctx,
    filters: ConversationFilter | None,
    limit: int,
    conversation_id: int | None,
    after_id: int,
    in_flight: list[int],
) -> LiveSnapshot:
    """What a live change can touch, read in one transaction: the list page, the open conversation
    (None when it is no longer visible), fresh statuses of messages in flight and messages after the last
    one shown."""
    page = (
        inbox.list_conversations(session=session, ctx=ctx, filters=filters, limit=limit) if filters else None
    )
    if conversation_id is None:
        return LiveSnapshot(page, None, [], [])
    try:
        conv = inbox.get_conversation(session=session, ctx=ctx, conversation_id=conversation_id)
    except NotFound:
        return LiveSnapshot(page, None, [], [])
    fresh = inbox.get_messages_by_id(session=session, ctx=ctx, conversation_id=conversation_id, ids=in_flight)
    after = inbox.list_messages(
        session=session, ctx=ctx, conversation_id=conversation_id, after_id=after_id, limit=100
    ).data
    return LiveSnapshot(page, conv, fresh, after)


class InboxState(SessionState):
    # list
    conversations: rx.Field[list[ConversationRow]] = rx.field(default_factory=list)
    has_more_conversations: rx.Field[bool] = rx.field(False)
    status_filter: rx.Field[str] = rx.field("open")
    unread_only: rx.Field[bool] = rx.field(False)
    platform_filter: rx.Field[str] = rx.field("all")
    assignee_filter: rx.Field[str] = rx.field("all")  # all | me | none | <user id>
    search: rx.Field[str] = rx.field("")
    loaded: rx.Field[bool] = rx.field(False)
    # thread
    selected_id: rx.Field[str] = rx.field("")
    # The open conversation (kept when a filter hides it from the list, e.g. just archived).
    selected: rx.Field[ConversationRow] = rx.field(default_factory=ConversationRow)
    messages: rx.Field[list[MessageRow]] = rx.field(default_factory=list)
    more_before: rx.Field[bool] = rx.field(False)
    # The newest message id in `messages`: newer ones in InboxShared.recent are shown from there.
    last_message_id: rx.Field[int] = rx.field(0)
    # When this tab last read everything from the database (epoch ms): older shared entries are ignored.
    live_since_ms: rx.Field[int] = rx.field(0)
    loading_older: rx.Field[bool] = rx.field(False)
    # composer
    composer: rx.Field[str] = rx.field("")
    template_id: rx.Field[str] = rx.field("")
    template_preview: rx.Field[str] = rx.field("")
    missing: rx.Field[list[str]] = rx.field(default_factory=list)
    templates: rx.Field[list[Option]] = rx.field(default_factory=list)
    sending: rx.Field[bool] = rx.field(False)
    # lead panel
    lead_id: rx.Field[str] = rx.field("")
    lead_fields: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    lead_tags: rx.Field[list[TagChip]] = rx.field(default_factory=list)
    lead_score: rx.Field[int] = rx.field(0)
    lead_status: rx.Field[str] = rx.field("")
    # who may do what
    members: rx.Field[list[Option]] = rx.field(default_factory=list)
    can_send: rx.Field[bool] = rx.field(False)
    can_assign: rx.Field[bool] = rx.field(False)
    can_edit_lead: rx.Field[bool] = rx.field(False)
    tz_offset: rx.Field[int] = rx.field(0)  # the browser's Date.getTimezoneOffset()

    _live_seen: int = 0
    _member_names: dict[int, str] = {}  # noqa: RUF012 - a backend var, copied per state by Reflex
    _message_days: list[str] = []  # noqa: RUF012
    _final_ids: list[str] = []  # noqa: RUF012

    # ------------------------------------------------------------ computed

    @rx.var
    def selected_index(self) -> int:
        return next((i for i, c in enumerate(self.conversations) if c.id == self.selected_id), -1)

    # ------------------------------------------------------------ loading

    def _filters(self) -> ConversationFilter:
        assignee_id: int | None = None
        if self.assignee_filter == "me":
            assignee_id = self.user_id or None
        elif self.assignee_filter.isdigit():
            assignee_id = int(self.assignee_filter)
        return ConversationFilter(
            status=None if self.status_filter == "all" else self.status_filter,  # type: ignore[arg-type]
            unread=self.unread_only,
            platform=[self.platform_filter] if self.platform_filter in PLATFORMS else None,  # type: ignore[list-item]
            assignee_id=assignee_id,
            unassigned=self.assignee_filter == "none",
            search=self.search or None,
        )

    def _row(self, conv: ConversationPublic) -> ConversationRow:
        today = _local(dt.datetime.now(dt.UTC), self.tz_offset).date()
        return ConversationRow(
            id=str(conv.id),
            lead_id=str(conv.lead_id),
            name=conv.lead.name,
            initials=initials(conv.lead.name),
            platform=conv.lead.platform,
            avatar_url=conv.lead.avatar_url or "",
            channel=conv.channel,
            status=conv.status,
            unread=conv.unread_count,
            preview=conv.last_message_preview,
            outbound=conv.last_message_direction == "outbound",
            assignee_id=str(conv.assignee_id or ""),
            assignee=self._member_names.get(conv.assignee_id or 0, ""),
            when=_when(conv.last_message_at, self.tz_offset, today),
        )

    def _message_row(self, msg: MessagePublic) -> tuple[MessageRow, str]:
        local = _local(msg.created_at, self.tz_offset)
        sender = self._member_names.get(msg.sender_user_id or 0, "") if msg.direction == "outbound" else ""
        row = MessageRow(
            id=str(msg.id),
            body=msg.body,
            outbound=msg.direction == "outbound",
            status=msg.status,
            error=msg.error or "",
            sender=sender,
            time=local.strftime("%H:%M"),
            is_template=msg.template_id is not None,
        )
        return row, local.strftime("%d/%m/%Y")

    def _set_messages(self, pairs: list[tuple[MessageRow, str]]) -> None:
        self._message_days = [day for _, day in pairs]
        self.messages = with_days([row for row, _ in pairs], self._message_days)
        self.last_message_id = max((int(row.id) for row, _ in pairs), default=0)

    async def _load_list(self, ctx: Ctx, *, keep: int = 0) -> None:
        limit = min(100, max(LIST_PAGE, keep))
        page = await run_service(inbox.list_conversations, ctx=ctx, filters=self._filters(), limit=limit)
        self.conversations = [self._row(c) for c in page.data]
        self.has_more_conversations = page.next_cursor is not None

    async def _load_lookups(self, ctx: Ctx) -> None:
        members = await run_service(accounts.list_members, ctx=ctx)
        self._member_names = {m.user_id: m.full_name for m in members}
        self.members = [Option(value=str(m.user_id), label=m.full_name) for m in members]
        found = await run_service(templates.list_templates, ctx=ctx)
        self.templates = [Option(value=str(t.id), label=t.name) for t in found]
        self.can_assign = account_rules.can(ctx.role, "leads.assign")

    @rx.event
    @guarded
    async def load(self):
        ctx = await self._ctx()
        self.live_since_ms = int(clock.now().timestamp() * 1000)
        # Every push numbered up to here is in what this load reads; later ones make live_changed catch up.
        self._live_seen = await asyncio.to_thread(current_version, ctx.workspace_id)
        await self._load_lookups(ctx)
        await self._load_list(ctx, keep=len(self.conversations))
        wanted = self.router.url.query_parameters.get("c", "") or self.selected_id
        self.loaded = True
        events: list[Any] = [InboxLiveState.link, rx.call_script(SHORTCUTS_JS)]
        events.append(rx.call_script("new Date().getTimezoneOffset()", callback=InboxState.set_tz_offset))
        if wanted:
            await self._open(ctx, str(wanted), mark_read=False)  # a reconnect resyncs the open thread
            events.append(rx.call_script(SCROLL_BOTTOM_JS))
            # A reconnect (possibly to another process) renews this tab's "viewing" entry; the page's
            # watcher only fires when the open conversation changes.
            events.append(ViewingState.view(self.selected_id))
        return events

    @rx.event
    def set_tz_offset(self, offset: Any):
        try:
            value = int(offset)
        except (TypeError, ValueError):
            return None
        if value != self.tz_offset and -900 < value < 900:
            self.tz_offset = value
            return InboxState.refresh
        return None

    @rx.event
    @guarded
    async def refresh(self):
        ctx = await self._ctx()
        await self._load_list(ctx, keep=len(self.conversations))
        if self.selected_id:
            await self._open(ctx, self.selected_id, mark_read=False)

    # ------------------------------------------------------------ filters

    async def _refilter(self) -> None:
        ctx = await self._ctx()
        await self._load_list(ctx)

    @rx.event
    @guarded
    async def set_status_filter(self, value: str):
        self.status_filter = value if value in ("open", "archived", "all") else "open"
        await self._refilter()

    @rx.event
    @guarded
    async def toggle_unread(self, value: bool):
        self.unread_only = bool(value)
        await self._refilter()

    @rx.event
    @guarded
    async def set_platform_filter(self, value: str):
        self.platform_filter = value
        await self._refilter()

    @rx.event
    @guarded
    async def set_assignee_filter(self, value: str):
        self.assignee_filter = value
        await self._refilter()

    @rx.event
    @guarded
    async def set_search(self, value: str):
        self.search = value.strip()[:100]
        await self._refilter()

    @rx.event
    @guarded
    async def more_conversations(self):
        ctx = await self._ctx()
        await self._load_list(ctx, keep=len(self.conversations) + LIST_PAGE)

    # ------------------------------------------------------------ thread

    async def _open(self, ctx: Ctx, conversation_id: str, *, mark_read: bool) -> None:
        if not conversation_id.isdigit():
            return
        conv = await run_service(inbox.get_conversation, ctx=ctx, conversation_id=int(conversation_id))
        shown = max(THREAD_PAGE, len(self.messages)) if conversation_id == self.selected_id else THREAD_PAGE
        page = await run_service(inbox.list_messages, ctx=ctx, conversation_id=conv.id, limit=min(100, shown))
        if conversation_id != self.selected_id:
            self.composer, self.template_id, self.template_preview, self.missing = "", "", "", []
        self.selected_id = conversation_id
        self.selected = self._row(conv)
        self._set_messages([self._message_row(m) for m in page.data])
        self.more_before = page.next_cursor is not None
        self.can_send = inbox_rules.may_send(ctx.role, ctx.user_id, conv.assignee_id)
        await self._load_lead(ctx, conv.lead_id)
        if mark_read and conv.unread_count and self.can_send:
            read = await run_service(inbox.mark_read, ctx=ctx, conversation_id=conv.id)
            self._replace_row(read)
        elif all(c.id != conversation_id for c in self.conversations):
            self.conversations = [self._row(conv), *self.conversations]

    def _replace_row(self, conv: ConversationPublic) -> None:
        row = self._row(conv)
        if row.id == self.selected_id:
            self.selected = row
        self.conversations = [row if c.id == row.id else c for c in self.conversations]

    async def _load_lead(self, ctx: Ctx, lead_id: int) -> None:
        lead = await run_service(leads.get_lead, ctx=ctx, lead_id=lead_id)
        all_tags = await run_service(tags.list_tags, ctx=ctx)
        self.lead_id = str(lead.id)
        fields = [
            ("platform", lead.platform),
            ("username", f"@{lead.username}" if lead.username else ""),
            ("email", lead.email or ""),
            ("phone", lead.phone or ""),
            ("company", lead.company or ""),
            ("headline", lead.headline or ""),
            ("location", lead.location or ""),
        ]
        self.lead_fields = [{"key": k, "value": str(v)} for k, v in fields if v]
        self.lead_tags = tag_chips(lead.tag_ids, {t.id: t for t in all_tags})
        self.lead_score = lead.score
        self.lead_status = lead.status
        self.can_edit_lead = account_rules.can(ctx.role, "leads.edit_all") or (
            account_rules.can(ctx.role, "leads.edit_assigned") and lead.assignee_id == ctx.user_id
        )

    @rx.event
    @guarded
    async def select(self, conversation_id: str):
        ctx = await self._ctx()
        await self._open(ctx, str(conversation_id), mark_read=True)
        return rx.call_script(SCROLL_BOTTOM_JS)

    @rx.event
    @guarded
    async def move(self, step: int):
        """j/k: the next/previous conversation of the list."""
        if not self.conversations:
            return None
        index = self.selected_index
        target = 0 if index < 0 else min(max(index + int(step), 0), len(self.conversations) - 1)
        if self.conversations[target].id == self.selected_id:
            return None
        ctx = await self._ctx()
        await self._open(ctx, self.conversations[target].id, mark_read=True)
        return rx.call_script(SCROLL_BOTTOM_JS)

    @rx.event
    @guarded
    async def load_older(self):
        if not self.more_before or not self.messages or self.loading_older:
            return
        self.loading_older = True
        try:
            ctx = await self._ctx()
            page = await run_service(
                inbox.list_messages,
                ctx=ctx,
                conversation_id=int(self.selected_id),
                limit=THREAD_PAGE,
                before_id=int(self.messages[0].id),
            )
            older = [self._message_row(m) for m in page.data]
            current = list(zip(self.messages, self._message_days, strict=True))
            self._set_messages(older + current)
            self.more_before = page.next_cursor is not None
        finally:
            self.loading_older = False

    # ------------------------------------------------------------ live

    def _merge(self, fresh: list[MessagePublic], after: list[MessagePublic]) -> bool:
        """Apply fresh statuses and append messages not shown yet (merged by id). True when one was added."""
        by_id = {str(m.id): self._message_row(m)[0] for m in fresh}
        current = [
            (dataclasses.replace(by_id[row.id], day=row.day) if row.id in by_id else row, day)
            for row, day in zip(self.messages, self._message_days, strict=True)
        ]
        known = {row.id for row, _ in current}
        added = [self._message_row(m) for m in after if str(m.id) not in known]
        self._set_messages(current + added)
        return bool(added)

    async def _snapshot(self, ctx: Ctx, *, with_list: bool) -> LiveSnapshot:
        in_flight = [int(m.id) for m in self.messages if m.outbound and m.status not in FINAL_STATUSES]
        return await run_service(
            live_snapshot,
            ctx=ctx,
            filters=self._filters() if with_list else None,
            limit=min(100, max(LIST_PAGE, len(self.conversations))),
            conversation_id=int(self.selected_id) if self.selected_id else None,
            after_id=max((int(m.id) for m in self.messages), default=0),
            in_flight=in_flight,
        )

    async def _catch_up(self, ctx: Ctx) -> bool:
        snap = await self._snapshot(ctx, with_list=False)
        return self._merge(snap.fresh, snap.after)

    @rx.event
    @guarded
    async def live_changed(self, version: int):
        version = int(version or 0)
        if version <= self._live_seen:
            return None
        self._live_seen = version
        ctx = await self._ctx()
        change = last_change(ctx)
        # One unit of work for everything a change can touch: the list, the open thread, statuses.
        snap = await self._snapshot(ctx, with_list=True)
        if snap.page is not None:
            self.conversations = [self._row(c) for c in snap.page.data]
            self.has_more_conversations = snap.page.next_cursor is not None
        if not self.selected_id:
            return None
        if snap.conversation is None:  # reassigned away from this agent, or deleted: close the thread
            self.selected_id, self.messages, self._message_days = "", [], []
            self.selected = ConversationRow()
            return None
        conv = snap.conversation
        self.selected = self._row(conv)
        self.can_send = inbox_rules.may_send(ctx.role, ctx.user_id, conv.assignee_id)
        added = self._merge(snap.fresh, snap.after)
        if added and conv.unread_count and self.can_send and change.get("actor") != str(ctx.user_id):
            # The open conversation is being read right now.
            self._replace_row(await run_service(inbox.mark_read, ctx=ctx, conversation_id=conv.id))
        return rx.call_script(SCROLL_BOTTOM_JS) if added else None

    # ------------------------------------------------------------ composer

    @rx.event
    def set_composer(self, value: str):
        self.composer = value[:5000]

    @rx.event
    @guarded
    async def choose_template(self, template_id: str):
        self.template_id = template_id if template_id.isdigit() else ""
        self.template_preview, self.missing = "", []
        if not self.template_id or not self.lead_id:
            return
        ctx = await self._ctx()
        shown = await run_service(
            templates.preview,
            ctx=ctx,
            data=PreviewIn(lead_id=int(self.lead_id), template_id=int(self.template_id)),
        )
        self.template_preview = shown.text
        self.missing = shown.missing

    @rx.event
    def use_template(self):
        if self.template_preview:
            self.composer = self.template_preview
        return rx.set_focus("composer")

    @rx.event
    def clear_template(self):
        self.template_id, self.template_preview, self.missing = "", "", []

    @rx.event
    @guarded
    async def send(self):
        body = self.composer.strip()
        if not body or not self.selected_id or self.sending:
            return None
        self.sending = True
        try:
            ctx = await self._ctx()
            data = SendIn(body=body, template_id=int(self.template_id) if self.template_id else None)
            msg = await run_service(
                inbox.send_message, ctx=ctx, conversation_id=int(self.selected_id), data=data
            )
        finally:
            self.sending = False
        self.composer, self.template_id, self.template_preview, self.missing = "", "", "", []
        if all(m.id != str(msg.id) for m in self.messages):
            self._set_messages([*zip(self.messages, self._message_days, strict=True), self._message_row(msg)])
        conv = await run_service(inbox.get_conversation, ctx=ctx, conversation_id=msg.conversation_id)
        self._replace_row(conv)
        return rx.call_script(SCROLL_BOTTOM_JS)

    @rx.event
    @guarded
    async def retry(self, message_id: str):
        ctx = await self._ctx()
        await run_service(inbox.retry_message, ctx=ctx, message_id=int(message_id))
        await self._catch_up(ctx)

    # ------------------------------------------------------------ conversation actions

    async def _conversation_change(self, fn: Any, **kwargs: Any) -> None:
        ctx = await self._ctx()
        conv = await run_service(fn, ctx=ctx, conversation_id=int(self.selected_id), **kwargs)
        self._replace_row(conv)
        self.can_send = inbox_rules.may_send(ctx.role, ctx.user_id, conv.assignee_id)

    @rx.event
    @guarded
    async def archive(self):
        if not self.selected_id:
            return
        archiving = self.selected.status != "archived"
        await self._conversation_change(inbox.archive if archiving else inbox.reopen)
        ctx = await self._ctx()
        await self._load_list(ctx, keep=len(self.conversations))

    @rx.event
    @guarded
    async def mark_unread(self):
        if self.selected_id:
            await self._conversation_change(inbox.mark_unread)

    @rx.event
    @guarded
    async def assign(self, value: str):
        if not self.selected_id:
            return
        data = (
            AssignIn(round_robin=True)
            if value == "round_robin"
            else AssignIn(assignee_id=int(value) if value.isdigit() else None)
        )
        await self._conversation_change(inbox.assign, data=data)

    @rx.event
    @guarded
    async def set_lead_status(self, status: str):
        if not self.lead_id or status not in STATUSES or status == self.lead_status:
            return
        ctx = await self._ctx()
        lead = await run_service(leads.set_status, ctx=ctx, lead_id=int(self.lead_id), status=status)
        self.lead_status = lead.status

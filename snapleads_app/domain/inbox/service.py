"""Inbox use cases: conversations, messages, sending through a channel, inbound capture, realtime events.

Every entry point (UI, REST, extension, workers, automations) calls these functions. Authorisation
comes from `ctx`: agents see and send only in conversations assigned to them, viewers only read.
Each change publishes after commit: "message.created" (every new message), "message.received"
(inbound), "message.status_changed", "conversation.updated" (assignment, archive, read state).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from snapleads_app.core import clock, ratelimit
from snapleads_app.core.context import Ctx
from snapleads_app.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied, RateLimited
from snapleads_app.core.events import DomainEvent, publish_after_commit
from snapleads_app.core.tasks import enqueue_after_commit
from snapleads_app.domain.accounts import rules as account_rules
from snapleads_app.domain.accounts.models import Membership
from snapleads_app.domain.automations import service as automations
from snapleads_app.domain.inbox import repo, rules
from snapleads_app.domain.inbox.models import (
    AssignIn,
    Conversation,
    ConversationDetail,
    ConversationFilter,
    ConversationPage,
    ConversationPublic,
    InboundIn,
    InboundResult,
    LeadBrief,
    Message,
    MessagePage,
    MessagePublic,
    SendIn,
    StatusIn,
)
from snapleads_app.domain.leads import service as leads
from snapleads_app.domain.leads.models import Lead, LeadCreate, LeadPublic
from snapleads_app.domain.templates import service as templates
from snapleads_app.domain.timeline import service as timeline

DELIVER_JOB = "inbox.deliver"
SEND_LIMIT_PER_MINUTE = 60
REPLY_WINDOW = timedelta(days=7)
MAX_PAGE = 100


# ---------------------------------------------------------------- helpers


def _id(value: int | None) -> int:
    if value is None:
        raise RuntimeError("row has no id yet")
    return value


def lead_name(lead: Lead | LeadPublic) -> str:
    return lead.full_name or (f"@{lead.username}" if lead.username else "") or lead.email or f"#{lead.id}"


def _conv_public(conv: Conversation, lead: Lead) -> ConversationPublic:
    return ConversationPublic(
        id=_id(conv.id),
        lead_id=conv.lead_id,
        lead=LeadBrief(
            id=_id(lead.id),
            name=lead_name(lead),
            platform=lead.platform,
            username=lead.username,
            avatar_url=lead.avatar_url,
        ),
        channel=conv.channel,
        status=conv.status,
        unread_count=conv.unread_count,
        assignee_id=conv.assignee_id,
        last_message_at=conv.last_message_at,
        last_message_preview=conv.last_message_preview,
        last_message_direction=conv.last_message_direction,
        created_at=conv.created_at,
    )


def _msg_public(msg: Message) -> MessagePublic:
    return MessagePublic.model_validate(msg, from_attributes=True)


def _event(session: Session, ctx: Ctx, type_: str, conv: Conversation, **data: Any) -> None:
    payload = {
        "conversation_id": conv.id,
        "lead_id": conv.lead_id,
        "channel": conv.channel,
        "assignee_id": conv.assignee_id,
        "status": conv.status,
        "unread_count": conv.unread_count,
        "actor_user_id": ctx.user_id,
        "via": ctx.via,
        **data,
    }
    publish_after_commit(session, DomainEvent(type=type_, workspace_id=ctx.workspace_id, data=payload))


def _load(session: Session, ctx: Ctx, conversation_id: int, *, for_update: bool = False) -> Conversation:
    """A conversation the actor may see — another workspace's or an unassigned one (agents) is 404."""
    stmt = select(Conversation).where(col(Conversation.id) == conversation_id, *repo.visibility(ctx))
    if for_update:
        stmt = stmt.with_for_update()
    conv = session.exec(stmt).first()
    if conv is None:
        raise NotFound("Conversation not found", code="conversation_not_found")
    return conv


def _lead_row(session: Session, conv: Conversation) -> Lead:
    lead = session.get(Lead, conv.lead_id)
    if lead is None:
        raise NotFound("Conversation not found", code="conversation_not_found")
    return lead


def _require_send(ctx: Ctx, conv: Conversation) -> None:
    if not rules.may_send(ctx.role, ctx.user_id, conv.assignee_id):
        raise PermissionDenied("Your role cannot send in this conversation", code="forbidden_for_role")


def _check_rate(ctx: Ctx) -> None:
    if ctx.user_id is None:
        return
    window = ratelimit.hit(f"send:user:{ctx.user_id}", limit=SEND_LIMIT_PER_MINUTE, window_seconds=60)
    if not window.allowed:
        raise RateLimited("Too many messages; wait a moment", retry_after=window.reset_after)


def _touch(conv: Conversation, msg: Message) -> None:
    conv.last_message_at = msg.created_at
    conv.last_message_preview = rules.preview(msg.body)
    conv.last_message_direction = msg.direction
    conv.updated_at = clock.now()


def _touch_lead(session: Session, lead_id: int, at: datetime) -> None:
    session.execute(update(Lead).where(col(Lead.id) == lead_id).values(last_interaction_at=at))


def _check_member(session: Session, workspace_id: int, user_id: int) -> None:
    found = session.exec(
        select(Membership.id).where(Membership.workspace_id == workspace_id, Membership.user_id == user_id)
    ).first()
    if found is None:
        raise NotFound("Assignee is not a member of this workspace", code="assignee_not_found")


def open_conversation(
    *, session: Session, ctx: Ctx, lead: LeadPublic | Lead, channel: str
) -> tuple[Conversation, bool]:
    """The lead's conversation on `channel`, created if missing (one per lead and channel, even when
    two requests race). Returns (conversation locked for update, created)."""
    stmt = select(Conversation).where(
        col(Conversation.workspace_id) == ctx.workspace_id,
        col(Conversation.lead_id) == lead.id,
        col(Conversation.channel) == channel,
    )
    conv = session.exec(stmt.with_for_update()).first()
    if conv is not None:
        return conv, False
    now = clock.now()
    conv = Conversation(
        workspace_id=ctx.workspace_id,
        lead_id=_id(lead.id),
        channel=channel,
        assignee_id=lead.assignee_id,
        last_message_at=now,
        created_at=now,
        updated_at=now,
    )
    try:
        with session.begin_nested():
            session.add(conv)
            session.flush()
    except IntegrityError:
        existing = session.exec(stmt.with_for_update()).first()
        if existing is None:
            raise
        return existing, False
    return conv, True


# ---------------------------------------------------------------- reading


def list_conversations(
    *,
    session: Session,
    ctx: Ctx,
    filters: ConversationFilter | None = None,
    limit: int = 30,
    cursor: str | None = None,
) -> ConversationPage:
    limit = min(max(limit, 1), MAX_PAGE)
    conditions = repo.filter_conditions(ctx, filters or ConversationFilter())
    rows, next_cursor = repo.conversation_page(session, conditions, limit=limit, cursor=cursor)
    return ConversationPage(
        data=[_conv_public(c, lead) for c, lead in rows], limit=limit, next_cursor=next_cursor
    )


def get_conversation(*, session: Session, ctx: Ctx, conversation_id: int) -> ConversationPublic:
    conv = _load(session, ctx, conversation_id)
    return _conv_public(conv, _lead_row(session, conv))


def list_messages(
    *,
    session: Session,
    ctx: Ctx,
    conversation_id: int,
    limit: int = 30,
    before_id: int | None = None,
    after_id: int | None = None,
) -> MessagePage:
    """History oldest → newest. `before_id` pages back (infinite scroll up); `after_id` catches up."""
    _load(session, ctx, conversation_id)
    limit = min(max(limit, 1), MAX_PAGE)
    rows, more = repo.message_page(
        session, conversation_id, limit=limit, before_id=before_id, after_id=after_id
    )
    next_cursor = str(rows[0].id) if more and rows else None
    return MessagePage(data=[_msg_public(m) for m in rows], limit=limit, next_cursor=next_cursor)


def get_messages_by_id(
    *, session: Session, ctx: Ctx, conversation_id: int, ids: list[int]
) -> list[MessagePublic]:
    """Current state of messages a page shows (delivery status refresh)."""
    _load(session, ctx, conversation_id)
    if not ids:
        return []
    stmt = select(Message).where(
        col(Message.conversation_id) == conversation_id, col(Message.id).in_(ids[:500])
    )
    return [_msg_public(m) for m in session.exec(stmt.order_by(col(Message.id)))]


def conversation_detail(
    *, session: Session, ctx: Ctx, conversation_id: int, limit: int = 30, before_id: int | None = None
) -> ConversationDetail:
    return ConversationDetail(
        conversation=get_conversation(session=session, ctx=ctx, conversation_id=conversation_id),
        messages=list_messages(
            session=session, ctx=ctx, conversation_id=conversation_id, limit=limit, before_id=before_id
        ),
    )


def unread_total(*, session: Session, ctx: Ctx) -> int:
    """Open conversations with unread messages the actor can see (the nav badge)."""
    return unread_in_scope(
        session=session, workspace_id=ctx.workspace_id, assignee_id=repo.only_assignee(ctx)
    )


def unread_in_scope(*, session: Session, workspace_id: int, assignee_id: int | None) -> int:
    """The badge of everyone who sees the workspace's conversations (`assignee_id` None) or one agent's:
    the relay counts it once per push channel instead of every open tab counting it for itself."""
    stmt = (
        select(func.count())
        .select_from(Conversation)
        .where(
            *repo.scope(workspace_id, assignee_id),
            col(Conversation.status) == "open",
            col(Conversation.unread_count) > 0,
        )
    )
    return int(session.exec(stmt).one())


# ---------------------------------------------------------------- sending


def _new_outbound(
    session: Session, ctx: Ctx, conv: Conversation, body: str, template_id: int | None
) -> Message:
    body = body.strip()
    if not body:
        raise InvalidInput("Write a message", code="message_empty", errors={"body": "required"})
    if len(body) > 5000:
        raise InvalidInput("The message is too long", code="message_too_long", errors={"body": "too_long"})
    _check_rate(ctx)
    now = clock.now()
    msg = Message(
        workspace_id=ctx.workspace_id,
        conversation_id=_id(conv.id),
        direction="outbound",
        sender_type="agent" if ctx.user_id else "system",
        type="template" if template_id else "text",
        body=body,
        status="pending",
        sender_user_id=ctx.user_id,
        template_id=template_id,
        created_at=now,
    )
    session.add(msg)
    reopened = conv.status == "archived"
    conv.status = "open"
    _touch(conv, msg)
    session.add(conv)
    session.flush()
    if template_id:
        templates.count_sent(session=session, template_id=template_id)
    _touch_lead(session, conv.lead_id, now)
    timeline.record(
        session=session,
        ctx=ctx,
        lead_id=conv.lead_id,
        type="message.sent",
        data={"conversation_id": conv.id, "message_id": msg.id, "channel": conv.channel},
    )
    _event(session, ctx, "message.created", conv, message_id=msg.id, direction="outbound")
    if reopened:
        _event(session, ctx, "conversation.updated", conv, change="reopened")
    enqueue_after_commit(session, DELIVER_JOB, message_id=msg.id)
    return msg


def _template_body(session: Session, ctx: Ctx, lead_id: int, template_id: int) -> str:
    template = templates.load(session, ctx.workspace_id, template_id)
    result = templates.render_for_lead(session=session, ctx=ctx, lead_id=lead_id, body=template.body)
    if result.missing:
        raise InvalidInput(
            "The lead has no value for: " + ", ".join(result.missing),
            code="template_missing_values",
            errors={"body": ",".join(result.missing)},
        )
    return result.text


def send_message(*, session: Session, ctx: Ctx, conversation_id: int, data: SendIn) -> MessagePublic:
    """Queue an outbound message in a conversation. With `template_id` and no body, the template is
    rendered for the lead (missing values without fallback refuse the send)."""
    conv = _load(session, ctx, conversation_id, for_update=True)
    _require_send(ctx, conv)
    body = data.body
    if data.template_id is not None:
        template = templates.load(session, ctx.workspace_id, data.template_id)
        if not body.strip():
            body = _template_body(session, ctx, conv.lead_id, _id(template.id))
    return _msg_public(_new_outbound(session, ctx, conv, body, data.template_id))


def default_channel(session: Session, ctx: Ctx, lead_id: int) -> str:
    """The lead's most recently active conversation's channel, else the workspace's default, else manual."""
    latest = session.exec(
        select(Conversation.channel)
        .where(col(Conversation.workspace_id) == ctx.workspace_id, col(Conversation.lead_id) == lead_id)
        .order_by(col(Conversation.last_message_at).desc())
    ).first()
    return latest or "manual"


def send_to_lead(
    *, session: Session, ctx: Ctx, lead_id: int, body: str, channel: str | None = None
) -> MessagePublic:
    """Start (or continue) the conversation with a lead and queue a message."""
    lead = leads.get_lead(session=session, ctx=ctx, lead_id=lead_id)
    channel = channel or default_channel(session, ctx, lead_id)
    _check_channel(channel)
    if not rules.may_send(ctx.role, ctx.user_id, lead.assignee_id):
        raise PermissionDenied("Your role cannot message this lead", code="forbidden_for_role")
    conv, created = open_conversation(session=session, ctx=ctx, lead=lead, channel=channel)
    if not created:
        _require_send(ctx, conv)
    return _msg_public(_new_outbound(session, ctx, conv, body, None))


def send_template_to_lead(
    *, session: Session, ctx: Ctx, lead_id: int, template_id: int, channel: str | None = None
) -> MessagePublic:
    """Render the template for the lead and queue it (automations call this). Raises InvalidInput when a
    variable has no value and no fallback."""
    lead = leads.get_lead(session=session, ctx=ctx, lead_id=lead_id)
    body = _template_body(session, ctx, lead_id, template_id)
    channel = channel or default_channel(session, ctx, lead_id)
    _check_channel(channel)
    if not rules.may_send(ctx.role, ctx.user_id, lead.assignee_id):
        raise PermissionDenied("Your role cannot message this lead", code="forbidden_for_role")
    conv, created = open_conversation(session=session, ctx=ctx, lead=lead, channel=channel)
    if not created:
        _require_send(ctx, conv)
    return _msg_public(_new_outbound(session, ctx, conv, body, template_id))


def _check_channel(channel: str) -> None:
    if channel not in ("manual", "email", "stub"):
        raise InvalidInput("Unknown channel", code="invalid_channel", errors={"channel": "invalid"})


def retry_message(*, session: Session, ctx: Ctx, message_id: int) -> MessagePublic:
    msg = _message_for_update(session, ctx, message_id)
    conv = _load(session, ctx, msg.conversation_id, for_update=True)
    _require_send(ctx, conv)
    if msg.status != "failed" or msg.direction != "outbound":
        raise Conflict("Only failed messages can be retried", code="message_not_failed")
    _check_rate(ctx)
    msg.status = "pending"
    msg.error = None
    session.add(msg)
    session.flush()
    _event(session, ctx, "message.status_changed", conv, message_id=msg.id, message_status="pending")
    enqueue_after_commit(session, DELIVER_JOB, message_id=msg.id)
    return _msg_public(msg)


def _message_for_update(session: Session, ctx: Ctx, message_id: int) -> Message:
    msg = session.exec(
        select(Message)
        .where(col(Message.id) == message_id, col(Message.workspace_id) == ctx.workspace_id)
        .with_for_update()
    ).first()
    if msg is None:
        raise NotFound("Message not found", code="message_not_found")
    return msg


# ---------------------------------------------------------------- delivery (the channel actor)


def apply_status(
    *,
    session: Session,
    ctx: Ctx,
    msg: Message,
    conv: Conversation,
    status: str,
    error: str | None = None,
    external_id: str | None = None,
) -> bool:
    """Move a message along its lifecycle; stale/repeated reports change nothing. True when changed."""
    if not rules.may_change_status(msg.status, status):
        return False
    now = clock.now()
    msg.status = status
    if status == "failed":
        msg.error = (error or "Delivery failed")[:500]
    else:
        msg.error = None
        msg.sent_at = msg.sent_at or now
        if status in ("delivered", "read"):
            msg.delivered_at = msg.delivered_at or now
        if status == "read":
            msg.read_at = msg.read_at or now
    if external_id and not msg.external_id:
        msg.external_id = external_id[:255]
    session.add(msg)
    session.flush()
    _event(session, ctx, "message.status_changed", conv, message_id=msg.id, message_status=status)
    return True


def report_status(*, session: Session, ctx: Ctx, message_id: int, data: StatusIn) -> MessagePublic:
    """A channel (or the extension) reports delivery progress of an outbound message."""
    msg = _message_for_update(session, ctx, message_id)
    conv = _load(session, ctx, msg.conversation_id)
    _require_send(ctx, conv)
    if msg.direction != "outbound":
        raise Conflict("Only outbound messages have a delivery status", code="message_not_outbound")
    apply_status(session=session, ctx=ctx, msg=msg, conv=conv, status=data.status, error=data.error)
    return _msg_public(msg)


# ---------------------------------------------------------------- inbound


def _inbound_lead(session: Session, ctx: Ctx, data: InboundIn) -> LeadPublic:
    if data.lead_id is not None:
        return leads.get_lead(session=session, ctx=ctx, lead_id=data.lead_id)
    if data.lead is None:
        raise InvalidInput("Give lead_id or lead", code="invalid_input", errors={"lead": "required"})
    fields = data.lead.model_dump(exclude_unset=True)
    source = "extension" if ctx.via == "extension" else "api"
    try:
        return leads.create_lead(session=session, ctx=ctx, data=LeadCreate(source=source, **fields))
    except Conflict as exc:  # already a lead: its id travels in the error
        existing = exc.errors.get("id")
        if not existing:
            raise
        return leads.get_lead(session=session, ctx=ctx, lead_id=int(existing))


def receive_inbound(*, session: Session, ctx: Ctx, data: InboundIn) -> InboundResult:
    """Record a message captured from a social network or posted by a channel.

    Finds or creates the lead and its conversation (an archived one reopens — never a second one),
    deduplicates by `external_id` within the conversation, counts it unread, credits template replies
    and publishes "message.received" for automations. `direction="outbound"` records what the rep sent
    on the network itself (already sent, not unread).
    """
    if not account_rules.can(ctx.role, "leads.create"):
        raise PermissionDenied("Your role cannot record messages", code="forbidden_for_role")
    lead = _inbound_lead(session, ctx, data)
    conv, _ = open_conversation(session=session, ctx=ctx, lead=lead, channel=data.channel)
    if not rules.may_see(ctx.role, ctx.user_id, conv.assignee_id):
        raise NotFound("Conversation not found", code="conversation_not_found")
    if data.external_id:
        known = session.exec(
            select(Message).where(
                col(Message.conversation_id) == conv.id, col(Message.external_id) == data.external_id
            )
        ).first()
        if known is not None:
            return InboundResult(
                message=_msg_public(known), conversation_id=_id(conv.id), lead_id=conv.lead_id, created=False
            )
    now = clock.now()
    inbound = data.direction == "inbound"
    msg = Message(
        workspace_id=ctx.workspace_id,
        conversation_id=_id(conv.id),
        direction=data.direction,
        sender_type="lead" if inbound else "agent",
        body=data.body,
        status="delivered" if inbound else "sent",
        sender_user_id=None if inbound else ctx.user_id,
        external_id=data.external_id,
        sent_at=data.sent_at or now,
        delivered_at=(data.sent_at or now) if inbound else None,
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(msg)
            session.flush()
    except IntegrityError:  # the same external id raced in: the first one wins
        known = session.exec(
            select(Message).where(
                col(Message.conversation_id) == conv.id, col(Message.external_id) == data.external_id
            )
        ).one()
        return InboundResult(
            message=_msg_public(known), conversation_id=_id(conv.id), lead_id=conv.lead_id, created=False
        )
    reopened = conv.status == "archived"
    conv.status = "open"
    if inbound:
        conv.unread_count += 1
    _touch(conv, msg)
    session.add(conv)
    session.flush()
    if inbound:
        _credit_template_replies(session, conv, now)
    _touch_lead(session, conv.lead_id, now)
    timeline.record(
        session=session,
        ctx=ctx,
        lead_id=conv.lead_id,
        type="message.received" if inbound else "message.sent",
        data={"conversation_id": conv.id, "message_id": msg.id, "channel": conv.channel},
    )
    _event(session, ctx, "message.created", conv, message_id=msg.id, direction=data.direction)
    if inbound:
        _event(session, ctx, "message.received", conv, message_id=msg.id, direction="inbound")
        _after_lead_message(session, conv, msg, lead)
    if reopened:
        _event(session, ctx, "conversation.updated", conv, change="reopened")
    return InboundResult(
        message=_msg_public(msg), conversation_id=_id(conv.id), lead_id=conv.lead_id, created=True
    )


def _after_lead_message(session: Session, conv: Conversation, msg: Message, lead: LeadPublic) -> None:
    """What a lead's message sets off after commit: automations and scoring (`message_received`), and
    the assignee's e-mail (batched per conversation by the notifications service)."""
    automations.on_message_received(
        session=session,
        workspace_id=conv.workspace_id,
        lead_id=conv.lead_id,
        conversation_id=_id(conv.id),
        message_id=_id(msg.id),
        channel=conv.channel,
    )
    if conv.assignee_id is not None:
        enqueue_after_commit(
            session,
            "notifications.new_message",
            workspace_id=conv.workspace_id,
            user_id=conv.assignee_id,
            conversation_id=_id(conv.id),
            lead_name=lead_name(lead),
            preview=msg.body[:200],
        )


def _credit_template_replies(session: Session, conv: Conversation, now: datetime) -> None:
    """A lead reply within 7 days of template messages counts once for each of those templates."""
    waiting = list(
        session.exec(
            select(Message).where(
                col(Message.conversation_id) == conv.id,
                col(Message.direction) == "outbound",
                col(Message.template_id).is_not(None),
                col(Message.reply_counted).is_(False),
                col(Message.created_at) >= now - REPLY_WINDOW,
            )
        )
    )
    if not waiting:
        return
    for msg in waiting:
        msg.reply_counted = True
        session.add(msg)
    templates.count_replied(session=session, template_ids=[int(m.template_id or 0) for m in waiting])


# ---------------------------------------------------------------- conversation state


def _changed(session: Session, ctx: Ctx, conv: Conversation, change: str) -> ConversationPublic:
    conv.updated_at = clock.now()
    session.add(conv)
    session.flush()
    _event(session, ctx, "conversation.updated", conv, change=change)
    return _conv_public(conv, _lead_row(session, conv))


def mark_read(*, session: Session, ctx: Ctx, conversation_id: int) -> ConversationPublic:
    conv = _load(session, ctx, conversation_id, for_update=True)
    _require_send(ctx, conv)
    if conv.unread_count == 0:
        return _conv_public(conv, _lead_row(session, conv))
    conv.unread_count = 0
    session.execute(
        update(Message)
        .where(
            col(Message.conversation_id) == conv.id,
            col(Message.direction) == "inbound",
            col(Message.read_at).is_(None),
        )
        .values(read_at=clock.now())
    )
    return _changed(session, ctx, conv, "read")


def mark_unread(*, session: Session, ctx: Ctx, conversation_id: int) -> ConversationPublic:
    conv = _load(session, ctx, conversation_id, for_update=True)
    _require_send(ctx, conv)
    conv.unread_count = max(conv.unread_count, 1)
    return _changed(session, ctx, conv, "unread")


def archive(*, session: Session, ctx: Ctx, conversation_id: int) -> ConversationPublic:
    conv = _load(session, ctx, conversation_id, for_update=True)
    _require_send(ctx, conv)
    if conv.status == "archived":
        return _conv_public(conv, _lead_row(session, conv))
    conv.status = "archived"
    return _changed(session, ctx, conv, "archived")


def reopen(*, session: Session, ctx: Ctx, conversation_id: int) -> ConversationPublic:
    conv = _load(session, ctx, conversation_id, for_update=True)
    _require_send(ctx, conv)
    if conv.status == "open":
        return _conv_public(conv, _lead_row(session, conv))
    conv.status = "open"
    return _changed(session, ctx, conv, "reopened")


def _agents(session: Session, workspace_id: int) -> list[int]:
    stmt = select(Membership.user_id).where(
        Membership.workspace_id == workspace_id, Membership.role == "agent"
    )
    return sorted(int(u) for u in session.exec(stmt))


def assign(*, session: Session, ctx: Ctx, conversation_id: int, data: AssignIn) -> ConversationPublic:
    """Assign to a member, unassign (None), or round-robin among the workspace's agents."""
    if not account_rules.can(ctx.role, "leads.assign"):
        raise PermissionDenied("Your role cannot assign conversations", code="forbidden_for_role")
    conv = _load(session, ctx, conversation_id, for_update=True)
    if data.round_robin:
        loads = repo.open_loads(session, ctx.workspace_id, _agents(session, ctx.workspace_id))
        if conv.assignee_id in loads and conv.status == "open":
            loads[conv.assignee_id] -= 1  # do not count this conversation against its own assignee
        chosen = rules.least_loaded(loads)
        if chosen is None:
            raise InvalidInput(
                "The workspace has no agents", code="no_agents", errors={"assignee_id": "no_agents"}
            )
        assignee_id: int | None = chosen
    else:
        assignee_id = data.assignee_id
        if assignee_id is not None:
            _check_member(session, ctx.workspace_id, assignee_id)
    if assignee_id == conv.assignee_id:
        return _conv_public(conv, _lead_row(session, conv))
    previous = conv.assignee_id
    conv.assignee_id = assignee_id
    timeline.record(
        session=session,
        ctx=ctx,
        lead_id=conv.lead_id,
        type="conversation.assigned",
        data={"conversation_id": conv.id, "assignee_id": assignee_id},
    )
    conv.updated_at = clock.now()
    session.add(conv)
    session.flush()
    _event(session, ctx, "conversation.updated", conv, change="assigned", previous_assignee_id=previous)
    return _conv_public(conv, _lead_row(session, conv))


def message_for_relay(*, session: Session, workspace_id: int, message_id: int) -> MessagePublic | None:
    """A message as the realtime relay forwards it to the browsers already allowed to see it."""
    msg = session.get(Message, message_id)
    if msg is None or msg.workspace_id != workspace_id:
        return None
    return _msg_public(msg)


# ---------------------------------------------------------------- for other features


def lead_replied_since(*, session: Session, workspace_id: int, lead_id: int, since: datetime) -> bool:
    """Whether the lead sent any message on any channel at or after `since` (automations' stop rule)."""
    stmt = (
        select(Message.id)
        .join(Conversation, col(Conversation.id) == col(Message.conversation_id))
        .where(
            col(Conversation.workspace_id) == workspace_id,
            col(Conversation.lead_id) == lead_id,
            col(Message.direction) == "inbound",
            col(Message.created_at) >= since,
        )
        .limit(1)
    )
    return session.exec(stmt).first() is not None


def engagement_sql() -> str:
    """`lead_message_stats` for a range of leads, as a subquery (lead_id, inbound, outbound, replied) the
    bulk rescore on PostgreSQL joins; it binds the rescore's %(ws)s, %(lo)s and %(hi)s."""
    return """
        SELECT c.lead_id,
               count(*) FILTER (WHERE m.direction = 'inbound') AS inbound,
               count(*) FILTER (WHERE m.direction = 'outbound') AS outbound,
               bool_or(m.direction = 'inbound') AS replied
        FROM conversation c JOIN message m ON m.conversation_id = c.id
        WHERE c.workspace_id = %(ws)s AND c.lead_id >= %(lo)s AND c.lead_id < %(hi)s
        GROUP BY c.lead_id"""


def lead_message_stats(*, session: Session, workspace_id: int, lead_id: int) -> tuple[int, int, bool]:
    """(inbound messages, outbound messages, replied) of a lead over all its conversations (scoring)."""
    stmt = (
        select(Message.direction, func.count())
        .join(Conversation, col(Conversation.id) == col(Message.conversation_id))
        .where(col(Conversation.workspace_id) == workspace_id, col(Conversation.lead_id) == lead_id)
        .group_by(col(Message.direction))
    )
    counts = {str(direction): int(n) for direction, n in session.exec(stmt)}
    inbound, outbound = counts.get("inbound", 0), counts.get("outbound", 0)
    return inbound, outbound, inbound > 0

"""Conversations endpoints: list with filters and cursor, one with its messages, send, read, assign,
archive/reopen, delivery reports, retry, and inbound messages from the extension or a channel."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Query, status
from fastapi.responses import JSONResponse

from api_ext.deps import CurrentCtx
from api_ext.routes import api_router
from snapleads_app.core.db import unit_of_work
from snapleads_app.domain.inbox import service as inbox
from snapleads_app.domain.inbox.models import (
    AssignIn,
    Channel,
    ConversationDetail,
    ConversationFilter,
    ConversationPage,
    ConversationPublic,
    ConversationStatus,
    InboundIn,
    InboundResult,
    MessagePage,
    MessagePublic,
    SendIn,
    StatusIn,
)
from snapleads_app.domain.leads.models import Platform

router = api_router("/conversations", tags=["conversations"])
ConversationId = Annotated[int, Path(gt=0, le=2**63 - 1)]
MessageId = Annotated[int, Path(gt=0, le=2**63 - 1)]
Limit = Annotated[int, Query(ge=1, le=100)]


def conversation_filter(
    status: ConversationStatus | None = "open",
    unread: bool = False,
    platform: Annotated[list[Platform] | None, Query()] = None,
    channel: Channel | None = None,
    assignee_id: Annotated[int | None, Query(gt=0, le=2**31 - 1)] = None,
    unassigned: bool = False,
    lead_id: Annotated[int | None, Query(gt=0, le=2**63 - 1)] = None,
    search: Annotated[str | None, Query(max_length=100)] = None,
) -> ConversationFilter:
    return ConversationFilter(
        status=status,
        unread=unread,
        platform=platform,
        channel=channel,
        assignee_id=assignee_id,
        unassigned=unassigned,
        lead_id=lead_id,
        search=search,
    )


@router.get("")
def list_conversations(
    ctx: CurrentCtx,
    filters: Annotated[ConversationFilter, Depends(conversation_filter)],
    limit: Limit = 30,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> ConversationPage:
    with unit_of_work() as session:
        return inbox.list_conversations(session=session, ctx=ctx, filters=filters, limit=limit, cursor=cursor)


@router.post("/inbound", status_code=status.HTTP_201_CREATED, response_model=InboundResult)
def inbound(body: InboundIn, ctx: CurrentCtx) -> JSONResponse:
    """Record a message from the extension's DM capture or a channel: finds or creates the lead and
    its conversation; a repeated `external_id` answers 200 with the message already recorded."""
    with unit_of_work() as session:
        result: InboundResult = inbox.receive_inbound(session=session, ctx=ctx, data=body)
    return JSONResponse(
        result.model_dump(mode="json"),
        status_code=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
    )


@router.get("/{conversation_id}")
def get_conversation(
    conversation_id: ConversationId,
    ctx: CurrentCtx,
    limit: Limit = 30,
    before: Annotated[
        int | None, Query(gt=0, le=2**63 - 1, description="page before this message id")
    ] = None,
) -> ConversationDetail:
    with unit_of_work() as session:
        return inbox.conversation_detail(
            session=session, ctx=ctx, conversation_id=conversation_id, limit=limit, before_id=before
        )


@router.get("/{conversation_id}/messages")
def list_messages(
    conversation_id: ConversationId,
    ctx: CurrentCtx,
    limit: Limit = 30,
    before: Annotated[int | None, Query(gt=0, le=2**63 - 1)] = None,
    after: Annotated[int | None, Query(gt=0, le=2**63 - 1)] = None,
) -> MessagePage:
    with unit_of_work() as session:
        return inbox.list_messages(
            session=session,
            ctx=ctx,
            conversation_id=conversation_id,
            limit=limit,
            before_id=before,
            after_id=after,
        )


@router.post("/{conversation_id}/messages", status_code=status.HTTP_201_CREATED)
def send_message(conversation_id: ConversationId, body: SendIn, ctx: CurrentCtx) -> MessagePublic:
    with unit_of_work() as session:
        return inbox.send_message(session=session, ctx=ctx, conversation_id=conversation_id, data=body)


@router.post("/{conversation_id}/read")
def mark_read(conversation_id: ConversationId, ctx: CurrentCtx) -> ConversationPublic:
    with unit_of_work() as session:
        return inbox.mark_read(session=session, ctx=ctx, conversation_id=conversation_id)


@router.post("/{conversation_id}/unread")
def mark_unread(conversation_id: ConversationId, ctx: CurrentCtx) -> ConversationPublic:
    with unit_of_work() as session:
        return inbox.mark_unread(session=session, ctx=ctx, conversation_id=conversation_id)


@router.post("/{conversation_id}/assign")
def assign(conversation_id: ConversationId, body: AssignIn, ctx: CurrentCtx) -> ConversationPublic:
    with unit_of_work() as session:
        return inbox.assign(session=session, ctx=ctx, conversation_id=conversation_id, data=body)


@router.post("/{conversation_id}/archive")
def archive(conversation_id: ConversationId, ctx: CurrentCtx) -> ConversationPublic:
    with unit_of_work() as session:
        return inbox.archive(session=session, ctx=ctx, conversation_id=conversation_id)


@router.post("/{conversation_id}/reopen")
def reopen(conversation_id: ConversationId, ctx: CurrentCtx) -> ConversationPublic:
    with unit_of_work() as session:
        return inbox.reopen(session=session, ctx=ctx, conversation_id=conversation_id)


@router.post("/messages/{message_id}/status")
def report_status(message_id: MessageId, body: StatusIn, ctx: CurrentCtx) -> MessagePublic:
    """A channel's delivery report (sent → delivered → read, or failed with a reason)."""
    with unit_of_work() as session:
        return inbox.report_status(session=session, ctx=ctx, message_id=message_id, data=body)


@router.post("/messages/{message_id}/retry")
def retry(message_id: MessageId, ctx: CurrentCtx) -> MessagePublic:
    with unit_of_work() as session:
        return inbox.retry_message(session=session, ctx=ctx, message_id=message_id)

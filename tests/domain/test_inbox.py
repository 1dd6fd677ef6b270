"""Inbox services on the real database: lifecycle, reopen, dedup, round-robin, roles, tenancy, stats."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import col, func, select

from snapleads_app.core import clock, events
from snapleads_app.core.db import unit_of_work
from snapleads_app.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied, RateLimited
from snapleads_app.domain.inbox import delivery
from snapleads_app.domain.inbox import service as inbox
from snapleads_app.domain.inbox.models import (
    AssignIn,
    Conversation,
    ConversationFilter,
    InboundIn,
    InboundLead,
    SendIn,
    StatusIn,
)
from snapleads_app.domain.templates import service as templates
from snapleads_app.domain.templates.models import TemplateIn
from tests.factories import Member, add_member, make_lead, register_owner


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[events.DomainEvent]]:
    """Events as they leave after commit (an in-process bus instead of the run's)."""
    bus = events.InProcessBus()
    seen: list[events.DomainEvent] = []
    bus.subscribe(seen.append)
    monkeypatch.setattr(events, "get_bus", lambda: bus)
    yield seen


def _call(fn: Any, member: Member, **kwargs: Any) -> Any:
    with unit_of_work() as session:
        return fn(session=session, ctx=member.ctx, **kwargs)


def _inbound(member: Member, lead_id: int, body: str = "Oi!", external_id: str | None = None, **kw: Any):
    return _call(
        inbox.receive_inbound,
        member,
        data=InboundIn(lead_id=lead_id, body=body, external_id=external_id, **kw),
    )


def _count(model: Any, *where: Any) -> int:
    with unit_of_work() as session:
        return int(session.exec(select(func.count()).select_from(model).where(*where)).one())


def test_send_goes_pending_then_sent_delivered_read(published, jobs) -> None:
    owner = register_owner()
    lead = make_lead(owner, full_name="Ana Souza")
    msg = _call(inbox.send_to_lead, owner, lead_id=lead.id, body="Olá Ana", channel="manual")
    assert msg.status == "pending" and msg.direction == "outbound"
    assert jobs[-1] == ("inbox.deliver", {"message_id": msg.id})
    created = [e for e in published if e.type.startswith(("message.", "conversation."))]
    assert [e.type for e in created] == ["message.created"]
    assert created[0].data["conversation_id"] == msg.conversation_id
    assert created[0].workspace_id == owner.workspace_id

    assert delivery.deliver(msg.id) == "sent"
    assert delivery.deliver(msg.id) is None  # a repeated job does nothing
    for status in ("delivered", "read"):
        shown = _call(inbox.report_status, owner, message_id=msg.id, data=StatusIn(status=status))
        assert shown.status == status
    # A late "delivered" report never moves a read message back.
    shown = _call(inbox.report_status, owner, message_id=msg.id, data=StatusIn(status="delivered"))
    assert shown.status == "read" and shown.read_at is not None and shown.sent_at is not None
    changes = [e.data["message_status"] for e in published if e.type == "message.status_changed"]
    assert changes == ["sent", "delivered", "read"]


def test_failed_message_keeps_reason_and_can_be_retried(jobs) -> None:
    owner = register_owner()
    lead = make_lead(owner, email=None)
    msg = _call(inbox.send_to_lead, owner, lead_id=lead.id, body="Hi", channel="email")
    assert delivery.deliver(msg.id) == "failed"
    page = _call(inbox.list_messages, owner, conversation_id=msg.conversation_id)
    assert page.data[-1].status == "failed" and "no e-mail" in (page.data[-1].error or "")
    retried = _call(inbox.retry_message, owner, message_id=msg.id)
    assert retried.status == "pending" and retried.error is None
    assert jobs[-1] == ("inbox.deliver", {"message_id": msg.id})
    with pytest.raises(Conflict):
        _call(inbox.retry_message, owner, message_id=msg.id)


def test_inbound_creates_lead_and_conversation_and_dedups_external_ids(published) -> None:
    owner = register_owner()
    data = InboundIn(
        lead=InboundLead(
            platform="instagram", profile_url="https://instagram.com/carla.dias", full_name="Carla"
        ),
        body="Quero saber o preço",
        external_id="ig-1",
    )
    first = _call(inbox.receive_inbound, owner, data=data)
    again = _call(inbox.receive_inbound, owner, data=data)
    assert first.created and not again.created
    assert again.message.id == first.message.id and again.lead_id == first.lead_id
    assert _count(Conversation) == 1
    conv = _call(inbox.get_conversation, owner, conversation_id=first.conversation_id)
    assert conv.unread_count == 1 and conv.last_message_preview == "Quero saber o preço"
    received = [e for e in published if e.type == "message.received"]
    assert len(received) == 1
    assert {"conversation_id", "message_id", "lead_id", "channel", "assignee_id"} <= received[0].data.keys()


def test_message_on_archived_conversation_reopens_it(published) -> None:
    owner = register_owner()
    lead = make_lead(owner)
    first = _inbound(owner, lead.id, external_id="a")
    archived = _call(inbox.archive, owner, conversation_id=first.conversation_id)
    assert archived.status == "archived"
    second = _inbound(owner, lead.id, body="Ainda aí?", external_id="b")
    assert second.conversation_id == first.conversation_id
    assert _count(Conversation) == 1
    conv = _call(inbox.get_conversation, owner, conversation_id=first.conversation_id)
    assert conv.status == "open" and conv.unread_count == 2
    changes = [e.data["change"] for e in published if e.type == "conversation.updated"]
    assert changes == ["archived", "reopened"]


def test_read_and_unread_counts(published) -> None:
    owner = register_owner()
    lead = make_lead(owner)
    got = _inbound(owner, lead.id)
    _inbound(owner, lead.id, body="2")
    with unit_of_work() as session:
        assert inbox.unread_total(session=session, ctx=owner.ctx) == 1
    read = _call(inbox.mark_read, owner, conversation_id=got.conversation_id)
    assert read.unread_count == 0
    page = _call(inbox.list_conversations, owner, filters=ConversationFilter(unread=True))
    assert page.data == []
    unread = _call(inbox.mark_unread, owner, conversation_id=got.conversation_id)
    assert unread.unread_count == 1
    assert [e.data["change"] for e in published if e.type == "conversation.updated"] == ["read", "unread"]


def test_round_robin_spreads_conversations_evenly_among_agents() -> None:
    owner = register_owner()
    agents = [add_member(owner, "agent") for _ in range(3)]
    add_member(owner, "manager")  # managers are not in the rotation
    counts: dict[int, int] = {}
    for _ in range(7):
        got = _inbound(owner, make_lead(owner).id)
        conv = _call(
            inbox.assign, owner, conversation_id=got.conversation_id, data=AssignIn(round_robin=True)
        )
        counts[int(conv.assignee_id or 0)] = counts.get(int(conv.assignee_id or 0), 0) + 1
    assert set(counts) == {a.user_id for a in agents}
    assert sorted(counts.values()) == [2, 2, 3]


def test_agent_sees_and_sends_only_in_assigned_conversations() -> None:
    owner = register_owner()
    agent = add_member(owner, "agent")
    viewer = add_member(owner, "viewer")
    mine = _inbound(owner, make_lead(owner, assignee_id=agent.user_id).id)
    other = _inbound(owner, make_lead(owner).id)

    listed = _call(inbox.list_conversations, agent)
    assert [c.id for c in listed.data] == [mine.conversation_id]
    with pytest.raises(NotFound):
        _call(inbox.get_conversation, agent, conversation_id=other.conversation_id)
    with pytest.raises(NotFound):
        _call(inbox.send_message, agent, conversation_id=other.conversation_id, data=SendIn(body="x"))
    sent = _call(inbox.send_message, agent, conversation_id=mine.conversation_id, data=SendIn(body="Oi"))
    assert sent.sender_user_id == agent.user_id
    with pytest.raises(PermissionDenied):
        _call(
            inbox.assign,
            agent,
            conversation_id=mine.conversation_id,
            data=AssignIn(assignee_id=agent.user_id),
        )

    # Viewers read everything and change nothing.
    assert len(_call(inbox.list_conversations, viewer).data) == 2
    with pytest.raises(PermissionDenied):
        _call(inbox.send_message, viewer, conversation_id=other.conversation_id, data=SendIn(body="x"))
    with pytest.raises(PermissionDenied):
        _call(inbox.archive, viewer, conversation_id=other.conversation_id)

    # Reassigning takes the conversation out of the agent's inbox.
    _call(inbox.assign, owner, conversation_id=mine.conversation_id, data=AssignIn(assignee_id=owner.user_id))
    assert _call(inbox.list_conversations, agent).data == []


def test_other_workspace_is_not_found() -> None:
    owner = register_owner()
    stranger = register_owner(workspace="Other")
    got = _inbound(owner, make_lead(owner).id)
    for fn, kwargs in (
        (inbox.get_conversation, {}),
        (inbox.list_messages, {}),
        (inbox.mark_read, {}),
        (inbox.archive, {}),
        (inbox.send_message, {"data": SendIn(body="x")}),
        (inbox.assign, {"data": AssignIn(assignee_id=stranger.user_id)}),
    ):
        with pytest.raises(NotFound):
            _call(fn, stranger, conversation_id=got.conversation_id, **kwargs)
    with pytest.raises(NotFound):
        _call(inbox.report_status, stranger, message_id=got.message.id, data=StatusIn(status="read"))
    with pytest.raises(NotFound):
        _call(
            inbox.assign,
            owner,
            conversation_id=got.conversation_id,
            data=AssignIn(assignee_id=stranger.user_id),
        )
    assert _call(inbox.list_conversations, stranger).data == []


def test_history_pages_backwards_and_catches_up_after_an_id() -> None:
    owner = register_owner()
    lead = make_lead(owner)
    ids = [_inbound(owner, lead.id, body=f"m{i}").message.id for i in range(7)]
    conv_id = _inbound(owner, lead.id, body="m7").conversation_id
    first = _call(inbox.list_messages, owner, conversation_id=conv_id, limit=3)
    assert [m.body for m in first.data] == ["m5", "m6", "m7"]
    older = _call(
        inbox.list_messages, owner, conversation_id=conv_id, limit=3, before_id=int(first.next_cursor)
    )
    assert [m.body for m in older.data] == ["m2", "m3", "m4"]
    oldest = _call(
        inbox.list_messages, owner, conversation_id=conv_id, limit=3, before_id=int(older.next_cursor)
    )
    assert [m.body for m in oldest.data] == ["m0", "m1"] and oldest.next_cursor is None
    after = _call(inbox.list_messages, owner, conversation_id=conv_id, after_id=ids[4])
    assert [m.body for m in after.data] == ["m5", "m6", "m7"]


def test_search_filters_and_conversation_pages() -> None:
    owner = register_owner()
    ana = make_lead(owner, full_name="Ana Souza", platform="instagram")
    bruno = make_lead(owner, full_name="Bruno Lima", platform="linkedin", username="bruno")
    _inbound(owner, ana.id, body="Quero um orçamento")
    _inbound(owner, bruno.id, body="Tudo bem?")

    def names(**f):
        return [
            c.lead.name for c in _call(inbox.list_conversations, owner, filters=ConversationFilter(**f)).data
        ]

    assert names(search="souza") == ["Ana Souza"]
    assert names(search="ORÇAMENTO") == ["Ana Souza"]
    assert names(platform=["linkedin"]) == ["Bruno Lima"]
    assert names() == ["Bruno Lima", "Ana Souza"]  # newest activity first
    first = _call(inbox.list_conversations, owner, limit=1)
    second = _call(inbox.list_conversations, owner, limit=1, cursor=first.next_cursor)
    assert [c.lead.name for c in first.data + second.data] == ["Bruno Lima", "Ana Souza"]
    assert second.next_cursor is None


def test_template_send_renders_counts_and_refuses_missing_values(jobs) -> None:
    owner = register_owner()
    tpl = _call(
        templates.create_template,
        owner,
        data=TemplateIn(name="Intro", body="Oi {{first_name|tudo bem}}, vi a {{company}}"),
    )
    with_company = make_lead(owner, full_name="Ana Souza", company="Padaria Sol")
    without = make_lead(owner, full_name="Bia Reis")
    msg = _call(inbox.send_template_to_lead, owner, lead_id=with_company.id, template_id=tpl.id)
    assert msg.body == "Oi Ana, vi a Padaria Sol" and msg.type == "template" and msg.template_id == tpl.id
    with pytest.raises(InvalidInput) as info:
        _call(inbox.send_template_to_lead, owner, lead_id=without.id, template_id=tpl.id)
    assert info.value.code == "template_missing_values" and "company" in info.value.errors["body"]

    # A lead reply within 7 days counts once for the template; a later one, or a second reply, does not.
    _inbound(owner, with_company.id)
    _inbound(owner, with_company.id, body="de novo")
    shown = _call(templates.get_template, owner, template_id=tpl.id)
    assert (shown.sent_count, shown.replied_count, shown.reply_rate) == (1, 1, 1.0)
    clock.advance(-8 * 86400)
    later_lead = make_lead(owner, full_name="Caio Luz", company="Luz")
    _call(inbox.send_template_to_lead, owner, lead_id=later_lead.id, template_id=tpl.id)
    clock.reset()
    _inbound(owner, later_lead.id)
    shown = _call(templates.get_template, owner, template_id=tpl.id)
    assert (shown.sent_count, shown.replied_count, shown.reply_rate) == (2, 1, 0.5)


def test_send_rate_limit_is_60_per_minute_per_user() -> None:
    owner = register_owner()
    manager = add_member(owner, "manager")
    lead = make_lead(owner)
    conv_id = _inbound(owner, lead.id).conversation_id
    for i in range(60):
        _call(inbox.send_message, owner, conversation_id=conv_id, data=SendIn(body=f"{i}"))
    with pytest.raises(RateLimited):
        _call(inbox.send_message, owner, conversation_id=conv_id, data=SendIn(body="61"))
    _call(inbox.send_message, manager, conversation_id=conv_id, data=SendIn(body="other user"))


def test_lead_replied_since_and_message_stats() -> None:
    owner = register_owner()
    lead = make_lead(owner)
    before = clock.now()
    with unit_of_work() as session:
        assert not inbox.lead_replied_since(
            session=session, workspace_id=owner.workspace_id, lead_id=int(lead.id), since=before
        )
        assert inbox.lead_message_stats(
            session=session, workspace_id=owner.workspace_id, lead_id=lead.id
        ) == (0, 0, False)
    _call(inbox.send_to_lead, owner, lead_id=lead.id, body="Oi")
    _inbound(owner, lead.id)
    with unit_of_work() as session:
        assert inbox.lead_replied_since(
            session=session, workspace_id=owner.workspace_id, lead_id=lead.id, since=before
        )
        assert not inbox.lead_replied_since(
            session=session,
            workspace_id=owner.workspace_id,
            lead_id=lead.id,
            since=clock.now() + dt.timedelta(seconds=1),
        )
        assert inbox.lead_message_stats(
            session=session, workspace_id=owner.workspace_id, lead_id=lead.id
        ) == (1, 1, True)
        other = register_owner(workspace="Other")
        assert inbox.lead_message_stats(
            session=session, workspace_id=other.workspace_id, lead_id=lead.id
        ) == (0, 0, False)


def test_one_conversation_per_lead_and_channel() -> None:
    owner = register_owner()
    lead = make_lead(owner)
    a = _call(inbox.send_to_lead, owner, lead_id=lead.id, body="1", channel="manual")
    b = _call(inbox.send_to_lead, owner, lead_id=lead.id, body="2")  # default: the lead's latest channel
    c = _call(inbox.send_to_lead, owner, lead_id=lead.id, body="3", channel="stub")
    assert a.conversation_id == b.conversation_id != c.conversation_id
    assert _count(Conversation, col(Conversation.lead_id) == lead.id) == 2


def test_seed_demo_fills_the_inbox() -> None:
    from snapleads_app import cli
    from snapleads_app.domain.accounts import service as accounts
    from snapleads_app.domain.accounts.models import ClientInfo, LoginIn

    cli.main(["seed-demo"])
    with unit_of_work() as session:
        tokens = accounts.login(
            session=session,
            data=LoginIn(email=cli.DEMO_EMAIL, password=cli.DEMO_PASSWORD),
            client=ClientInfo(),
        )
        ctx = accounts.authenticate_access_token(session=session, token=tokens.access_token)
        open_page = inbox.list_conversations(session=session, ctx=ctx)
        archived = inbox.list_conversations(
            session=session, ctx=ctx, filters=ConversationFilter(status="archived")
        )
        assert len(open_page.data) == 4 and len(archived.data) == 1
        assert any(c.unread_count > 0 for c in open_page.data)
        assert len(templates.list_templates(session=session, ctx=ctx)) == 3
        history = inbox.list_messages(session=session, ctx=ctx, conversation_id=open_page.data[0].id)
        assert len(history.data) >= 2

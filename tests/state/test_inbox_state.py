"""Inbox and templates states called directly (no server), and the relay's inbox pieces."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from snapleads_app.core.db import unit_of_work
from snapleads_app.core.events import DomainEvent
from snapleads_app.domain.inbox import service as inbox
from snapleads_app.domain.inbox.models import InboundIn
from snapleads_app.domain.templates import service as templates
from snapleads_app.domain.templates.models import TemplateIn
from snapleads_app.state.inbox import InboxState, MessageRow, with_days
from snapleads_app.state.realtime_inbox import RECENT, change_record, channels_for, inbox_token, merge_recent
from snapleads_app.state.templates import TemplatesState
from tests.factories import add_member, make_lead, register_owner
from tests.state.conftest import run
from tests.state.test_session_state import web_cookie


def _go(handler: Any, state: Any, *args: Any) -> list[Any]:
    return asyncio.run(run(handler, state, *args))


def _inbound(owner: Any, lead_id: int, body: str) -> int:
    with unit_of_work() as session:
        got = inbox.receive_inbound(
            session=session, ctx=owner.ctx, data=InboundIn(lead_id=lead_id, body=body)
        )
    return got.conversation_id


@pytest.fixture
def owner() -> Any:
    return register_owner("iris@example.com", workspace="Iris Vendas")


def test_relay_tokens_reach_the_workspace_and_the_assignees() -> None:
    event = DomainEvent(
        type="conversation.updated",
        workspace_id=3,
        data={
            "conversation_id": 9,
            "assignee_id": 7,
            "previous_assignee_id": 5,
            "change": "assigned",
            "actor_user_id": 1,
        },
    )
    channels = channels_for(event)
    assert list(channels) == [inbox_token(3), inbox_token(3, 7), inbox_token(3, 5)]
    assert list(channels.values()) == [None, 7, 5]  # the assignee each channel's unread count is limited to
    assert inbox_token(3, 7) == "inbox-3-u7" and "_" not in inbox_token(3, 7)
    record = change_record(event)
    assert record["conversation_id"] == "9" and record["change"] == "assigned" and record["actor"] == "1"
    unassigned = DomainEvent(
        type="message.created", workspace_id=3, data={"conversation_id": 9, "assignee_id": None}
    )
    assert channels_for(unassigned) == {inbox_token(3): None}


def test_day_separators_only_on_the_first_message_of_a_day() -> None:
    rows = [MessageRow(id=str(i)) for i in range(4)]
    days = with_days(rows, ["01/11/2026", "01/11/2026", "02/11/2026", "02/11/2026"])
    assert [r.day for r in days] == ["01/11/2026", "", "02/11/2026", ""]


def test_load_select_send_and_live_catch_up_without_duplicates(make_state, owner) -> None:
    ana = make_lead(owner, full_name="Ana Souza", company="Padaria Sol")
    bruno = make_lead(owner, full_name="Bruno Lima")
    ana_conv = _inbound(owner, ana.id, "Oi")
    _inbound(owner, bruno.id, "Olá")
    state = make_state(InboxState, token=web_cookie(owner.email), path="/inbox")
    events = _go(InboxState.load, state)
    assert "link" in " ".join(str(e) for e in events)
    assert [c.name for c in state.conversations] == ["Bruno Lima", "Ana Souza"]
    assert all(c.unread == 1 for c in state.conversations)

    _go(InboxState.select, state, str(ana_conv))
    assert [m.body for m in state.messages] == ["Oi"] and state.messages[0].day != ""
    assert state.selected.name == "Ana Souza" and state.can_send
    assert next(c for c in state.conversations if c.name == "Ana Souza").unread == 0  # read on open
    assert {"key": "company", "value": "Padaria Sol"} in state.lead_fields

    state.composer = "Tudo certo?"
    _go(InboxState.send, state)
    assert [m.body for m in state.messages] == ["Oi", "Tudo certo?"] and state.composer == ""
    assert state.messages[-1].outbound and state.messages[-1].status == "pending"

    # Another browser / the API adds a message; a live bump catches up once, a replayed one adds nothing.
    _inbound(owner, ana.id, "Sim!")
    state._live_seen = 1
    _go(InboxState.live_changed, state, 2)
    _go(InboxState.live_changed, state, 2)
    _go(InboxState.live_changed, state, 3)
    assert [m.body for m in state.messages] == ["Oi", "Tudo certo?", "Sim!"]

    # j moves to the next conversation of the list.
    _go(InboxState.move, state, 1)
    assert state.selected.name != "Ana Souza" or len(state.conversations) == 1


def test_composer_template_preview_reports_missing_values(make_state, owner) -> None:
    lead = make_lead(owner, full_name="Carla Dias")
    with unit_of_work() as session:
        tpl = templates.create_template(
            session=session,
            ctx=owner.ctx,
            data=TemplateIn(name="Intro", body="Oi {{first_name}} da {{company}}"),
        )
    conv = _inbound(owner, lead.id, "Oi")
    state = make_state(InboxState, token=web_cookie(owner.email), path="/inbox")
    _go(InboxState.load, state)
    _go(InboxState.select, state, str(conv))
    _go(InboxState.choose_template, state, str(tpl.id))
    assert state.template_preview == "Oi Carla da " and state.missing == ["company"]
    _go(InboxState.use_template, state)
    assert state.composer == "Oi Carla da "


def test_agent_sees_only_assigned_and_viewer_cannot_send(make_state, owner) -> None:
    agent = add_member(owner, "agent", "agnes@example.com")
    viewer = add_member(owner, "viewer", "vitor@example.com")
    mine = _inbound(owner, make_lead(owner, full_name="Minha", assignee_id=agent.user_id).id, "x")
    _inbound(owner, make_lead(owner, full_name="Outra").id, "y")
    agent_state = make_state(InboxState, token=web_cookie(agent.email), path="/inbox")
    _go(InboxState.load, agent_state)
    assert [c.name for c in agent_state.conversations] == ["Minha"]
    viewer_state = make_state(InboxState, token=web_cookie(viewer.email), path="/inbox")
    _go(InboxState.load, viewer_state)
    _go(InboxState.select, viewer_state, str(mine))
    assert len(viewer_state.conversations) == 2 and not viewer_state.can_send
    viewer_state.composer = "oi"
    events = _go(InboxState.send, viewer_state)
    assert "toast" in " ".join(str(e) for e in events).lower()
    assert [m.body for m in viewer_state.messages] == ["x"]


def test_templates_page_live_preview_and_save(make_state, owner) -> None:
    make_lead(owner, full_name="Davi Rocha", company="Rocha & Filhos")
    state = make_state(TemplatesState, token=web_cookie(owner.email), path="/templates")
    _go(TemplatesState.load, state)
    assert state.can_manage and state.preview_lead_id != ""
    _go(TemplatesState.new, state)
    _go(TemplatesState.set_name, state, "Follow-up")
    _go(TemplatesState.set_body, state, "Oi {{first_name}}, e a {{company}}? {{city|tudo certo}}")
    assert state.preview == "Oi Davi, e a Rocha & Filhos? tudo certo" and state.missing == []
    _go(TemplatesState.insert_variable, state, "phone")
    assert state.body.endswith("{{phone}}") and state.missing == ["phone"]
    _go(TemplatesState.save, state)
    assert [r.name for r in state.rows] == ["Follow-up"] and state.selected_id.isdigit()


def test_thread_pages_back_when_scrolled_to_the_top(make_state, owner) -> None:
    lead = make_lead(owner, full_name="Eva Reis")
    conv = 0
    for i in range(35):
        conv = _inbound(owner, lead.id, f"m{i}")
    state = make_state(InboxState, token=web_cookie(owner.email), path="/inbox")
    _go(InboxState.load, state)
    _go(InboxState.select, state, str(conv))
    assert len(state.messages) == 30 and state.messages[0].body == "m5" and state.more_before
    _go(InboxState.load_older, state)
    assert [m.body for m in state.messages] == [f"m{i}" for i in range(35)] and not state.more_before
    assert [m.day != "" for m in state.messages].count(True) == 1  # one day, one separator


def test_recent_messages_update_in_place_and_stay_capped() -> None:
    entry = {
        "at_ms": "1",
        "id": "1",
        "conversation_id": "4",
        "body": "oi",
        "outbound": "1",
        "status": "pending",
    }
    recent = merge_recent([], entry)
    recent = merge_recent(recent, {**entry, "status": "sent"})
    assert recent == [{**entry, "status": "sent"}]
    for i in range(2, RECENT + 5):
        recent = merge_recent(recent, {**entry, "id": str(i)})
    assert len(recent) == RECENT and recent[-1]["id"] == str(RECENT + 4) and recent[0]["id"] == "5"


def test_state_tracks_the_newest_message_shown(make_state, owner) -> None:
    lead = make_lead(owner, full_name="Lia Mota")
    conv = _inbound(owner, lead.id, "a")
    _inbound(owner, lead.id, "b")
    state = make_state(InboxState, token=web_cookie(owner.email), path="/inbox")
    _go(InboxState.load, state)
    _go(InboxState.select, state, str(conv))
    assert state.last_message_id == max(int(m.id) for m in state.messages)


def test_relay_turns_a_message_into_one_push_per_channel_with_the_message(owner) -> None:
    from snapleads_app.core.redis_client import get_redis
    from snapleads_app.state.realtime_inbox import InboxShared, current_version, prepare_pushes

    agent = add_member(owner, "agent", "agent.push@example.com")
    lead = make_lead(owner, full_name="Dora Reis")
    with unit_of_work() as session:
        got = inbox.receive_inbound(
            session=session, ctx=owner.ctx, data=InboundIn(lead_id=lead.id, body="Oi <b>")
        )
    event = DomainEvent(
        type="message.created",
        workspace_id=owner.ctx.workspace_id,
        data={
            "conversation_id": got.conversation_id,
            "message_id": got.message.id,
            "assignee_id": agent.ctx.user_id,
        },
    )
    before = current_version(owner.ctx.workspace_id)
    pushes, published = prepare_pushes(event)
    # Over Redis to every process; on the embedded default the relay delivers them in its own process.
    assert published is (get_redis() is not None)
    version = current_version(owner.ctx.workspace_id)
    assert version > before
    assert [p.channel for p in pushes] == [
        inbox_token(owner.ctx.workspace_id),
        inbox_token(owner.ctx.workspace_id, agent.ctx.user_id),
    ]
    name = InboxShared.get_full_name()
    for push in pushes:
        fields = push.delta[name]
        assert fields["version_rx_state_"] == version
        assert fields["recent_rx_state_"][-1]["body"] == "Oi <b>"
        assert fields["recent_rx_state_"][-1]["id"] == str(got.message.id)
        assert push.change["message_id"] == str(got.message.id)
    # A status change of the same message updates its entry in place: never listed twice.
    again, _ = prepare_pushes(
        DomainEvent(type="message.status_changed", workspace_id=owner.ctx.workspace_id, data=event.data)
    )
    entries = again[0].delta[name]["recent_rx_state_"]
    assert [e["id"] for e in entries].count(str(got.message.id)) == 1
    assert again[0].delta[name]["version_rx_state_"] > version  # a counter that starts at the clock
    # Each channel carries its badge, counted once by the relay: the workspace's unread conversation;
    # none is assigned to the agent.
    assert {p.channel: p.delta[name]["unread_rx_state_"] for p in pushes} == {
        inbox_token(owner.ctx.workspace_id): 1,
        inbox_token(owner.ctx.workspace_id, agent.ctx.user_id): 0,
    }


def test_link_hands_over_a_change_missed_between_load_and_join(make_state, owner) -> None:
    from snapleads_app.state.realtime import PUSH_HUB, VERSIONS
    from snapleads_app.state.realtime_inbox import InboxLiveState, InboxShared, version_key

    state = make_state(InboxState, token=web_cookie(owner.email), path="/inbox")
    _go(InboxState.load, state)
    live = asyncio.run(state.get_state(InboxLiveState))
    shared = asyncio.run(state.get_state(InboxShared))
    _go(InboxLiveState.link, live)
    assert shared.version == 0  # nothing happened since the load: no write, no round trip
    assert PUSH_HUB.members(inbox_token(owner.ctx.workspace_id)) == ["sid-1"]
    lead = make_lead(owner, full_name="Lia Prado")
    with unit_of_work() as session:  # a change lands before the (next) join
        inbox.receive_inbound(session=session, ctx=owner.ctx, data=InboundIn(lead_id=lead.id, body="oi"))
    VERSIONS.bump(version_key(owner.ctx.workspace_id))
    _go(InboxLiveState.link, live)
    assert shared.version > state._live_seen  # the watcher sees a newer version: the page catches up
    assert shared.unread == 1  # …and the badge the count as of now

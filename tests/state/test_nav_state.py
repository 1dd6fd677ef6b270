"""The nav's unread badge: counts open conversations with unread messages the user can see (agents only
theirs), through the inbox service, recounted on every live inbox change."""

from __future__ import annotations

import asyncio
from typing import Any

from snapleads_app.core.db import unit_of_work
from snapleads_app.domain.inbox import service as inbox
from snapleads_app.domain.inbox.models import InboundIn
from snapleads_app.state.nav import NavState
from snapleads_app.state.session import SessionState
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


def test_badge_counts_visible_unread_conversations_and_follows_changes(make_state) -> None:
    owner = register_owner("nina@example.com", workspace="Nina Vendas")
    agent = add_member(owner, "agent", "otto@example.com")
    mine = _inbound(owner, make_lead(owner, full_name="Do Otto", assignee_id=agent.user_id).id, "oi")
    nobody = make_lead(owner, full_name="Sem dono")
    _inbound(owner, nobody.id, "olá")
    _inbound(owner, nobody.id, "de novo")  # same lead: same conversation

    owner_nav = make_state(NavState, token=web_cookie(owner.email))
    agent_nav = make_state(NavState, token=web_cookie(agent.email), client_token="tab-2")
    _go(NavState.inbox_changed, owner_nav, 1)
    _go(NavState.inbox_changed, agent_nav, 1)
    assert (owner_nav.inbox_unread, agent_nav.inbox_unread) == (2, 1)  # conversations, not messages

    # The agent reads theirs: both badges recount on the next live change.
    with unit_of_work() as session:
        inbox.mark_read(session=session, ctx=agent.ctx, conversation_id=mine)
    _go(NavState.inbox_changed, owner_nav, 2)
    _go(NavState.inbox_changed, agent_nav, 2)
    assert (owner_nav.inbox_unread, agent_nav.inbox_unread) == (1, 0)

    # Archived conversations leave the badge.
    other = _inbound(owner, make_lead(owner, full_name="Terceiro").id, "?")
    with unit_of_work() as session:
        inbox.archive(session=session, ctx=owner.ctx, conversation_id=other)
    _go(NavState.inbox_changed, owner_nav, 3)
    assert owner_nav.inbox_unread == 1


def test_signed_out_tab_goes_to_login(make_state) -> None:
    nav = make_state(NavState)
    assert "/login" in " ".join(str(e) for e in _go(NavState.inbox_changed, nav, 1))
    assert nav.inbox_unread == 0


def test_every_page_links_the_tab_to_its_inbox_token(make_state) -> None:
    owner = register_owner("quim@example.com")
    state = make_state(SessionState, token=web_cookie(owner.email))
    text = " ".join(str(e) for e in _go(SessionState.load_shell, state))
    assert "go_online" in text and "link" in text

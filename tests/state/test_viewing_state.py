"""ViewingState: the inbox's open conversation becomes this tab's viewing entry (and stops on leave);
a conversation the user may not see is ignored silently; the relay's rows come from the store."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from snapleads_app.core.db import unit_of_work
from snapleads_app.domain.inbox import service as inbox
from snapleads_app.domain.inbox.models import InboundIn
from snapleads_app.domain.presence import viewing
from snapleads_app.domain.presence.service import MemoryPresence
from snapleads_app.state.realtime import PUSH_HUB
from snapleads_app.state.viewing import (
    ConversationShared,
    ViewingState,
    _left_inbox,
    conversation_token,
    viewer_rows,
    viewers_push,
)
from tests.factories import add_member, make_lead, register_owner
from tests.state.conftest import run
from tests.state.test_session_state import web_cookie


@pytest.fixture(autouse=True)
def _memory_store() -> Iterator[None]:
    viewing.set_store(MemoryPresence())
    yield
    viewing.set_store(None)


def _go(handler: Any, state: Any, *args: Any) -> list[Any]:
    return asyncio.run(run(handler, state, *args))


def _conversation(owner: Any, **lead: Any) -> int:
    lead_row = make_lead(owner, **lead)
    with unit_of_work() as session:
        got = inbox.receive_inbound(
            session=session, ctx=owner.ctx, data=InboundIn(lead_id=lead_row.id, body="Oi")
        )
    return got.conversation_id


def test_view_switch_and_stop(make_state) -> None:
    owner = register_owner("ana@example.com", workspace="Sol")
    first = _conversation(owner, full_name="Carla Dias")
    second = _conversation(owner, full_name="Davi Melo")
    state = make_state(ViewingState, token=web_cookie(owner.email), path="/inbox")
    # No session loaded in this tab yet (the watcher can fire before load_shell): the name comes from the DB.

    events = _go(ViewingState.view, state, str(first))
    assert "viewing_loop" in " ".join(str(e) for e in events)
    assert viewer_rows(first) == [{"user_id": str(owner.user_id), "name": "Olivia Owner"}]
    # The tab listens to the conversation's pushes and starts from its viewers as of now.
    wid = owner.ctx.workspace_id
    shared = asyncio.run(state.get_state(ConversationShared))
    assert PUSH_HUB.members(conversation_token(wid, first)) == ["sid-1"]
    assert (shared.conversation_id, shared.viewers) == (str(first), viewer_rows(first))

    # A reconnect (another process, no loop there) renews the same entry, e.g. after it expired.
    viewing.get_store().leave(first, owner.user_id, "tab-1")
    events = _go(ViewingState.view, state, str(first))
    assert "viewing_loop" in " ".join(str(e) for e in events) and len(viewer_rows(first)) == 1

    _go(ViewingState.view, state, str(second))  # another conversation: the first one is left
    assert viewer_rows(first) == [] and [r["name"] for r in viewer_rows(second)] == ["Olivia Owner"]
    assert PUSH_HUB.members(conversation_token(wid, first)) == []
    assert PUSH_HUB.members(conversation_token(wid, second)) == ["sid-1"]

    _go(ViewingState.view, state, "")  # thread closed
    assert viewer_rows(second) == []
    _go(ViewingState.view, state, str(first))
    _go(ViewingState.stop, state)  # left the page
    assert viewer_rows(first) == []
    assert PUSH_HUB.members(conversation_token(wid, first)) == [] and shared.viewers == []

    # The relay's answer to an announcement: one push of the viewers to the conversation's channel.
    _go(ViewingState.view, state, str(second))
    push, _ = viewers_push(wid, second)
    assert push.channel == conversation_token(wid, second)
    assert push.delta[ConversationShared.get_full_name()] == {
        "conversation_id_rx_state_": str(second),
        "viewers_rx_state_": [{"user_id": str(owner.user_id), "name": "Olivia Owner"}],
    }


def test_a_conversation_the_user_may_not_see_is_ignored(make_state) -> None:
    owner = register_owner("ana@example.com", workspace="Sol")
    agent = add_member(owner, "agent", "agnes@example.com")
    unassigned = _conversation(owner, full_name="Sem dono")
    state = make_state(ViewingState, token=web_cookie(agent.email), path="/inbox")
    events = _go(ViewingState.view, state, str(unassigned))
    assert events == [] and viewer_rows(unassigned) == []  # no entry, no toast
    assert PUSH_HUB.members(conversation_token(owner.ctx.workspace_id, unassigned)) == []  # never listens


def test_conversation_tokens_are_valid_shared_tokens() -> None:
    assert conversation_token(3, 41) == "conv-3-41" and "_" not in conversation_token(3, 41)


def test_a_stale_route_on_the_view_event_does_not_count_as_leaving() -> None:
    # `view` fired by the inbox's mount effect right after a client-side navigation carries the old route.
    assert not _left_inbox("/leads", path_at_view="/leads")
    assert _left_inbox("/settings", path_at_view="/leads")  # a later event from elsewhere: gone
    assert not _left_inbox("/inbox", path_at_view="/leads")
    assert not _left_inbox("", path_at_view="")
    assert _left_inbox("/leads", path_at_view="/inbox")

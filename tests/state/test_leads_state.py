"""Leads table, Kanban, lead detail and realtime handlers, called directly (no server)."""

from __future__ import annotations

import asyncio
import base64
import re
import time
from typing import Any

import pytest

from snapleads_app.core.db import unit_of_work
from snapleads_app.core.events import DomainEvent
from snapleads_app.domain.exports import service as exports
from snapleads_app.state import kanban as kanban_state
from snapleads_app.state import leads as leads_state
from snapleads_app.state.kanban import KanbanState
from snapleads_app.state.lead_detail import LeadDetailState
from snapleads_app.state.leads import LeadsState
from snapleads_app.state.realtime import PUSH_HUB, VERSIONS, Push
from snapleads_app.state.realtime_leads import (
    LeadsLiveState,
    LeadsShared,
    change_record,
    current_version,
    leads_token,
    live_action,
    prepare_push,
    remember_own,
)
from tests.factories import add_member, make_lead, register_owner
from tests.state.conftest import run
from tests.state.test_session_state import web_cookie


def _go(handler: Any, state: Any, *args: Any) -> list[Any]:
    return asyncio.run(run(handler, state, *args))


def _text(events: list[Any]) -> str:
    """Handler names and the rendered arguments (toast messages, downloads) of the returned events."""
    parts = []
    for event in events:
        if event is None:
            continue
        parts.append(str(getattr(getattr(event, "handler", None), "fn", event)))
        parts.extend(str(value) for _, value in getattr(event, "args", ()))
        parts.append(str(event))
    return " ".join(parts)


def _names(state: LeadsState) -> list[str]:
    return [r.name for r in state.rows]


@pytest.fixture
def owner() -> Any:
    return register_owner("lia@example.com", workspace="Lia Vendas")


@pytest.fixture
def table(make_state, owner) -> LeadsState:
    return make_state(LeadsState, token=web_cookie(owner.email), path="/leads")


# ---------------------------------------------------------------- table


def test_without_session_the_table_redirects_to_login(make_state) -> None:
    state = make_state(LeadsState, path="/leads")
    assert "/login" in _text(_go(LeadsState.load, state))
    assert state.rows == []


def test_load_lists_leads_with_permissions_and_links_live(table, owner) -> None:
    make_lead(owner, full_name="Ana Souza", platform="instagram", email="ana@example.com")
    make_lead(owner, full_name="Bruno Lima", platform="linkedin", username="bruno-lima")
    events = _go(LeadsState.load, table)
    assert "link" in _text(events)
    assert sorted(_names(table)) == ["Ana Souza", "Bruno Lima"]
    assert table.total == 2 and table.loaded and not table.loading
    assert table.can_create and table.can_delete and table.can_assign and table.can_export
    ana = next(r for r in table.rows if r.name == "Ana Souza")
    assert ana.email == "ana@example.com" and ana.platform == "instagram" and ana.status == "new"


def test_filters_search_sort_and_empty_states(table, owner) -> None:
    make_lead(owner, full_name="Ana Souza", platform="instagram", company="Padaria Sol")
    make_lead(owner, full_name="Bruno Lima", platform="linkedin", username="bruno-lima")
    make_lead(owner, full_name="Carla Dias", platform="instagram")
    _go(LeadsState.load, table)
    _go(LeadsState.toggle_platform, table, "instagram")
    assert sorted(_names(table)) == ["Ana Souza", "Carla Dias"] and table.filters_active
    _go(LeadsState.set_search, table, "padaria")
    assert _names(table) == ["Ana Souza"]
    _go(LeadsState.set_search, table, "nobody-like-this")
    assert table.rows == [] and table.total == 0 and table.filters_active  # "no match" state
    _go(LeadsState.clear_filters, table)
    assert table.total == 3 and not table.filters_active
    _go(LeadsState.sort_by, table, "name")
    assert _names(table) == ["Ana Souza", "Bruno Lima", "Carla Dias"]
    _go(LeadsState.sort_by, table, "name")
    assert _names(table) == ["Carla Dias", "Bruno Lima", "Ana Souza"]
    _go(LeadsState.toggle_status, table, "lost")
    assert table.rows == []


def test_assignee_and_tag_filters(table, owner) -> None:
    agent = add_member(owner, "agent", "agente@example.com")
    make_lead(owner, full_name="Assigned One", assignee_id=agent.user_id)
    make_lead(owner, full_name="Nobody's")
    _go(LeadsState.load, table)
    _go(LeadsState.set_assignee_filter, table, "unassigned")
    assert _names(table) == ["Nobody's"]
    _go(LeadsState.set_assignee_filter, table, str(agent.user_id))
    assert _names(table) == ["Assigned One"]
    assert next(r for r in table.rows).assignee == "Agent"


def test_cursor_pages_forward_and_back(table, owner, monkeypatch) -> None:
    monkeypatch.setattr(leads_state, "PAGE_SIZE", 2)
    for n in range(5):
        make_lead(owner, full_name=f"Lead {n}")
    _go(LeadsState.load, table)
    first = _names(table)
    assert len(first) == 2 and table.has_next and table.total == 5
    _go(LeadsState.next_page, table)
    second = _names(table)
    _go(LeadsState.next_page, table)
    third = _names(table)
    assert len(third) == 1 and not table.has_next and table.page_index == 2
    assert len(set(first + second + third)) == 5
    _go(LeadsState.prev_page, table)
    assert _names(table) == second
    _go(LeadsState.prev_page, table)
    assert _names(table) == first and table.page_index == 0


def test_bulk_tag_on_selection_and_on_all_matching(table, owner, monkeypatch) -> None:
    from snapleads_app.core.db import unit_of_work
    from snapleads_app.domain.tags import service as tags
    from snapleads_app.domain.tags.models import TagIn

    with unit_of_work() as session:
        vip = tags.create_tag(session=session, ctx=owner.ctx, data=TagIn(name="VIP"))
    monkeypatch.setattr(leads_state, "PAGE_SIZE", 2)
    a = make_lead(owner, full_name="Ana", platform="instagram")
    make_lead(owner, full_name="Bia", platform="instagram")
    make_lead(owner, full_name="Caio", platform="instagram")
    make_lead(owner, full_name="Duda", platform="linkedin", username="duda")
    _go(LeadsState.load, table)
    _go(LeadsState.toggle_select, table, str(a.id))
    assert table.selection_count == 1
    _go(LeadsState.open_bulk, table, "tag")
    assert "bulk_choose" in _text(_go(LeadsState.apply_bulk, table)) or table.bulk_action == "tag"
    _go(LeadsState.set_bulk_value, table, str(vip.id))
    events = _go(LeadsState.apply_bulk, table)
    assert "1" in _text(events) and table.selected == [] and table.bulk_action == ""
    # Every Instagram lead, though only 2 are on the page.
    _go(LeadsState.toggle_platform, table, "instagram")
    _go(LeadsState.toggle_select_page, table, True)
    assert table.page_selected
    _go(LeadsState.select_all_matching, table)
    assert table.all_matching and table.selection_count == 3
    _go(LeadsState.open_bulk, table, "status")
    _go(LeadsState.set_bulk_value, table, "contacted")
    _go(LeadsState.apply_bulk, table)
    _go(LeadsState.clear_filters, table)
    _go(LeadsState.toggle_status, table, "contacted")
    assert table.total == 3
    with unit_of_work() as session:
        assert {t.name: t.lead_count for t in tags.list_tags(session=session, ctx=owner.ctx)} == {"VIP": 1}


def test_delete_offers_undo_and_undo_restores(table, owner) -> None:
    lead = make_lead(owner, full_name="Gone Soon")
    make_lead(owner, full_name="Stays")
    _go(LeadsState.load, table)
    events = _go(LeadsState.delete_lead, table, str(lead.id))
    assert "undo_delete" in _text(events) and "30000" in _text(events)
    assert _names(table) == ["Stays"]
    _go(LeadsState.undo_delete, table, [lead.id])
    assert sorted(_names(table)) == ["Gone Soon", "Stays"]
    # Bulk delete of a selection: undo for all of them.
    _go(LeadsState.toggle_select_page, table, True)
    _go(LeadsState.open_bulk, table, "delete")
    events = _go(LeadsState.apply_bulk, table)
    assert table.total == 0 and "undo_delete" in _text(events)


def test_new_lead_shows_field_errors_then_creates(table, owner) -> None:
    _go(LeadsState.load, table)
    _go(LeadsState.set_new_open, table, True)
    _go(LeadsState.create_lead, table, {"profile_url": "ana.souza", "email": "not-an-email"})
    assert table.new_open and "email" in table.new_errors
    assert "e-mail" in table.new_errors["email"].lower()
    _go(LeadsState.create_lead, table, {})
    assert "profile_url" in table.new_errors  # a lead needs some identity
    events = _go(LeadsState.create_lead, table, {"profile_url": "@ana.souza", "full_name": "Ana Souza"})
    assert not table.new_open and table.new_errors == {} and "Ana Souza" in _text(events)
    assert _names(table) == ["Ana Souza"]
    _go(LeadsState.set_new_open, table, True)
    _go(LeadsState.create_lead, table, {"profile_url": "https://www.instagram.com/ana.souza/"})
    assert "profile_url" in table.new_errors  # the same profile is already a lead


def test_export_downloads_csv_of_the_filter(table, owner) -> None:
    make_lead(owner, full_name="Ana Export", platform="instagram")
    make_lead(owner, full_name="Bruno Hidden", platform="linkedin", username="bruno")
    _go(LeadsState.load, table)
    _go(LeadsState.toggle_platform, table, "instagram")
    events = _text(_go(LeadsState.export, table))
    assert "_download" in events
    encoded = re.search(r"data:text/csv;charset=utf-8;base64,([A-Za-z0-9+/=]+)", events)
    assert encoded is not None
    csv_text = base64.b64decode(encoded.group(1)).decode("utf-8")
    assert csv_text.startswith("\ufeffid,platform") and "Ana Export" in csv_text
    assert "Bruno Hidden" not in csv_text


def test_a_big_export_runs_in_the_background_and_the_page_links_the_file(
    table, owner, monkeypatch, jobs
) -> None:
    monkeypatch.setattr(leads_state, "EXPORT_LIMIT", 1)
    make_lead(owner, full_name="Ana Export")
    make_lead(owner, full_name="Bia Export")
    _go(LeadsState.load, table)
    events = _text(_go(LeadsState.export, table))
    assert "_download" not in events and "follow_export" in events
    assert table.export_job_id > 0 and table.export_status == "queued" and table.export_url == ""
    assert [j for j in jobs if j[0] == "exports.run"] == [("exports.run", {"job_id": table.export_job_id})]
    exports.run(table.export_job_id)
    with unit_of_work() as session:
        job = exports.get_export(session=session, ctx=owner.ctx, job_id=table.export_job_id)
    table._show_export(job)  # what each poll of follow_export does
    assert table.export_status == "completed" and table.export_progress == 100.0
    assert table.export_url.endswith(job.download_url or "-")
    _go(LeadsState.dismiss_export, table)
    assert table.export_job_id == 0 and table.export_url == ""


def test_columns_are_chosen_per_browser(table) -> None:
    assert "phone" not in table.shown_columns
    _go(LeadsState.toggle_column, table, "phone")
    _go(LeadsState.toggle_column, table, "email")
    assert "phone" in table.shown_columns and "email" not in table.shown_columns
    assert "phone" in table.columns  # the LocalStorage value
    _go(LeadsState.toggle_column, table, "not-a-column")
    assert "not-a-column" not in table.shown_columns


def test_agent_sees_only_assigned_leads_and_no_admin_controls(make_state, owner) -> None:
    agent = add_member(owner, "agent", "ag@example.com")
    make_lead(owner, full_name="Mine", assignee_id=agent.user_id)
    make_lead(owner, full_name="Not Mine")
    state = make_state(LeadsState, token=web_cookie(agent.email), path="/leads")
    _go(LeadsState.load, state)
    assert _names(state) == ["Mine"]
    assert state.can_create and state.can_edit
    assert not state.can_delete and not state.can_assign and not state.can_export
    assert "Seu papel" in _text(_go(LeadsState.export, state))  # pt-BR by default


# ---------------------------------------------------------------- kanban


@pytest.fixture
def board(make_state, owner) -> KanbanState:
    return make_state(KanbanState, token=web_cookie(owner.email), path="/kanban")


def _column(state: KanbanState, name: str) -> Any:
    return next(c for c in state.board if c.name == name)


def test_board_has_a_column_per_stage_with_counts(board, owner) -> None:
    make_lead(owner, full_name="Ana")
    make_lead(owner, full_name="Bia", status="contacted")
    events = _go(KanbanState.load, board)
    assert "link" in _text(events)
    assert [c.name for c in board.board] == [
        "New",
        "Contacted",
        "Responded",
        "Qualified",
        "Scheduled",
        "Closed",
        "Lost",
    ]
    assert _column(board, "New").total == 1 and [c.name for c in _column(board, "Contacted").cards] == ["Bia"]
    assert board.pipelines[0].label == "Sales" and board.pipeline_id == board.pipelines[0].value


def test_drop_moves_between_and_within_columns(board, owner) -> None:
    a = make_lead(owner, full_name="Ana")
    b = make_lead(owner, full_name="Bia")
    c = make_lead(owner, full_name="Caio")
    _go(KanbanState.load, board)
    new, contacted = _column(board, "New"), _column(board, "Contacted")
    assert [x.name for x in new.cards] == ["Ana", "Bia", "Caio"]
    _go(
        KanbanState.drop,
        board,
        {"lead_id": str(b.id), "stage_id": contacted.stage_id, "after_id": "", "before_id": ""},
    )
    assert [x.name for x in _column(board, "Contacted").cards] == ["Bia"]
    assert _column(board, "Contacted").total == 1 and _column(board, "New").total == 2
    # Within a column: Caio above Ana.
    _go(
        KanbanState.drop,
        board,
        {"lead_id": str(c.id), "stage_id": new.stage_id, "after_id": "", "before_id": str(a.id)},
    )
    assert [x.name for x in _column(board, "New").cards] == ["Caio", "Ana"]
    _go(KanbanState.load, board)  # the stored order survives a reload
    assert [x.name for x in _column(board, "New").cards] == ["Caio", "Ana"]
    assert [x.name for x in _column(board, "Contacted").cards] == ["Bia"]
    assert _column(board, "Contacted").cards[0].status == "contacted"


def test_move_to_stage_fallback_and_load_more(board, owner, monkeypatch) -> None:
    monkeypatch.setattr(kanban_state, "COLUMN_PAGE", 2)
    leads = [make_lead(owner, full_name=f"L{n}") for n in range(5)]
    _go(KanbanState.load, board)
    new = _column(board, "New")
    assert len(new.cards) == 2 and new.has_more and new.total == 5
    _go(KanbanState.load_more, board, new.stage_id)
    _go(KanbanState.load_more, board, new.stage_id)
    new = _column(board, "New")
    assert [c.name for c in new.cards] == [f"L{n}" for n in range(5)] and not new.has_more
    lost = _column(board, "Lost")
    _go(KanbanState.move_to_stage, board, str(leads[0].id), lost.stage_id)
    assert [c.name for c in _column(board, "Lost").cards] == ["L0"]


def test_a_stale_drop_reloads_and_explains(board, owner) -> None:
    a = make_lead(owner, full_name="Ana")
    _go(KanbanState.load, board)
    contacted = _column(board, "Contacted")
    events = _go(
        KanbanState.drop,
        board,
        {"lead_id": str(a.id), "stage_id": contacted.stage_id, "after_id": "999999", "before_id": ""},
    )
    assert "toast" in _text(events).lower()
    assert [c.name for c in _column(board, "New").cards] == ["Ana"]  # back where the server has it


# ---------------------------------------------------------------- lead detail


@pytest.fixture
def detail(make_state, owner) -> LeadDetailState:
    return make_state(LeadDetailState, token=web_cookie(owner.email), path="/leads")


def test_detail_inline_edit_with_validation(detail, owner) -> None:
    lead = make_lead(owner, full_name="Ana Souza")
    _go(LeadDetailState.open_lead, detail, str(lead.id))
    assert detail.open and detail.name == "Ana Souza" and detail.values["full_name"] == "Ana Souza"
    assert any(a.type == "lead.created" for a in detail.activities)
    _go(LeadDetailState.save_field, detail, "email", "nope")
    assert "email" in detail.errors
    _go(LeadDetailState.save_field, detail, "email", "Ana@Example.com")
    assert "email" not in detail.errors and detail.values["email"] == "ana@example.com"
    _go(LeadDetailState.save_field, detail, "notes", "Call on Monday")
    assert detail.values["notes"] == "Call on Monday"
    _go(LeadDetailState.set_status, detail, "qualified")
    assert detail.status == "qualified"
    assert [a.type for a in detail.activities][0] == "status.changed"


def test_detail_tags_assignee_merge_and_delete(detail, owner) -> None:
    member = add_member(owner, "manager", "gerente@example.com")
    lead = make_lead(owner, full_name="Ana Souza", email="ana@example.com")
    twin = make_lead(owner, platform="linkedin", username="ana-souza", email="ana@example.com")
    _go(LeadDetailState.open_lead, detail, str(lead.id))
    assert [d.id for d in detail.duplicates] == [str(twin.id)]
    _go(LeadDetailState.create_tag, detail, {"tag_name": "Hot"})
    assert [t.name for t in detail.lead_tags] == ["Hot"]
    _go(LeadDetailState.remove_tag, detail, detail.lead_tags[0].id)
    assert detail.lead_tags == [] and [o.label for o in detail.available_tags] == ["Hot"]
    _go(LeadDetailState.add_tag, detail, detail.available_tags[0].value)
    assert [t.name for t in detail.lead_tags] == ["Hot"]
    _go(LeadDetailState.set_assignee, detail, str(member.user_id))
    assert detail.assignee_id == str(member.user_id)
    _go(LeadDetailState.merge, detail, str(twin.id))
    assert detail.duplicates == [] and detail.values["username"] != ""
    events = _go(LeadDetailState.delete, detail)
    assert not detail.open and "undo_delete" in _text(events)


def test_a_merge_is_undone_from_the_timeline(detail, owner) -> None:
    lead = make_lead(owner, full_name="Ana Souza", email="ana@example.com")
    twin = make_lead(
        owner, platform="linkedin", username="ana-souza", company="Acme", email="ana@example.com"
    )
    _go(LeadDetailState.open_lead, detail, str(lead.id))
    _go(LeadDetailState.merge, detail, str(twin.id))
    merged = [a for a in detail.activities if a.type == "lead.merged"]
    assert [a.merged_lead_id for a in merged] == [str(twin.id)] and detail.values["company"] == "Acme"
    events = _text(_go(LeadDetailState.undo_merge, detail, str(twin.id)))
    assert detail.values["company"] == "" and [d.id for d in detail.duplicates] == [str(twin.id)]
    assert any(a.type == "lead.merge_undone" for a in detail.activities)
    assert "Mesclagem desfeita" in events  # pt-BR by default
    assert "já foi desfeita" in _text(_go(LeadDetailState.undo_merge, detail, str(twin.id)))


def test_viewer_gets_a_read_only_detail(make_state, owner) -> None:
    viewer = add_member(owner, "viewer", "viewer@example.com")
    lead = make_lead(owner, full_name="Read Only")
    state = make_state(LeadDetailState, token=web_cookie(viewer.email))
    _go(LeadDetailState.open_lead, state, str(lead.id))
    assert state.open and not state.can_edit and not state.can_delete and not state.can_assign
    events = _go(LeadDetailState.save_field, state, "full_name", "Changed")
    assert "Seu papel" in _text(events)


# ---------------------------------------------------------------- realtime


def test_change_record_and_live_actions() -> None:
    event = DomainEvent(
        type="lead.updated",
        workspace_id=3,
        data={"id": 9, "stage_id": 5, "from_stage_id": 4, "actor_user_id": 7, "fields": ["stage_id"]},
    )
    record = change_record(event)
    assert record == {
        "type": "lead.updated",
        "ids": "9",
        "many": "",
        "stages": "4,5",
        "actor": "7",
        "action": "",
    }
    assert leads_token(3) == "leads-3" and "_" not in leads_token(3)
    assert live_action(5, 5, record, 7, {}) == "skip"  # already covered by the load or an earlier call
    assert live_action(5, 4, record, 7, {}) == "skip"
    assert live_action(5, 6, record, 1, {}) == "partial"  # someone else's change
    own = remember_own({}, [9])
    assert live_action(5, 6, record, 7, own) == "skip"  # this tab's own move, already on screen
    assert live_action(5, 8, record, 7, own) == "full"  # missed events in between
    assert live_action(0, 5, record, 7, {}) == "full"  # nothing seen before: no way to know what changed
    assert live_action(5, 6, {}, 7, own) == "full"  # the change is not known here
    old = {"9": time.monotonic() - 60}
    assert live_action(5, 6, record, 7, old) == "partial"
    bulk = change_record(
        DomainEvent(type="lead.bulk", workspace_id=3, data={"action": "tag", "count": 5000, "ids": [1, 2]})
    )
    assert bulk["many"] == "1" and live_action(5, 6, bulk, 1, {}) == "full"


def test_relay_turns_each_lead_event_into_one_push_of_the_next_version() -> None:
    from snapleads_app.core.redis_client import get_redis
    from snapleads_app.state.realtime import dispatch, handlers

    assert {"lead.created", "lead.updated", "lead.deleted", "lead.bulk"} <= set(handlers())
    before = current_version(4)
    push, published = prepare_push(
        DomainEvent(type="lead.created", workspace_id=4, data={"id": 1, "stage_id": 2, "actor_user_id": 3})
    )
    assert published is (get_redis() is not None)  # over Redis, or delivered by the relay in process
    version = current_version(4)
    assert version > before and push.channel == "leads-4"
    assert push.delta == {LeadsShared.get_full_name(): {"version_rx_state_": version}}
    assert push.change["type"] == "lead.created" and push.change["version"] == str(version)
    assert push.change["stages"] == "2" and push.change["actor"] == "3"
    # Through the relay, in process (no app to emit to): the next version, and the change remembered.
    PUSH_HUB.clear()
    asyncio.run(dispatch(object(), DomainEvent(type="lead.deleted", workspace_id=4, data={"id": 1})))
    assert current_version(4) == version + 1  # consecutive: a gap means "missed a change"
    if get_redis() is None:
        assert PUSH_HUB.last_change("leads-4")["type"] == "lead.deleted"
        assert PUSH_HUB.last_change("leads-4")["version"] == str(version + 1)


def test_link_joins_the_workspace_channel_and_hands_over_a_missed_change(table, owner) -> None:
    PUSH_HUB.clear()
    _go(LeadsState.load, table)
    live = asyncio.run(table.get_state(LeadsLiveState))
    shared = asyncio.run(table.get_state(LeadsShared))
    _go(LeadsLiveState.link, live)
    assert PUSH_HUB.members(leads_token(owner.workspace_id)) == ["sid-1"]
    assert shared.version == 0  # nothing happened since the load: no write, no round trip
    make_lead(owner, full_name="Between")  # a change lands between the load and the (next) join
    VERSIONS.bump(leads_token(owner.workspace_id))
    _go(LeadsLiveState.link, live)
    assert shared.version > table._live_seen  # the watcher sees a newer version: the page catches up
    _go(LeadsState.live_changed, table, shared.version)
    assert "Between" in _names(table)


def test_live_change_from_elsewhere_reloads_the_table(table, owner) -> None:
    make_lead(owner, full_name="First")
    _go(LeadsState.load, table)
    seen = table._live_seen
    _go(LeadsState.live_changed, table, 0)  # the watcher's first call: nothing to do
    assert table._live_seen == seen
    lead = make_lead(owner, full_name="Second")  # another browser / the API
    version = seen + 1
    change = {
        "type": "lead.created",
        "ids": str(lead.id),
        "stages": "",
        "actor": "0",
        "version": str(version),
    }
    asyncio.run(PUSH_HUB.deliver(object(), Push(leads_token(owner.workspace_id), {}, change)))
    _go(LeadsState.live_changed, table, version)
    assert sorted(_names(table)) == ["First", "Second"]

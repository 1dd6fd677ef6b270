# ruff: noqa: F811 - the fixtures are imported from automation_support and used as arguments
"""The automations page state, called directly (no server): the nested condition-tree builder, action
reordering (drag and drop and the up/down fallback) saved in order and run in that order by the
worker's entry point, and the live run log fed by the relay (coalesced, filtered, per-run detail)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from snapleads_app.core.db import unit_of_work
from snapleads_app.core.events import DomainEvent
from snapleads_app.domain.automations import service as automations
from snapleads_app.domain.automations.models import RunFilter
from snapleads_app.state import realtime_automations
from snapleads_app.state.automations import ActionRow, AutomationsState
from snapleads_app.state.realtime import PUSH_HUB, dispatch, handlers
from snapleads_app.state.realtime_automations import (
    AutomationsLiveState,
    AutomationsShared,
    automations_token,
    current_version,
    pushed_change,
)
from tests.domain.automation_support import channel, drain, make_automation, make_tag  # noqa: F401
from tests.factories import add_member, make_lead, register_owner
from tests.state.conftest import run
from tests.state.test_session_state import web_cookie


def _go(handler: Any, state: Any, *args: Any) -> list[Any]:
    return asyncio.run(run(handler, state, *args))


@pytest.fixture
def owner() -> Any:
    return register_owner("ada@example.com", workspace="Ada Automations")


@pytest.fixture
def page(make_state, owner) -> AutomationsState:
    state = make_state(AutomationsState, token=web_cookie(owner.email), path="/automations")
    events = _go(AutomationsState.load, state)
    assert any("link" in str(e) for e in events)  # the live run log links after the load
    return state


def _rows(state: AutomationsState) -> list[tuple[str, str, str]]:
    return [(r.path, r.kind, r.op if r.kind == "group" else f"{r.field} {r.operator} {r.value}")
            for r in state.conditions]  # fmt: skip


def _saved(owner: Any) -> Any:
    with unit_of_work() as session:
        [found] = automations.list_automations(session=session, ctx=owner.ctx)
    return found


# ---------------------------------------------------------------- condition tree


def test_builder_edits_a_nested_tree_and_saves_it(page, owner) -> None:
    hot = make_tag(owner, "Hot")
    _go(AutomationsState.new, page)
    assert _rows(page) == [("", "group", "and")]
    _go(AutomationsState.set_name, page, "Nested")
    _go(AutomationsState.add_condition, page, "")
    _go(AutomationsState.set_condition, page, "0", "value", "instagram")
    _go(AutomationsState.add_group, page, "")
    _go(AutomationsState.set_group_op, page, "1", "or")
    _go(AutomationsState.set_condition, page, "1.0", "field", "followers")
    assert page.conditions[3].operators[:3] == ["equals", "not_equals", "gt"]  # number operators
    _go(AutomationsState.set_condition, page, "1.0", "operator", "gte")
    _go(AutomationsState.set_condition, page, "1.0", "value", "1000")
    _go(AutomationsState.add_condition, page, "1")
    _go(AutomationsState.set_condition, page, "1.1", "field", "tags")
    assert page.conditions[4].operator == "has_any" and "contains" not in page.conditions[4].operators
    _go(AutomationsState.set_condition, page, "1.1", "value", str(hot))
    _go(AutomationsState.add_group, page, "1")  # a group inside the group, then removed again
    assert [r.path for r in page.conditions] == ["", "0", "1", "1.0", "1.1", "1.2", "1.2.0"]
    _go(AutomationsState.remove_condition, page, "1.2")
    assert _rows(page) == [
        ("", "group", "and"),
        ("0", "condition", "platform equals instagram"),
        ("1", "group", "or"),
        ("1.0", "condition", "followers gte 1000"),
        ("1.1", "condition", f"tags has_any {hot}"),
    ]
    page.actions = [ActionRow(type="add_tag", param=str(hot))]
    _go(AutomationsState.save, page)
    assert page.builder_open is False, page.builder_error
    assert _saved(owner).conditions == {
        "op": "and",
        "items": [
            {"field": "platform", "operator": "equals", "value": "instagram"},
            {"op": "or", "items": [
                {"field": "followers", "operator": "gte", "value": 1000},
                {"field": "tags", "operator": "has_any", "value": [hot]},
            ]},
        ],
    }  # fmt: skip
    # editing shows the same tree again
    _go(AutomationsState.edit, page, str(_saved(owner).id))
    assert _rows(page)[3:] == [
        ("1.0", "condition", "followers gte 1000"),
        ("1.1", "condition", f"tags has_any {hot}"),
    ]


def test_errors_point_at_the_nested_row_and_nothing_is_saved(page, owner) -> None:
    hot = make_tag(owner, "Hot")
    _go(AutomationsState.new, page)
    _go(AutomationsState.set_name, page, "Broken")
    _go(AutomationsState.add_group, page, "")
    _go(AutomationsState.set_condition, page, "0.0", "field", "score")
    _go(AutomationsState.set_condition, page, "0.0", "operator", "gt")
    _go(AutomationsState.set_condition, page, "0.0", "value", "lots")
    page.actions = [ActionRow(type="add_tag", param=str(hot))]
    _go(AutomationsState.save, page)
    assert page.builder_open is True
    errors = {r.path: r.error for r in page.conditions if r.error}
    assert list(errors) == ["0.0"] and errors["0.0"]
    with unit_of_work() as session:
        assert automations.list_automations(session=session, ctx=owner.ctx) == []


def test_empty_groups_are_not_saved(page, owner) -> None:
    hot = make_tag(owner, "Hot")
    _go(AutomationsState.new, page)
    _go(AutomationsState.set_name, page, "No conditions")
    _go(AutomationsState.add_group, page, "")
    _go(AutomationsState.remove_condition, page, "0.0")
    page.actions = [ActionRow(type="add_tag", param=str(hot))]
    _go(AutomationsState.save, page)
    assert _saved(owner).conditions == {}


# ---------------------------------------------------------------- action order


def test_dragged_order_is_saved_and_the_worker_runs_it(page, owner, jobs) -> None:
    first, second, third = (make_tag(owner, n) for n in ("First", "Second", "Third"))
    _go(AutomationsState.new, page)
    _go(AutomationsState.set_name, page, "Ordered")
    page.actions = [ActionRow(type="add_tag", param=str(t)) for t in (first, second, third)]
    _go(AutomationsState.drop_action, page, {"from": "0", "to": "2"})  # drag the first to the end
    assert [a.param for a in page.actions] == [str(second), str(third), str(first)]
    _go(AutomationsState.move_action, page, 2, -1)  # keyboard fallback: up one
    assert [a.param for a in page.actions] == [str(second), str(first), str(third)]
    _go(AutomationsState.drop_action, page, {"from": "9", "to": "0"})  # stale index: nothing moves
    _go(AutomationsState.drop_action, page, {"from": "", "to": ""})  # a drop from elsewhere
    assert [a.param for a in page.actions] == [str(second), str(first), str(third)]
    _go(AutomationsState.save, page)
    assert [a["tag_id"] for a in _saved(owner).actions] == [second, first, third]
    make_lead(owner)
    drain(jobs)
    with unit_of_work() as session:
        [run_] = automations.list_runs(session=session, ctx=owner.ctx, filters=RunFilter())
    assert [s["detail"] for s in run_.steps] == [f"tag {second}", f"tag {first}", f"tag {third}"]


# ---------------------------------------------------------------- live run log


def _relay(state: AutomationsState, events: list[DomainEvent], monkeypatch) -> int:
    """Runs the relay over `events` (the pushes delivered in this process, with or without Redis);
    returns how many pushes they made."""
    monkeypatch.setattr(realtime_automations, "COALESCE_SECONDS", 0.01)
    monkeypatch.setattr(realtime_automations, "publish_pushes", lambda pushes: False)
    made: list[int] = []
    prepare = realtime_automations.prepare_push

    def counting(workspace_id: int, record: dict[str, str]) -> Any:
        made.append(workspace_id)
        return prepare(workspace_id, record)

    monkeypatch.setattr(realtime_automations, "prepare_push", counting)

    async def go() -> None:
        for event in events:
            await dispatch(object(), event)
        await asyncio.sleep(0.1)  # the coalesced push

    asyncio.run(go())
    return len(made)


def _link(state: Any, workspace_id: int) -> AutomationsShared:
    """AutomationsLiveState.link: the tab joins the workspace's channel; nothing is written when no
    change happened since the page's load."""
    PUSH_HUB.clear()
    shared = asyncio.run(state.get_state(AutomationsShared))
    live = asyncio.run(state.get_state(AutomationsLiveState))
    _go(AutomationsLiveState.link, live)
    assert PUSH_HUB.members(automations_token(workspace_id)) == ["sid-1"] and shared.version == 0
    return shared


def _run_events(workspace_id: int, runs: list[Any]) -> list[DomainEvent]:
    return [
        DomainEvent(type="automation.run", workspace_id=workspace_id,
                    data={"run_id": r.id, "automation_id": r.automation_id, "lead_id": r.lead_id, "status": r.status})
        for r in runs
    ]  # fmt: skip


def test_new_runs_appear_live_with_filters_and_detail(page, owner, jobs, monkeypatch) -> None:
    assert "automation.run" in handlers()
    hot, cold = make_tag(owner, "Hot"), make_tag(owner, "Cold")
    tagger = make_automation(
        owner, name="Tagger", trigger="lead_created", actions=[{"type": "add_tag", "tag_id": hot}]
    )
    picky = make_automation(
        owner, name="Picky", trigger="lead_created",
        conditions={"op": "and", "items": [{"field": "platform", "operator": "equals", "value": "linkedin"}]},
        actions=[{"type": "add_tag", "tag_id": cold}],
    )  # fmt: skip
    _go(AutomationsState.load, page)
    shared = _link(page, owner.workspace_id)
    _go(AutomationsState.live_changed, page, shared.version)  # the watcher's first call: nothing new
    assert page.runs == []
    _go(AutomationsState.set_run_status, page, "success")
    for _ in range(3):
        make_lead(owner, platform="instagram")
    drain(jobs)
    with unit_of_work() as session:
        runs = automations.list_runs(session=session, ctx=owner.ctx, filters=RunFilter())
    assert len(runs) == 6
    assert _relay(page, _run_events(owner.workspace_id, runs), monkeypatch) == 1  # six events, one push
    version = current_version(owner.workspace_id)
    assert pushed_change(owner.workspace_id, version)["count"] == "6"
    _go(AutomationsState.live_changed, page, version)
    assert sorted(r.status for r in page.runs) == ["success"] * 3  # the tab's status filter holds
    assert {a.name: (a.success, a.skipped) for a in page.automations} == {"Tagger": (3, 0), "Picky": (0, 3)}
    _go(AutomationsState.set_run_status, page, "any")
    _go(AutomationsState.set_run_automation, page, str(picky.id))
    assert {r.status for r in page.runs} == {"skipped"} and len(page.runs) == 3
    _go(AutomationsState.set_run_automation, page, str(tagger.id))
    _go(AutomationsState.show_run, page, page.runs[0].id)
    assert page.run_detail.status == "success" and [s.type for s in page.run_steps] == ["add_tag"]
    # a replayed version changes nothing
    before = list(page.runs)
    _go(AutomationsState.live_changed, page, version)
    assert page.runs == before


def test_agents_see_live_runs_of_their_leads_only(make_state, owner, jobs, monkeypatch) -> None:
    agent = add_member(owner, "agent")
    hot = make_tag(owner, "Hot")
    make_automation(
        owner, name="Tagger", trigger="lead_created", actions=[{"type": "add_tag", "tag_id": hot}]
    )
    state = make_state(AutomationsState, token=web_cookie(agent.email), path="/automations")
    _go(AutomationsState.load, state)
    shared = _link(state, owner.workspace_id)
    _go(AutomationsState.live_changed, state, shared.version)
    mine = make_lead(owner, assignee_id=agent.user_id)
    make_lead(owner)
    drain(jobs)
    with unit_of_work() as session:
        runs = automations.list_runs(session=session, ctx=owner.ctx, filters=RunFilter())
    _relay(state, _run_events(owner.workspace_id, runs), monkeypatch)
    _go(AutomationsState.live_changed, state, current_version(owner.workspace_id))
    assert [r.lead for r in state.runs] == [mine.full_name]

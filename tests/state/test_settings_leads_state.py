"""Settings → Tags and Settings → Pipelines handlers, called directly (no server)."""

from __future__ import annotations

import asyncio
from typing import Any

from snapleads_app.state.settings_pipelines import SettingsPipelinesState
from snapleads_app.state.settings_tags import SettingsTagsState
from tests.factories import add_member, make_lead, register_owner
from tests.state.conftest import run
from tests.state.test_session_state import web_cookie


def _go(handler: Any, state: Any, *args: Any) -> list[Any]:
    return asyncio.run(run(handler, state, *args))


def _text(events: list[Any]) -> str:
    parts = []
    for event in events:
        if event is not None:
            parts.extend(str(value) for _, value in getattr(event, "args", ()))
            parts.append(str(event))
    return " ".join(parts)


def test_tags_create_rename_recolour_delete_with_counts(make_state) -> None:
    owner = register_owner("tania@example.com")
    state = make_state(SettingsTagsState, token=web_cookie(owner.email), path="/settings/tags")
    _go(SettingsTagsState.load, state)
    assert state.tags == [] and state.loaded and state.can_manage and state.can_create
    _go(SettingsTagsState.set_new_color, state, "#22c55e")
    _go(SettingsTagsState.create, state, {"name": "Hot"})
    assert [(t.name, t.color, t.lead_count) for t in state.tags] == [("Hot", "#22c55e", 0)]
    _go(SettingsTagsState.create, state, {"name": "hot"})
    assert state.error and len(state.tags) == 1  # names are unique, case-insensitive
    _go(SettingsTagsState.create, state, {"name": "   "})
    assert state.error and len(state.tags) == 1
    tag_id = state.tags[0].id
    make_lead(owner, tag_ids=[int(tag_id)])
    _go(SettingsTagsState.load, state)
    assert state.tags[0].lead_count == 1
    _go(SettingsTagsState.start_edit, state, tag_id)
    _go(SettingsTagsState.set_edit_name, state, "Quente")
    _go(SettingsTagsState.set_edit_color, state, "#ef4444")
    _go(SettingsTagsState.save_edit, state)
    assert state.editing_id == "" and [(t.name, t.color) for t in state.tags] == [("Quente", "#ef4444")]
    _go(SettingsTagsState.delete, state, tag_id)
    assert state.tags == []


def test_agents_create_tags_but_cannot_change_them(make_state) -> None:
    owner = register_owner("uli@example.com")
    agent = add_member(owner, "agent", "uli-agent@example.com")
    state = make_state(SettingsTagsState, token=web_cookie(agent.email), path="/settings/tags")
    _go(SettingsTagsState.load, state)
    assert state.can_create and not state.can_manage
    _go(SettingsTagsState.create, state, {"name": "Mine"})
    events = _go(SettingsTagsState.delete, state, state.tags[0].id)
    assert "Seu papel" in _text(events) and len(state.tags) == 1


def test_pipelines_create_rename_add_reorder_delete(make_state) -> None:
    owner = register_owner("vitor@example.com")
    state = make_state(SettingsPipelinesState, token=web_cookie(owner.email), path="/settings/pipelines")
    _go(SettingsPipelinesState.load, state)
    assert [p.name for p in state.pipelines] == ["Sales"] and state.pipelines[0].is_default
    assert len(state.pipelines[0].stages) == 7 and state.can_manage
    _go(
        SettingsPipelinesState.create_pipeline,
        state,
        {"name": "Parcerias", "stages": "Lead\n\nReunião\nFechado"},
    )
    partners = state.pipelines[1]
    assert partners.name == "Parcerias" and [s.name for s in partners.stages] == [
        "Lead",
        "Reunião",
        "Fechado",
    ]
    _go(SettingsPipelinesState.create_pipeline, state, {"name": "Empty", "stages": ""})
    assert state.error and len(state.pipelines) == 2
    _go(SettingsPipelinesState.add_stage, state, partners.id, {"stage_name": "Perdido"})
    _go(SettingsPipelinesState.move_stage, state, partners.id, state.pipelines[1].stages[3].id, -1)
    assert [s.name for s in state.pipelines[1].stages] == ["Lead", "Reunião", "Perdido", "Fechado"]
    _go(SettingsPipelinesState.rename_stage, state, state.pipelines[1].stages[0].id, "Contato")
    _go(SettingsPipelinesState.rename_pipeline, state, partners.id, "Parceiros")
    assert state.pipelines[1].name == "Parceiros" and state.pipelines[1].stages[0].name == "Contato"
    _go(SettingsPipelinesState.delete_stage, state, state.pipelines[1].stages[2].id)
    assert [s.name for s in state.pipelines[1].stages] == ["Contato", "Reunião", "Fechado"]
    # The default pipeline: stages renamable, not deletable.
    default_stage = state.pipelines[0].stages[0]
    _go(SettingsPipelinesState.rename_stage, state, default_stage.id, "Entrada")
    assert state.pipelines[0].stages[0].name == "Entrada"
    events = _go(SettingsPipelinesState.delete_stage, state, default_stage.id)
    assert "toast" in _text(events) and len(state.pipelines[0].stages) == 7
    _go(SettingsPipelinesState.delete_pipeline, state, partners.id)
    assert [p.name for p in state.pipelines] == ["Sales"]


def test_viewers_see_pipelines_read_only(make_state) -> None:
    owner = register_owner("wanda@example.com")
    viewer = add_member(owner, "viewer", "wanda-viewer@example.com")
    state = make_state(SettingsPipelinesState, token=web_cookie(viewer.email), path="/settings/pipelines")
    _go(SettingsPipelinesState.load, state)
    assert not state.can_manage and len(state.pipelines) == 1
    events = _go(SettingsPipelinesState.rename_pipeline, state, state.pipelines[0].id, "Mine")
    assert "Seu papel" in _text(events)

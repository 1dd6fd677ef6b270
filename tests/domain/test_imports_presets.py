"""Saved column mappings (presets) per workspace: save, replace by name, roles, tenancy, applying."""

from __future__ import annotations

import pytest

from snapleads_app.core.db import unit_of_work
from snapleads_app.core.errors import InvalidInput, NotFound, PermissionDenied
from snapleads_app.domain.imports import service as imports
from snapleads_app.domain.imports.mapping import apply_preset
from snapleads_app.domain.imports.models import MappingPresetIn
from tests.factories import add_member, register_owner

PT_EXPORT = {"Nome": "full_name", "E-mail": "email", "Celular": "phone", "Loja": "custom:loja"}


def _save(member, name, mapping):
    with unit_of_work() as session:
        return imports.save_preset(
            session=session, ctx=member.ctx, data=MappingPresetIn(name=name, mapping=mapping)
        )


def _list(member):
    with unit_of_work() as session:
        return imports.list_presets(session=session, ctx=member.ctx)


def _delete(member, preset_id):
    with unit_of_work() as session:
        imports.delete_preset(session=session, ctx=member.ctx, preset_id=preset_id)


def test_presets_are_saved_per_workspace_and_replaced_by_name_in_any_case():
    owner, other = register_owner(), register_owner()
    first = _save(owner, "Planilha da loja", PT_EXPORT)
    replaced = _save(owner, "PLANILHA DA LOJA", {**PT_EXPORT, "Celular": "ignore"})
    assert replaced.id == first.id and replaced.mapping["Celular"] == "ignore"
    _save(owner, "Exportação LinkedIn", {"Profile": "profile_url"})
    assert [p.name for p in _list(owner)] == ["Exportação LinkedIn", "PLANILHA DA LOJA"]
    assert _list(other) == []
    with pytest.raises(NotFound):  # another workspace's preset: 404, never 403
        _delete(other, first.id)
    _delete(owner, first.id)
    assert [p.name for p in _list(owner)] == ["Exportação LinkedIn"]


def test_roles_agents_add_but_do_not_replace_or_delete_viewers_do_nothing():
    owner = register_owner()
    agent, viewer = add_member(owner, "agent"), add_member(owner, "viewer")
    team = _save(owner, "Time", PT_EXPORT)
    mine = _save(agent, "Do agente", {"Nome": "full_name"})
    assert {p.name for p in _list(agent)} == {"Time", "Do agente"}
    with pytest.raises(PermissionDenied):
        _save(agent, "time", {"Nome": "company"})
    with pytest.raises(PermissionDenied):
        _delete(agent, team.id)
    with pytest.raises(PermissionDenied):
        _save(viewer, "Leitor", {"Nome": "full_name"})
    assert [p.name for p in _list(viewer)] == ["Do agente", "Time"]  # reading is fine
    _delete(owner, mine.id)


def test_an_invalid_preset_names_each_bad_column_and_is_not_saved():
    owner = register_owner()
    with pytest.raises(InvalidInput) as err:
        _save(owner, "Ruim", {"A": "email", "B": "email", "C": "nonsense"})
    assert err.value.errors == {"mapping.B": "duplicate_target", "mapping.C": "unknown_target"}
    assert _list(owner) == []


def test_applying_a_preset_to_a_new_file():
    headers = ["nome", "E-mail", "Telefone", "Cidade"]
    auto = {"nome": "full_name", "E-mail": "email", "Telefone": "phone", "Cidade": "city"}
    preset = {"Nome": "company", "E-mail": "ignore", "Celular": "phone", "Telefone": "custom:fixo"}
    assert apply_preset(preset, headers, auto) == {
        "nome": "company",  # same header up to case
        "E-mail": "ignore",
        "Telefone": "custom:fixo",
        "Cidade": "city",  # unknown to the preset: keeps its auto-mapping
    }
    # Two columns feeding one field after applying: the later one is ignored, never a broken mapping.
    assert apply_preset({"A": "email"}, ["A", "B"], {"A": "full_name", "B": "email"}) == {
        "A": "email",
        "B": "ignore",
    }

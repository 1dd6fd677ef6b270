"""CSV import wizard, job history and the import relay, called directly (no server)."""

from __future__ import annotations

import asyncio
import base64
import io
import re
from pathlib import Path
from typing import Any

import pytest
import reflex as rx

from snapleads_app.core.events import DomainEvent, get_bus
from snapleads_app.domain.imports import runner
from snapleads_app.domain.imports import service as imports_service
from snapleads_app.state import realtime_imports
from snapleads_app.state.imports import ImportsState, JobRow, job_row, service_mapping
from snapleads_app.state.realtime import PUSH_HUB, VERSIONS, handlers
from snapleads_app.state.realtime_imports import (
    ImportsLiveState,
    ImportsShared,
    channel_for,
    imports_token,
    merge_job,
    prepare_pushes,
)
from tests.factories import add_member, register_owner
from tests.state.conftest import run
from tests.state.test_session_state import web_cookie

# pt-BR export: ";" separated, one invalid e-mail (Bruno), one duplicate row (Ana again).
CSV_PT = (
    "Nome;E-mail;Telefone;Empresa;Instagram\n"
    "Ana Souza;ana@exemplo.com.br;(11) 98765-4321;Padaria Sol;@ana.souza\n"
    "Bruno Lima;bruno@@exemplo;(21) 99876-5432;Lima & Cia;@bruno.lima\n"
    "Carla Dias;carla@exemplo.com;11 3456-7890;Açaí Bom;@carla.dias\n"
    "Ana Souza;ana@exemplo.com.br;(11) 98765-4321;Padaria Sol;@ana.souza\n"
    "Diego Alves;diego@exemplo.com;;Oficina Dez;@diego.alves\n"
)


def _go(handler: Any, state: Any, *args: Any) -> list[Any]:
    return asyncio.run(run(handler, state, *args))


def _text(events: list[Any]) -> str:
    parts = []
    for event in events:
        if event is None:
            continue
        parts.append(str(getattr(getattr(event, "handler", None), "fn", event)))
        parts.extend(str(value) for _, value in getattr(event, "args", ()))
        parts.append(str(event))
    return " ".join(parts)


def _file(content: bytes, name: str = "leads.csv") -> list[rx.UploadFile]:
    return [rx.UploadFile(file=io.BytesIO(content), path=Path(name))]


def _incoming() -> set[Path]:
    folder = imports_service.UPLOAD_DIR
    return set(folder.glob("incoming-*.csv")) if folder.exists() else set()


@pytest.fixture
def owner() -> Any:
    realtime_imports._jobs.clear()  # job ids start over with the database: the leader's filter too
    return register_owner("iris@example.com", workspace="Iris Vendas")


@pytest.fixture
def wizard(make_state, owner) -> ImportsState:
    state = make_state(ImportsState, token=web_cookie(owner.email), path="/imports")
    _go(ImportsState.load, state)
    return state


def _upload(state: ImportsState, content: bytes, name: str = "leads.csv") -> list[Any]:
    events = _go(ImportsState.handle_upload, state, _file(content, name))
    if "inspect" in _text(events):
        events += _go(ImportsState.inspect, state)
    return events


def _events_of(fn: Any) -> list[DomainEvent]:
    """Run `fn()` and return the domain events published meanwhile (in-process or Redis bus)."""
    seen: list[DomainEvent] = []
    unsubscribe = get_bus().subscribe(seen.append)
    try:
        fn()
        if not any(e.type == "import.completed" for e in seen):
            import time

            deadline = time.monotonic() + 5  # the Redis bus delivers on its own thread
            while time.monotonic() < deadline and not any(e.type == "import.completed" for e in seen):
                time.sleep(0.02)
    finally:
        unsubscribe()
    return [e for e in seen if e.type.startswith("import.")]


def _relay(state: ImportsState, events: list[DomainEvent]) -> list[str]:
    """The relay's pushes for `events`, delivered in this process (whether or not Redis carried them),
    each handed to the page's watcher as the browser would; returns the channels pushed to."""
    channels: list[str] = []
    mine = asyncio.run(state._ctx())
    for event in events:
        pushes, _ = prepare_pushes(event)
        for push in pushes:
            channels.append(push.channel)
            asyncio.run(PUSH_HUB.deliver(object(), push))
            if push.channel == channel_for(mine):
                _go(
                    ImportsState.live_changed,
                    state,
                    push.delta[ImportsShared.get_full_name()]["version_rx_state_"],
                )
    return channels


# ---------------------------------------------------------------- load and permissions


def test_without_session_the_page_redirects_to_login(make_state) -> None:
    state = make_state(ImportsState, path="/imports")
    assert "/login" in _text(_go(ImportsState.load, state))
    assert not state.loaded


def test_load_sets_permissions_history_and_links_live(make_state, owner) -> None:
    state = make_state(ImportsState, token=web_cookie(owner.email), path="/imports")
    events = _go(ImportsState.load, state)
    assert "link" in _text(events)
    assert state.loaded and state.can_import and state.can_assign
    assert state.step == "upload" and state.history == []
    assert [m.label for m in state.member_options] == ["Olivia Owner"]


def test_viewer_cannot_upload_and_agent_cannot_assign(make_state, owner) -> None:
    viewer = add_member(owner, "viewer")
    agent = add_member(owner, "agent")
    as_viewer = make_state(ImportsState, token=web_cookie(viewer.email), path="/imports")
    _go(ImportsState.load, as_viewer)
    assert not as_viewer.can_import
    before = _incoming()
    _go(ImportsState.handle_upload, as_viewer, _file(CSV_PT.encode()))
    assert as_viewer.file_error and as_viewer.step == "upload" and _incoming() == before

    as_agent = make_state(ImportsState, token=web_cookie(agent.email), path="/imports")
    _go(ImportsState.load, as_agent)
    assert as_agent.can_import and not as_agent.can_assign
    as_agent.assignee_policy = "round_robin"  # a crafted event cannot widen the role
    assert as_agent._options().assignee_policy == "none"


# ---------------------------------------------------------------- the whole wizard


def test_upload_inspect_map_start_progress_result_and_rejected_rows(wizard, owner, jobs) -> None:
    _upload(wizard, CSV_PT.encode("cp1252"), "clientes.csv")
    assert wizard.step == "mapping" and not wizard.inspecting and wizard.file_error == ""
    assert wizard.file_name == "clientes.csv"
    assert wizard.separator == "semicolon" and wizard.encoding in ("cp1252", "latin-1")
    assert wizard.has_header and wizard.estimated_rows == 5
    assert wizard.headers == ["Nome", "E-mail", "Telefone", "Empresa", "Instagram"]
    assert wizard.preview_rows[2][3] == "Açaí Bom"
    targets = {c.header: c.target for c in wizard.columns}
    assert targets == {
        "Nome": "first_name",
        "E-mail": "email",
        "Telefone": "phone",
        "Empresa": "company",
        "Instagram": "instagram",
    }
    assert next(c for c in wizard.columns if c.header == "E-mail").samples[:2] == [
        "ana@exemplo.com.br",
        "bruno@@exemplo",
    ]
    # The user fixes the mapping: "Nome" holds the whole name; the phone is not wanted.
    _go(ImportsState.set_target, wizard, "Nome", "full_name")
    _go(ImportsState.set_target, wizard, "Telefone", "ignore")
    _go(ImportsState.set_tags_text, wizard, "Feira, Feira , Newsletter")
    _go(ImportsState.set_platform, wizard, "instagram")

    _go(ImportsState.start_import, wizard)
    assert wizard.mapping_error == ""
    assert wizard.step == "running" and wizard.current.status == "queued" and wizard.current.running
    assert wizard.history[0].id == wizard.current.id and wizard.history[0].who == "Olivia Owner"
    assert jobs == [("imports.run", {"job_id": int(wizard.current.id)})]
    assert wizard._upload_path == ""  # the job owns the file now

    job_id = int(wizard.current.id)
    events = _events_of(lambda: runner.run(job_id, chunk_rows=2))
    assert [e.type for e in events][-1] == "import.completed"
    channels = _relay(wizard, events)
    assert set(channels) == {
        imports_token(owner.workspace_id),
        imports_token(owner.workspace_id, owner.user_id),
    }

    done = wizard.current
    assert wizard.step == "result" and done.status == "completed" and done.progress == 100
    assert (done.created, done.updated, done.duplicates, done.errors) == (3, 0, 1, 1)
    assert done.total == 5 and wizard.history[0].status == "completed"

    download = _text(_go(ImportsState.download_rejected, wizard, str(job_id)))
    assert f"import-{job_id}-rejected.csv" in download
    encoded = re.search(r"base64,([A-Za-z0-9+/=]+)", download)
    assert encoded is not None
    rejected = base64.b64decode(encoded.group(1)).decode("utf-8-sig")
    assert rejected.splitlines()[0].startswith("row,") and rejected.splitlines()[0].endswith(",error")
    # The error names the row (2) and the column as the file calls it ("E-mail").
    assert rejected.splitlines()[1].startswith("2,") and "bruno@@exemplo" in rejected
    assert "E-mail: invalid e-mail" in rejected

    # Another file: back to step 1, the finished job stays in the history.
    _go(ImportsState.start_over, wizard)
    assert wizard.step == "upload" and wizard.current.id == "" and wizard.history[0].id == str(job_id)


def test_header_toggle_reinspects_the_file(wizard) -> None:
    _upload(wizard, CSV_PT.encode())
    assert wizard.has_header
    assert "inspect" in _text(_go(ImportsState.set_has_header, wizard, False))
    _go(ImportsState.inspect, wizard, False)
    assert not wizard.has_header and wizard.step == "mapping"
    assert wizard.preview_rows[0][0] == "Nome"  # the first line is data now
    assert len(wizard.headers) == 5 and "Nome" not in wizard.headers


def test_unreadable_files_get_a_translated_message_and_are_deleted(wizard) -> None:
    before = _incoming()
    _upload(wizard, b"PK\x03\x04\x00\x00binary\x00\x00\xff\xfe" * 50, "planilha.csv")
    assert wizard.step == "upload"
    assert "CSV" in wizard.file_error or "Excel" in wizard.file_error
    assert _incoming() == before
    _upload(wizard, b"", "vazio.csv")
    assert wizard.step == "upload" and wizard.file_error


def test_invalid_mapping_is_reported_and_no_job_starts(wizard, jobs) -> None:
    _upload(wizard, CSV_PT.encode())
    _go(ImportsState.set_target, wizard, "Empresa", "email")  # two columns feed the e-mail
    _go(ImportsState.start_import, wizard)
    assert wizard.mapping_error and wizard.step == "mapping" and jobs == []
    # The error sits on the column that feeds the e-mail a second time; the others stay clean.
    errors = {c.header: c.error for c in wizard.columns}
    assert errors["Empresa"] and "e-mail" not in errors["Empresa"].lower()
    assert [h for h, e in errors.items() if e] == ["Empresa"]
    _go(ImportsState.set_target, wizard, "Empresa", "nonsense")  # not a target: ignored
    assert next(c for c in wizard.columns if c.header == "Empresa").target == "email"
    _go(ImportsState.set_target, wizard, "Empresa", "company")  # fixed: its error goes
    assert all(c.error == "" for c in wizard.columns)


def test_a_mapping_saved_under_a_name_is_offered_and_applied_to_the_next_file(wizard) -> None:
    _upload(wizard, CSV_PT.encode())
    _go(ImportsState.set_target, wizard, "Empresa", "headline")
    _go(ImportsState.set_target, wizard, "Telefone", "ignore")
    _go(ImportsState.set_preset_name, wizard, "Planilha da loja")
    _go(ImportsState.save_preset, wizard)
    assert [o.label for o in wizard.preset_options] == ["Planilha da loja"]
    _go(ImportsState.start_over, wizard)
    _upload(wizard, CSV_PT.encode())  # the same shape again: auto-mapped afresh
    _go(ImportsState.load_presets, wizard)
    assert next(c for c in wizard.columns if c.header == "Empresa").target == "company"
    _go(ImportsState.apply_preset, wizard, wizard.preset_options[0].value)
    targets = {c.header: c.target for c in wizard.columns}
    assert targets["Empresa"] == "headline" and targets["Telefone"] == "ignore"
    assert targets["E-mail"] == "email" and wizard.preset_choice == wizard.preset_options[0].value


def test_custom_fields_keep_unknown_columns(wizard) -> None:
    _upload(wizard, b"Nome;Data de Nascimento\nAna;01/02/1990\n")
    col = next(c for c in wizard.columns if c.header == "Data de Nascimento")
    assert col.target == "custom" and col.custom == "data_de_nascimento"
    _go(ImportsState.set_custom_name, wizard, "Data de Nascimento", "Aniversário")
    assert service_mapping(wizard.columns)["Data de Nascimento"] == "custom:aniversario"


def test_cancel_a_queued_import(wizard, jobs) -> None:
    _upload(wizard, CSV_PT.encode())
    _go(ImportsState.start_import, wizard)
    job_id = wizard.current.id
    events = _go(ImportsState.cancel_import, wizard, job_id)
    assert "Cancel" in _text(events) or "Cancelando" in _text(events)
    assert wizard.current.status == "cancelled" and wizard.step == "result"
    assert wizard.history[0].status == "cancelled"
    # Cancelling again is refused with a translated toast.
    assert "toast" in _text(_go(ImportsState.cancel_import, wizard, job_id)).lower()


def test_coming_back_follows_the_running_import(make_state, owner, wizard, jobs) -> None:
    _upload(wizard, CSV_PT.encode())
    _go(ImportsState.start_import, wizard)
    other_tab = make_state(ImportsState, token=web_cookie(owner.email), path="/imports", client_token="tab-2")
    _go(ImportsState.load, other_tab)
    assert other_tab.step == "running" and other_tab.current.id == wizard.current.id
    assert other_tab.running_count == 1


# ---------------------------------------------------------------- relay and shared state


def test_relay_handlers_are_registered_and_merge_keeps_the_newest() -> None:
    assert {"import.progress", "import.completed"} <= set(handlers())
    base = {"id": 7, "status": "processing", "processed": 4000, "created_by_id": 3}
    jobs = merge_job({}, base)
    assert jobs is not None and jobs["7"]["processed"] == 4000
    assert merge_job(jobs, {**base, "processed": 2000}) is None  # late, older snapshot
    done = merge_job(jobs, {**base, "status": "completed", "processed": 5000})
    assert done is not None and done["7"]["status"] == "completed"
    assert merge_job(done, {**base, "processed": 6000}) is None  # never back to running
    many: dict[str, dict[str, Any]] = {}
    for i in range(1, 40):
        many = merge_job(many, {"id": i, "status": "completed"}) or many
    assert len(many) == 30 and "1" not in many and "39" in many


def test_agents_join_their_own_imports_only(make_state, owner) -> None:
    agent = add_member(owner, "agent")
    PUSH_HUB.clear()
    state = make_state(ImportsLiveState, token=web_cookie(agent.email), path="/imports")
    shared = asyncio.run(state.get_state(ImportsShared))
    _go(ImportsLiveState.link, state)
    assert PUSH_HUB.members(imports_token(owner.workspace_id, agent.user_id)) == ["sid-1"]
    assert PUSH_HUB.members(imports_token(owner.workspace_id)) == []
    assert shared.version == 0  # nothing happened since the load: no write
    VERSIONS.bump(imports_token(owner.workspace_id, agent.user_id))  # a change before the (next) join
    _go(ImportsLiveState.link, state)
    assert shared.version == VERSIONS.current(imports_token(owner.workspace_id, agent.user_id))


def test_missed_pushes_read_the_jobs_from_the_database(wizard, jobs) -> None:
    _upload(wizard, CSV_PT.encode())
    _go(ImportsState.start_import, wizard)
    job_id = int(wizard.current.id)
    events = _events_of(lambda: runner.run(job_id, chunk_rows=2))
    pushes: list[Any] = []
    for event in events:
        pushes += prepare_pushes(event)[0]
    last = pushes[-1]  # the browser only gets the last one (several versions after the load)
    _go(ImportsState.live_changed, wizard, last.delta[ImportsShared.get_full_name()]["version_rx_state_"])
    assert wizard.step == "result" and wizard.current.status == "completed"
    assert wizard.history[0].status == "completed"


def test_live_rows_from_relay_json() -> None:
    row = job_row(
        {
            "id": 5,
            "file_name": "a.csv",
            "status": "processing",
            "progress": 41.7,
            "total": 100,
            "processed": 42,
            "created": 40,
            "updated": 0,
            "duplicates": 1,
            "errors": 1,
            "created_by_id": 2,
            "created_at": "2026-11-25T10:30:00+00:00",
        },
        {2: "Ana"},
    )
    assert row == JobRow(
        id="5",
        file_name="a.csv",
        status="processing",
        progress=41,
        total=100,
        processed=42,
        created=40,
        duplicates=1,
        errors=1,
        who="Ana",
        when="2026-11-25 10:30",
        running=True,
    )

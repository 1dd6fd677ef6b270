"""CSV import wizard and job history: upload → inspect → map → start → live progress → result.

The state only translates: the uploaded file goes to a temporary path, the import service sniffs it
(`inspect_csv`, in a thread), the user's choices become `ImportOptions` + a mapping, and the service
creates the job (it moves the file and enqueues the worker after commit). Progress arrives as pushes
(`ImportsShared`, state/realtime_imports.py); this state copies the pushed job into typed rows.
Rules (who may import or assign, mapping validity, dedup) are the import service's.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

import reflex as rx

from snapleads_app.core.context import Ctx
from snapleads_app.core.errors import InvalidInput
from snapleads_app.domain.accounts import rules
from snapleads_app.domain.accounts import service as accounts
from snapleads_app.domain.imports import mapping as mapping_rules
from snapleads_app.domain.imports import service as imports
from snapleads_app.domain.imports.models import ImportJobPublic, ImportOptions, MappingPresetIn
from snapleads_app.i18n import t
from snapleads_app.state.base import guarded, run_blocking, run_service
from snapleads_app.state.realtime_imports import FINAL_STATUSES, ImportsLiveState, pushed_job, start_live
from snapleads_app.state.session import SessionState

MAX_UPLOAD_BYTES = 200 * 1024 * 1024
PREVIEW_ROWS = 5
SAMPLES = 3
HISTORY_LIMIT = 20
LEAD_FIELDS: tuple[str, ...] = tuple(mapping_rules.LEAD_FIELDS)
TARGETS: tuple[str, ...] = (*LEAD_FIELDS, "custom", mapping_rules.IGNORE)
PLATFORMS = ("instagram", "facebook", "linkedin", "twitter", "tiktok", "whatsapp", "other")
DUPLICATE_POLICIES = ("skip", "fill", "overwrite")
ASSIGNEE_POLICIES = ("none", "fixed", "round_robin")
SEPARATORS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
FILE_ERRORS = ("empty_file", "binary_file", "not_csv", "undecodable_text", "file_too_large", "no_columns")
# react-dropzone rejection codes → our file error codes
DROP_ERRORS = {
    "file-too-large": "file_too_large",
    "file-invalid-type": "not_csv",
    "too-many-files": "one_file",
}
STEPS = ("upload", "mapping", "running", "result")


@dataclasses.dataclass
class ColumnRow:
    """One CSV column in the mapping table."""

    header: str = ""
    target: str = ""  # a lead field, "custom" or "ignore" (the select's value)
    custom: str = ""  # custom field key when target == "custom"
    samples: list[str] = dataclasses.field(default_factory=list)
    error: str = ""  # what is wrong with this column's mapping (shown under its select)


@dataclasses.dataclass
class JobRow:
    id: str = ""
    file_name: str = ""
    source: str = ""
    status: str = ""
    progress: int = 0
    total: int = 0
    processed: int = 0
    created: int = 0
    updated: int = 0
    duplicates: int = 0
    errors: int = 0
    error: str = ""
    who: str = ""
    when: str = ""
    running: bool = False


@dataclasses.dataclass
class MemberOption:
    value: str = ""
    label: str = ""


def _when(value: Any) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value[:16]
    return value.strftime("%Y-%m-%d %H:%M")


def job_row(job: ImportJobPublic | dict[str, Any], members: dict[int, str]) -> JobRow:
    """A public job (the service's DTO, or its JSON as the relay carries it) → a table row."""
    data = job.model_dump() if isinstance(job, ImportJobPublic) else job
    status = str(data.get("status") or "")
    return JobRow(
        id=str(data.get("id") or ""),
        file_name=str(data.get("file_name") or data.get("source") or ""),
        source=str(data.get("source") or ""),
        status=status,
        progress=max(0, min(100, int(float(data.get("progress") or 0)))),
        total=int(data.get("total") or 0),
        processed=int(data.get("processed") or 0),
        created=int(data.get("created") or 0),
        updated=int(data.get("updated") or 0),
        duplicates=int(data.get("duplicates") or 0),
        errors=int(data.get("errors") or 0),
        error=str(data.get("error") or ""),
        who=members.get(int(data.get("created_by_id") or 0), ""),
        when=_when(data.get("created_at")),
        running=status not in FINAL_STATUSES,
    )


def select_value(target: str) -> str:
    """The mapping select's value for a service target (`custom:<key>` → "custom")."""
    if target.startswith(mapping_rules.CUSTOM_PREFIX):
        return "custom"
    return target if target in TARGETS else mapping_rules.IGNORE


def column_rows(
    headers: list[str], mapping: dict[str, str], preview: list[dict[str, Any]]
) -> list[ColumnRow]:
    rows = []
    for header in headers:
        target = mapping.get(header, mapping_rules.IGNORE)
        samples = [str(r.get(header)).strip() for r in preview if str(r.get(header) or "").strip()]
        rows.append(
            ColumnRow(
                header=header,
                target=select_value(target),
                custom=target[len(mapping_rules.CUSTOM_PREFIX) :]
                if target.startswith(mapping_rules.CUSTOM_PREFIX)
                else mapping_rules.slug(header),
                samples=[s[:60] for s in samples[:SAMPLES]],
            )
        )
    return rows


def service_mapping(columns: list[ColumnRow]) -> dict[str, str]:
    """The mapping table → the service's {header: target}."""
    out: dict[str, str] = {}
    for col in columns:
        if col.target == "custom":
            out[col.header] = mapping_rules.CUSTOM_PREFIX + (col.custom or mapping_rules.slug(col.header))
        else:
            out[col.header] = col.target if col.target in TARGETS else mapping_rules.IGNORE
    return out


def _with_target(column: ColumnRow, target: str) -> ColumnRow:
    custom = (
        target[len(mapping_rules.CUSTOM_PREFIX) :] if target.startswith(mapping_rules.CUSTOM_PREFIX) else ""
    )
    return dataclasses.replace(column, target=select_value(target), custom=custom or column.custom, error="")


def _mapping_problem(code: str | None, lang: str) -> str:
    if not code:
        return ""
    known = code if code in mapping_rules.MAPPING_PROBLEMS else "unknown_target"
    return t(f"imports.mapping_problem.{known}", lang)


def split_tags(text: str) -> list[str]:
    return list(dict.fromkeys(tag.strip()[:50] for tag in text.split(",") if tag.strip()))[:20]


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} B"


def _save_upload(source: Any) -> tuple[Path, int]:
    """Blocking: store the upload where an import job can take it over (the domain owns the folder)."""
    target = imports.store_upload(source)
    return target, target.stat().st_size


def _discard(path: str) -> None:
    if path:
        Path(path).unlink(missing_ok=True)


def _rejected_text(*, session: Any, ctx: Ctx, job_id: int) -> str:
    return "".join(imports.rejected_rows_csv(session=session, ctx=ctx, job_id=job_id))


class ImportsState(SessionState):
    # wizard
    step: rx.Field[str] = rx.field("upload")
    uploading: rx.Field[bool] = rx.field(False)
    upload_pct: rx.Field[int] = rx.field(0)
    inspecting: rx.Field[bool] = rx.field(False)
    file_error: rx.Field[str] = rx.field("")
    file_name: rx.Field[str] = rx.field("")
    file_size: rx.Field[str] = rx.field("")
    encoding: rx.Field[str] = rx.field("")
    separator: rx.Field[str] = rx.field("")  # comma | semicolon | tab | pipe
    has_header: rx.Field[bool] = rx.field(True)
    estimated_rows: rx.Field[int] = rx.field(0)
    headers: rx.Field[list[str]] = rx.field(default_factory=list)
    preview_rows: rx.Field[list[list[str]]] = rx.field(default_factory=list)
    columns: rx.Field[list[ColumnRow]] = rx.field(default_factory=list)
    mapping_error: rx.Field[str] = rx.field("")
    # saved mappings of the workspace (picker + "save as")
    preset_options: rx.Field[list[MemberOption]] = rx.field(default_factory=list)
    preset_choice: rx.Field[str] = rx.field("")
    preset_name: rx.Field[str] = rx.field("")
    # options
    duplicate_policy: rx.Field[str] = rx.field("skip")
    tags_text: rx.Field[str] = rx.field("")
    platform: rx.Field[str] = rx.field("auto")
    assignee_policy: rx.Field[str] = rx.field("none")
    assignee_id: rx.Field[str] = rx.field("")
    member_options: rx.Field[list[MemberOption]] = rx.field(default_factory=list)
    can_import: rx.Field[bool] = rx.field(False)
    can_assign: rx.Field[bool] = rx.field(False)
    starting: rx.Field[bool] = rx.field(False)
    # jobs
    current: rx.Field[JobRow] = rx.field(default_factory=JobRow)
    history: rx.Field[list[JobRow]] = rx.field(default_factory=list)
    loaded: rx.Field[bool] = rx.field(False)
    # backend only
    _upload_path: str = ""
    _layout: str = ""  # the detected layout as JSON (handed back to the service unchanged)
    _members: dict[int, str] = {}  # noqa: RUF012
    _presets: dict[str, dict[str, str]] = {}  # noqa: RUF012 - preset id → its mapping
    _live_seen: int = 0

    # ------------------------------------------------------------ computed

    @rx.var
    def running_count(self) -> int:
        return sum(1 for job in self.history if job.running)

    @rx.var
    def ignored_count(self) -> int:
        return sum(1 for col in self.columns if col.target == mapping_rules.IGNORE)

    # ------------------------------------------------------------ load and live

    async def _load_history(self, ctx: Ctx) -> None:
        jobs = await run_service(imports.list_jobs, ctx=ctx, limit=HISTORY_LIMIT)
        self.history = [job_row(job, self._members) for job in jobs]

    @rx.event
    @guarded
    async def load(self):
        ctx = await self._ctx()
        # Every change numbered up to here is in what this load reads; later ones make live_changed catch up.
        self._live_seen = await start_live(self, ctx)
        self.can_import = rules.can(ctx.role, "leads.create")
        self.can_assign = rules.can(ctx.role, "leads.assign")
        members = await run_service(accounts.list_members, ctx=ctx)
        self._members = {m.user_id: m.full_name for m in members}
        self.member_options = [MemberOption(value=str(m.user_id), label=m.full_name) for m in members]
        await self._load_history(ctx)
        if self.step in ("running", "result") and self.current.id:
            fresh = next((j for j in self.history if j.id == self.current.id), None)
            if fresh is not None:
                self._show(fresh)
        elif self.step == "upload":
            # The page may be left and come back: follow the newest running import, if any.
            running = next((j for j in self.history if j.running), None)
            if running is not None:
                self.current = running
                self.step = "running"
        self.loaded = True
        return ImportsLiveState.link

    def _show(self, row: JobRow) -> None:
        self.current = row
        if self.step in ("running", "result"):
            self.step = "running" if row.running else "result"

    @rx.event
    @guarded
    async def live_changed(self, version: int):
        """An import job changed: copy the pushed job into the rows this page shows (no database read),
        or, after missed pushes, read the jobs from the database."""
        version = int(version or 0)
        if version <= self._live_seen:
            return
        missed = version > self._live_seen + 1
        self._live_seen = version
        ctx = await self._ctx()
        job = None if missed else pushed_job(ctx, version)
        if job is None:
            jobs = await run_service(imports.list_jobs, ctx=ctx, limit=HISTORY_LIMIT)
            rows = {str(j.id): job_row(j, self._members) for j in jobs}
        else:
            rows = {str(job.get("id") or ""): job_row(job, self._members)}
        if not rows:
            return

        def fresher(old: JobRow) -> JobRow:
            new = rows.get(old.id)
            # An older snapshot never turns a finished job back into a running one.
            return old if new is None or (not old.running and new.running) else new

        known = {job.id for job in self.history}
        added = sorted((r for k, r in rows.items() if k not in known), key=lambda r: -int(r.id or 0))
        self.history = [*added, *(fresher(job) for job in self.history)][:HISTORY_LIMIT]
        if self.current.id in rows:
            self._show(fresher(self.current))

    # ------------------------------------------------------------ step 1: upload

    @rx.event
    def upload_progress(self, progress: dict[str, Any]) -> None:
        self.uploading = True
        self.file_error = ""
        self.upload_pct = max(0, min(100, int(float(progress.get("progress") or 0) * 100)))

    @rx.event
    def drop_rejected(self, rejected: list[dict[str, Any]]) -> None:
        codes = [str(err.get("code", "")) for item in rejected for err in item.get("errors", [])]
        code = next((DROP_ERRORS[c] for c in codes if c in DROP_ERRORS), "not_csv")
        self.uploading = False
        self.file_error = t(f"imports.file_error.{code}", self.lang)

    @rx.event
    @guarded
    async def handle_upload(self, files: list[rx.UploadFile]):
        self.uploading = False
        self.upload_pct = 0
        ctx = await self._ctx()
        if not rules.can(ctx.role, "leads.create"):
            self.file_error = t("error.forbidden_for_role", self.lang)
            return None
        if not files:
            return None
        upload = files[0]
        _discard(self._upload_path)
        path, size = await run_blocking(_save_upload, upload.file)
        self._upload_path = str(path)
        self.file_name = (upload.name or "import.csv")[:255]
        self.file_size = human_size(size)
        self.inspecting = True
        return ImportsState.inspect

    @rx.event
    @guarded
    async def inspect(self, has_header_row: bool | None = None):
        """Sniff the uploaded file (in a thread) and fill the preview and the mapping table."""
        await self._ctx()
        self.inspecting = True
        try:
            if not self._upload_path or not Path(self._upload_path).exists():
                self._reset_wizard()
                return None
            try:
                found = await run_blocking(
                    imports.inspect_csv, Path(self._upload_path), has_header_row=has_header_row
                )
            except imports.ImportFileError as exc:
                _discard(self._upload_path)
                self._upload_path = ""
                code = exc.code if exc.code in FILE_ERRORS else "not_csv"
                self.file_error = t(f"imports.file_error.{code}", self.lang)
                self.step = "upload"
                return None
        finally:
            self.inspecting = False
        self._layout = json.dumps(found.layout)
        self.file_error = ""
        self.mapping_error = ""
        self.encoding = str(found.layout.get("encoding", ""))
        self.separator = SEPARATORS.get(str(found.layout.get("separator", "")), "comma")
        self.has_header = bool(found.layout.get("has_header_row", True))
        self.estimated_rows = found.estimated_rows
        self.headers = list(found.headers)
        preview = found.preview[:PREVIEW_ROWS]
        self.preview_rows = [[str(row.get(h) or "") for h in found.headers] for row in preview]
        self.columns = column_rows(found.headers, found.mapping, found.preview)
        self.step = "mapping"
        self.preset_choice = ""
        return ImportsState.load_presets

    # ------------------------------------------------------------ saved mappings

    @rx.event
    @guarded
    async def load_presets(self) -> None:
        ctx = await self._ctx()
        presets = await run_service(imports.list_presets, ctx=ctx)
        self._presets = {str(p.id): dict(p.mapping) for p in presets}
        self.preset_options = [MemberOption(value=str(p.id), label=p.name) for p in presets]

    @rx.event
    def apply_preset(self, preset_id: str) -> None:
        """Re-map the columns with a saved mapping (columns it does not know keep their current target)."""
        preset = self._presets.get(str(preset_id))
        if preset is None:
            return
        current = service_mapping(self.columns)
        chosen = mapping_rules.apply_preset(preset, [c.header for c in self.columns], current)
        self.columns = [_with_target(c, chosen.get(c.header, mapping_rules.IGNORE)) for c in self.columns]
        self.preset_choice = str(preset_id)
        self.preset_name = next((o.label for o in self.preset_options if o.value == str(preset_id)), "")
        self.mapping_error = ""

    @rx.event
    def set_preset_name(self, value: str) -> None:
        self.preset_name = str(value)[:80]

    @rx.event
    @guarded
    async def save_preset(self):
        ctx = await self._ctx()
        name = self.preset_name.strip()
        if not name:
            return rx.toast.error(t("imports.preset_name_required", self.lang))
        saved = await run_service(
            imports.save_preset,
            ctx=ctx,
            data=MappingPresetIn(name=name, mapping=service_mapping(self.columns)),
        )
        await self.load_presets()
        self.preset_choice = str(saved.id)
        return rx.toast.success(t("imports.preset_saved", self.lang, name=saved.name))

    @rx.event
    def set_has_header(self, checked: bool):
        return ImportsState.inspect(bool(checked))

    # ------------------------------------------------------------ step 2: mapping and options

    @rx.event
    def set_target(self, header: str, target: str) -> None:
        if target not in TARGETS:
            return
        self.mapping_error = ""
        self.columns = [
            dataclasses.replace(c, target=target, error="") if c.header == header else c for c in self.columns
        ]

    @rx.event
    def set_custom_name(self, header: str, name: str) -> None:
        key = mapping_rules.slug(str(name)) if str(name).strip() else ""
        self.columns = [
            dataclasses.replace(c, custom=key, error="") if c.header == header else c for c in self.columns
        ]

    @rx.event
    def set_duplicate_policy(self, value: str) -> None:
        if value in DUPLICATE_POLICIES:
            self.duplicate_policy = value

    @rx.event
    def set_tags_text(self, value: str) -> None:
        self.tags_text = str(value)[:500]

    @rx.event
    def set_platform(self, value: str) -> None:
        if value == "auto" or value in PLATFORMS:
            self.platform = value

    @rx.event
    def set_assignee_policy(self, value: str) -> None:
        if value in ASSIGNEE_POLICIES:
            self.assignee_policy = value

    @rx.event
    def set_assignee_id(self, value: str) -> None:
        self.assignee_id = value if str(value).isdigit() else ""

    def _reset_wizard(self) -> None:
        _discard(self._upload_path)
        self._upload_path = ""
        self._layout = ""
        self.step = "upload"
        self.uploading = False
        self.upload_pct = 0
        self.inspecting = False
        self.file_name = ""
        self.file_size = ""
        self.headers = []
        self.preview_rows = []
        self.columns = []
        self.mapping_error = ""
        self.preset_choice = ""
        self.starting = False

    @rx.event
    def start_over(self):
        self._reset_wizard()
        self.file_error = ""
        self.current = JobRow()
        return rx.clear_selected_files("csv-upload")

    # ------------------------------------------------------------ step 3: start, progress, cancel

    def _options(self) -> ImportOptions:
        policy = self.assignee_policy if self.can_assign else "none"
        return ImportOptions.model_validate(
            {
                "platform": None if self.platform == "auto" else self.platform,
                "duplicate_policy": self.duplicate_policy,
                "tags": split_tags(self.tags_text),
                "assignee_policy": policy,
                "assignee_id": int(self.assignee_id) if policy == "fixed" and self.assignee_id else None,
            }
        )

    @rx.event
    @guarded
    async def start_import(self):
        ctx = await self._ctx()
        if not self._upload_path or not Path(self._upload_path).exists():
            self._reset_wizard()
            return rx.toast.error(t("imports.upload_again", self.lang))
        mapping = service_mapping(self.columns)
        try:
            imports.check_mapping(mapping, list(self.headers))
        except InvalidInput as exc:
            errors = exc.errors or {}
            self.columns = [
                dataclasses.replace(c, error=_mapping_problem(errors.get(f"mapping.{c.header}"), self.lang))
                for c in self.columns
            ]
            self.mapping_error = t("error.invalid_mapping", self.lang)
            return None
        options = self._options()
        self.starting = True
        try:
            job = await run_service(
                imports.create_csv_job,
                ctx=ctx,
                upload=Path(self._upload_path),
                file_name=self.file_name,
                options=options,
                mapping=mapping,
                layout=json.loads(self._layout or "{}"),
                total=self.estimated_rows,
            )
        finally:
            self.starting = False
        self._upload_path = ""  # the job owns the file now
        row = job_row(job, self._members)
        self.current = row
        self.history = [row, *[j for j in self.history if j.id != row.id]][:HISTORY_LIMIT]
        self.step = "running" if row.running else "result"
        return None

    def _replace_in_history(self, job: ImportJobPublic) -> JobRow:
        """The job's fresh row, put in place of its old one in the history (if listed there)."""
        row = job_row(job, self._members)
        self.history = [row if j.id == row.id else j for j in self.history]
        return row

    @rx.event
    @guarded
    async def cancel_import(self, job_id: str):
        ctx = await self._ctx()
        row = self._replace_in_history(await run_service(imports.cancel_job, ctx=ctx, job_id=int(job_id)))
        if self.current.id == row.id:
            self.current = dataclasses.replace(self.current, status=row.status, running=row.running)
            if not row.running:
                self._show(row)
        return rx.toast.info(t("imports.cancel_requested", self.lang))

    @rx.event
    @guarded
    async def refresh_job(self, job_id: str):
        """Reload one job from the database (the result screen's safety net if an event was missed)."""
        ctx = await self._ctx()
        row = self._replace_in_history(await run_service(imports.get_job, ctx=ctx, job_id=int(job_id)))
        if self.current.id == row.id:
            self._show(row)

    @rx.event
    def show_job(self, job_id: str) -> None:
        row = next((j for j in self.history if j.id == job_id), None)
        if row is None:
            return
        self._reset_wizard()
        self.current = row
        self.step = "running" if row.running else "result"

    # ------------------------------------------------------------ step 4: result

    @rx.event
    @guarded
    async def download_rejected(self, job_id: str):
        ctx = await self._ctx()
        text = await run_service(_rejected_text, ctx=ctx, job_id=int(job_id))
        return rx.download(
            data=text, filename=f"import-{int(job_id)}-rejected.csv", mime_type="text/csv;charset=utf-8"
        )

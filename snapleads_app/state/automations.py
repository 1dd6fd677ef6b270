"""/automations: the list (toggle, stats), the builder (validated before saving) and the run log.

Translation only: the builder's rows become an `AutomationIn` and the domain validates and saves it.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import reflex as rx
from pydantic import ValidationError

from snapleads_app.core.context import Ctx
from snapleads_app.core.errors import InvalidInput
from snapleads_app.domain.accounts import rules as account_rules
from snapleads_app.domain.automations import rules
from snapleads_app.domain.automations import service as automations
from snapleads_app.domain.automations.models import (
    AutomationIn,
    AutomationPublic,
    AutomationRunPublic,
    RunFilter,
)
from snapleads_app.domain.pipelines import service as pipelines
from snapleads_app.domain.webhooks import service as webhooks
from snapleads_app.i18n import t_error
from snapleads_app.state.base import guarded, run_service
from snapleads_app.state.leads import Option, load_lookups
from snapleads_app.state.realtime_automations import AutomationsLiveState, pushed_change, start_live
from snapleads_app.state.session import SessionState

ANY = "any"
ROUND_ROBIN = "round_robin"
TRIGGERS = (
    "lead_created",
    "lead_updated",
    "status_changed",
    "tag_added",
    "message_received",
    "import_completed",
)
CONDITION_FIELDS = (
    "platform", "status", "source", "tags", "score", "score_band", "followers", "full_name", "email",
    "phone", "company", "headline", "location", "verified", "replied", "assignee_id",
)  # fmt: skip
RUN_STATUSES = ("success", "failed", "skipped", "waiting", "cancelled", "running")


@dataclasses.dataclass
class AutomationRow:
    id: str = ""
    name: str = ""
    trigger: str = ""
    enabled: bool = True
    actions: int = 0
    total: int = 0
    success: int = 0
    failed: int = 0
    skipped: int = 0
    waiting: int = 0
    last_run: str = ""


@dataclasses.dataclass
class ConditionRow:
    """One row of the flattened condition tree: a group (its AND/OR) or a condition."""

    path: str = ""
    depth: int = 0
    kind: str = "condition"  # or "group"
    op: str = "and"
    field: str = "platform"
    operator: str = "equals"
    value: str = ""
    operators: list[str] = dataclasses.field(default_factory=list)
    error: str = ""


@dataclasses.dataclass
class ActionRow:
    type: str = "add_tag"
    param: str = ""
    unit: str = "hours"
    error: str = ""


@dataclasses.dataclass
class RunRow:
    id: str = ""
    automation: str = ""
    lead: str = ""
    status: str = ""
    trigger: str = ""
    started: str = ""
    duration: str = ""
    error: str = ""


@dataclasses.dataclass
class StepRow:
    index: str = ""
    type: str = ""
    outcome: str = ""
    detail: str = ""
    at: str = ""


def _row(a: AutomationPublic) -> AutomationRow:
    s = a.stats
    return AutomationRow(
        id=str(a.id), name=a.name, trigger=a.trigger, enabled=a.enabled, actions=len(a.actions), total=s.total,
        success=s.success, failed=s.failed, skipped=s.skipped, waiting=s.waiting,
        last_run=s.last_run_at.strftime("%Y-%m-%d %H:%M") if s.last_run_at else "",
    )  # fmt: skip


def _typed_leaf(leaf: dict[str, Any]) -> dict[str, Any]:
    """A condition as the builder holds it (strings) → as it is saved (tag ids, lists, booleans, numbers)."""
    field, operator, value = str(leaf.get("field")), str(leaf.get("operator")), str(leaf.get("value") or "")
    typed: Any = value
    if field == "tags":
        typed = [int(v) for v in value.split(",") if v.strip().isdigit()]
    elif operator in ("in", "not_in", "between"):
        typed = [v.strip() for v in value.split(",") if v.strip()]
    elif field in ("verified", "replied"):
        typed = value.lower() in ("true", "1", "yes", "sim", "")
    elif operator in rules.NO_VALUE:
        typed = None
    elif field in rules.NUMBER_FIELDS:
        typed = _number_or_text(value)
    return {"field": field, "operator": operator, "value": typed}


def _number_or_text(value: str) -> int | float | str:
    """Numbers of number fields are saved as numbers; anything else stays text (validation says why)."""
    text = value.strip()
    try:
        number = float(text)
    except ValueError:
        return value
    return int(number) if number.is_integer() and "." not in text else number


def _form_leaf(leaf: dict[str, Any]) -> dict[str, Any]:
    """A saved condition → the builder's strings."""
    value = leaf.get("value")
    if isinstance(value, list):
        text = ",".join(map(str, value))
    elif isinstance(value, bool):
        text = "true" if value else "false"
    else:
        text = "" if value is None else str(value)
    return {"field": str(leaf.get("field", "")), "operator": str(leaf.get("operator", "")), "value": text}


def condition_rows(tree: dict[str, Any], errors: dict[str, str] | None = None) -> list[ConditionRow]:
    return [
        ConditionRow(
            path=r["path"],
            depth=r["depth"],
            kind=r["kind"],
            op=str(r.get("op", "and")),
            field=str(r.get("field", "")),
            operator=str(r.get("operator", "")),
            value="" if r.get("value") is None else str(r.get("value")),
            operators=list(rules.operators_for(str(r.get("field", "")))) if r["kind"] == "condition" else [],
            error=(errors or {}).get(r["path"], ""),
        )  # fmt: skip
        for r in rules.flatten(tree)
    ]


def _action_dict(row: ActionRow, members: list[str]) -> dict[str, Any]:
    kind, param = row.type, row.param
    number = int(param) if param.isdigit() else None
    if kind in ("add_tag", "remove_tag"):
        return {"type": kind, "tag_id": number}
    if kind == "set_status":
        return {"type": kind, "status": param}
    if kind == "set_stage":
        return {"type": kind, "stage_id": number}
    if kind == "assign":
        if param == ROUND_ROBIN:
            return {"type": kind, "mode": "round_robin", "user_ids": [int(m) for m in members]}
        return {"type": kind, "mode": "fixed", "user_id": number}
    if kind == "send_template":
        return {"type": kind, "template_id": number}
    if kind == "wait":
        return {"type": kind, "amount": number or 0, "unit": row.unit}
    if kind == "webhook":
        return {"type": kind, "webhook_id": number}
    return {"type": kind}


def _action_row(action: dict[str, Any]) -> ActionRow:
    kind = str(action.get("type", ""))
    if kind == "assign" and action.get("mode") == "round_robin":
        param = ROUND_ROBIN
    else:
        key = {"add_tag": "tag_id", "remove_tag": "tag_id", "set_status": "status", "set_stage": "stage_id",
               "assign": "user_id", "send_template": "template_id", "wait": "amount",
               "webhook": "webhook_id"}.get(kind, "")  # fmt: skip
        param = str(action.get(key, "") or "")
    return ActionRow(type=kind, param=param, unit=str(action.get("unit", "hours")))


def _run_row(r: AutomationRunPublic) -> RunRow:
    return RunRow(
        id=str(r.id),
        automation=r.automation_name,
        lead=r.lead_name or f"#{r.lead_id}",
        status=r.status,
        trigger=r.trigger,
        started=r.started_at.strftime("%Y-%m-%d %H:%M:%S"),
        duration="" if r.duration_ms is None else f"{r.duration_ms} ms",
        error=r.error or "",
    )


class AutomationsState(SessionState):
    automations: rx.Field[list[AutomationRow]] = rx.field(default_factory=list)
    loaded: rx.Field[bool] = rx.field(False)
    can_manage: rx.Field[bool] = rx.field(False)
    tag_options: rx.Field[list[Option]] = rx.field(default_factory=list)
    member_options: rx.Field[list[Option]] = rx.field(default_factory=list)
    stage_options: rx.Field[list[Option]] = rx.field(default_factory=list)
    webhook_options: rx.Field[list[Option]] = rx.field(default_factory=list)
    # builder
    builder_open: rx.Field[bool] = rx.field(False)
    editing_id: rx.Field[str] = rx.field("")
    name: rx.Field[str] = rx.field("")
    trigger: rx.Field[str] = rx.field("lead_created")
    filter_platform: rx.Field[str] = rx.field(ANY)
    filter_status: rx.Field[str] = rx.field(ANY)
    filter_tag: rx.Field[str] = rx.field(ANY)
    # the condition tree as flat rows (groups and conditions, by path); the tree itself stays here
    conditions: rx.Field[list[ConditionRow]] = rx.field(default_factory=lambda: condition_rows({}))
    _tree: dict[str, Any] = {}  # noqa: RUF012
    _live_seen: int = 0
    actions: rx.Field[list[ActionRow]] = rx.field(default_factory=list)
    builder_error: rx.Field[str] = rx.field("")
    # run log
    runs: rx.Field[list[RunRow]] = rx.field(default_factory=list)
    run_automation: rx.Field[str] = rx.field(ANY)
    run_status: rx.Field[str] = rx.field(ANY)
    run_detail_id: rx.Field[str] = rx.field("")
    run_steps: rx.Field[list[StepRow]] = rx.field(default_factory=list)
    run_detail_title: rx.Field[str] = rx.field("")
    run_detail: rx.Field[RunRow] = rx.field(default_factory=RunRow)

    @rx.var
    def automation_options(self) -> list[Option]:
        return [Option(value=a.id, label=a.name) for a in self.automations]

    async def _reload(self, ctx: Ctx) -> None:
        found = await run_service(automations.list_automations, ctx=ctx)
        self.automations = [_row(a) for a in found]
        self.can_manage = account_rules.can(ctx.role, "automations.manage")
        _, _, self.tag_options, self.member_options = await load_lookups(ctx)
        pipes = await run_service(pipelines.list_pipelines, ctx=ctx)
        self.stage_options = [
            Option(value=str(s.id), label=s.name if p.is_default else f"{p.name} · {s.name}")
            for p in pipes
            for s in p.stages
        ]
        if account_rules.can(ctx.role, "integrations.manage"):
            hooks = await run_service(webhooks.list_webhooks, ctx=ctx)
            self.webhook_options = [Option(value=str(h.id), label=h.url) for h in hooks]
        await self._load_runs(ctx)
        self.loaded = True

    async def _load_runs(self, ctx: Ctx) -> None:
        filters = RunFilter(
            automation_id=int(self.run_automation) if self.run_automation.isdigit() else None,
            status=[self.run_status] if self.run_status in RUN_STATUSES else None,  # type: ignore[list-item]
        )
        found = await run_service(automations.list_runs, ctx=ctx, filters=filters, limit=100)
        self.runs = [_run_row(r) for r in found]

    @rx.event
    @guarded
    async def load(self):
        ctx = await self._ctx()
        # Every change numbered up to here is in what this load reads; later ones make live_changed catch up.
        self._live_seen = await start_live(self, ctx.workspace_id)
        self.builder_open = False
        await self._reload(ctx)
        return AutomationsLiveState.link

    @rx.event
    @guarded
    async def live_changed(self, version: int):
        """A run started or changed status (realtime): reload the log (and stats) this tab shows, with
        its own filters and visibility; an open run detail follows its run."""
        version = int(version or 0)
        if version <= self._live_seen or not self.loaded:
            self._live_seen = max(self._live_seen, version)
            return
        missed = version > self._live_seen + 1
        self._live_seen = version
        ctx = await self._ctx()
        found = await run_service(automations.list_automations, ctx=ctx)
        self.automations = [_row(a) for a in found]
        await self._load_runs(ctx)
        # After missed pushes (or without the change here) the open run may be among those changed.
        change = {} if missed else pushed_change(ctx.workspace_id, version)
        if self.run_detail_id and (change.get("run_id") == self.run_detail_id or change.get("count") != "1"):
            await self._show_run(ctx, int(self.run_detail_id))

    # ------------------------------------------------------------ list

    @rx.event
    @guarded
    async def toggle(self, automation_id: str, enabled: bool):
        await self._change(automations.set_enabled, automation_id=int(automation_id), enabled=bool(enabled))
        return rx.toast.success(self._t("automations.enabled" if enabled else "automations.disabled"))

    @rx.event
    @guarded
    async def delete(self, automation_id: str):
        await self._change(automations.delete_automation, automation_id=int(automation_id))
        return rx.toast.success(self._t("automations.deleted"))

    # ------------------------------------------------------------ builder

    @rx.event
    def new(self) -> None:
        self.editing_id = ""
        self.name = ""
        self.trigger = "lead_created"
        self.filter_platform = self.filter_status = self.filter_tag = ANY
        self._set_tree({})
        self.actions = [ActionRow()]
        self.builder_error = ""
        self.builder_open = True

    @rx.event
    @guarded
    async def edit(self, automation_id: str):
        ctx = await self._ctx()
        a = await run_service(automations.get_automation, ctx=ctx, automation_id=int(automation_id))
        self.editing_id = str(a.id)
        self.name, self.trigger = a.name, a.trigger
        platforms = a.trigger_filter.get("platform") or []
        self.filter_platform = platforms[0] if platforms else ANY
        statuses = a.trigger_filter.get("to_status") or []
        self.filter_status = statuses[0] if statuses else ANY
        self.filter_tag = str(a.trigger_filter.get("tag_id") or ANY)
        tree = a.conditions if a.conditions and "field" not in a.conditions else (
            {"op": "and", "items": [a.conditions]} if a.conditions else {}
        )  # fmt: skip
        self._set_tree(rules.map_leaves(tree, _form_leaf))
        self.actions = [_action_row(x) for x in a.actions]
        self.builder_error = ""
        self.builder_open = True

    @rx.event
    def close_builder(self) -> None:
        self.builder_open = False

    @rx.event
    def set_name(self, value: str) -> None:
        self.name = str(value)[:120]

    @rx.event
    def set_trigger(self, value: str) -> None:
        if value in TRIGGERS:
            self.trigger = value

    @rx.event
    def set_filter_platform(self, value: str) -> None:
        self.filter_platform = value

    @rx.event
    def set_filter_status(self, value: str) -> None:
        self.filter_status = value

    @rx.event
    def set_filter_tag(self, value: str) -> None:
        self.filter_tag = value

    def _set_tree(self, tree: dict[str, Any], errors: dict[str, str] | None = None) -> None:
        self._tree = tree or rules.new_group()
        self.conditions = condition_rows(self._tree, errors)

    @rx.event
    def set_group_op(self, path: str, value: str | list[str]) -> None:
        self._set_tree(rules.set_group_op(self._tree, str(path), "or" if value == "or" else "and"))

    @rx.event
    def add_condition(self, path: str = "") -> None:
        self._set_tree(rules.add_condition(self._tree, str(path)))

    @rx.event
    def add_group(self, path: str = "") -> None:
        self._set_tree(rules.add_group(self._tree, str(path)))

    @rx.event
    def remove_condition(self, path: str) -> None:
        """Removes a condition or a whole group (the top group is emptied instead)."""
        self._set_tree(rules.remove_node(self._tree, str(path)))

    @rx.event
    def set_condition(self, path: str, key: str, value: str) -> None:
        self._set_tree(rules.set_leaf(self._tree, str(path), key, str(value)))

    @rx.event
    def add_action(self) -> None:
        self.actions = [*self.actions, ActionRow()]

    @rx.event
    def remove_action(self, index: int) -> None:
        self.actions = [a for i, a in enumerate(self.actions) if i != index]

    @rx.event
    def move_action(self, index: int, delta: int) -> None:
        """The keyboard-accessible fallback of drag and drop (up/down buttons)."""
        self.actions = rules.move_item(self.actions, int(index), int(index) + int(delta))

    @rx.event
    def drop_action(self, info: dict[str, Any]) -> None:
        """An action row was dragged to a new place: `{"from": index, "to": index in the new order}`."""
        source, target = str(info.get("from", "")), str(info.get("to", ""))
        if source.isdigit() and target.isdigit():
            self.actions = rules.move_item(self.actions, int(source), int(target))

    @rx.event
    def set_action(self, index: int, key: str, value: str) -> None:
        rows = list(self.actions)
        if 0 <= index < len(rows) and key in ("type", "param", "unit"):
            changes: dict[str, str] = {key: str(value), "error": ""}
            if key == "type":
                changes["param"] = ""
            rows[index] = dataclasses.replace(rows[index], **changes)
            self.actions = rows

    def _definition(self) -> AutomationIn:
        trigger_filter: dict[str, Any] = {}
        if self.filter_platform != ANY:
            trigger_filter["platform"] = [self.filter_platform]
        if self.trigger == "status_changed" and self.filter_status != ANY:
            trigger_filter["to_status"] = [self.filter_status]
        if self.trigger == "tag_added" and self.filter_tag.isdigit():
            trigger_filter["tag_id"] = int(self.filter_tag)
        conditions = rules.prune(rules.map_leaves(self._tree, _typed_leaf))
        members = [o.value for o in self.member_options]
        return AutomationIn(
            name=self.name.strip() or "?", trigger=self.trigger, trigger_filter=trigger_filter,  # type: ignore[arg-type]
            conditions=conditions, actions=[_action_dict(a, members) for a in self.actions] or [{}],
        )  # fmt: skip

    def _show_errors(self, errors: dict[str, str]) -> None:
        def message(code: str) -> str:
            return t_error(f"automation_field_{code}", self.lang)

        by_path: dict[str, str] = {}
        for key, code in errors.items():
            path = rules.error_path(key)
            if path is not None:
                by_path.setdefault(path, message(code))
        self._set_tree(self._tree, by_path)
        self.actions = [
            dataclasses.replace(
                a, error=next((message(v) for k, v in errors.items() if k.startswith(f"actions.{i}.")), "")
            )
            for i, a in enumerate(self.actions)
        ]
        general = [
            f"{k}: {message(v)}"
            for k, v in errors.items()
            if rules.error_path(k) is None and not k.startswith("actions.")
        ]
        self.builder_error = "; ".join(general) or self._t("automations.fix_rows")

    @rx.event
    @guarded
    async def save(self):
        ctx = await self._ctx()
        if not self.name.strip():
            self.builder_error = self._t("automations.name_required")
            return None
        try:
            data = self._definition()
            await run_service(
                automations.validate, ctx=ctx, data=data
            )  # every problem at once, nothing saved
            if self.editing_id:
                await run_service(
                    automations.update_automation, ctx=ctx, automation_id=int(self.editing_id), data=data
                )
            else:
                await run_service(automations.create_automation, ctx=ctx, data=data)
        except InvalidInput as exc:
            self._show_errors(exc.errors)
            return None
        except ValidationError:
            self.builder_error = self._t("automations.fix_rows")
            return None
        self.builder_open = False
        await self._reload(ctx)
        return rx.toast.success(self._t("automations.saved"))

    # ------------------------------------------------------------ run log

    @rx.event
    @guarded
    async def set_run_automation(self, value: str):
        self.run_automation = value
        await self._load_runs(await self._ctx())

    @rx.event
    @guarded
    async def set_run_status(self, value: str):
        self.run_status = value
        await self._load_runs(await self._ctx())

    @rx.event
    @guarded
    async def refresh_runs(self):
        ctx = await self._ctx()
        await self._reload(ctx)

    @rx.event
    @guarded
    async def show_run(self, run_id: str):
        await self._show_run(await self._ctx(), int(run_id))

    async def _show_run(self, ctx: Ctx, run_id: int) -> None:
        run = await run_service(automations.get_run, ctx=ctx, run_id=run_id)
        self.run_detail_id = str(run.id)
        self.run_detail_title = f"{run.automation_name} · {run.lead_name or run.lead_id} · v{run.version}"
        self.run_detail = _run_row(run)
        self.run_steps = [
            StepRow(
                index=str(int(s.get("index", 0)) + 1),
                type=str(s.get("type") or ""),
                outcome=str(s.get("outcome", "")),
                detail=str(s.get("detail", "")),
                at=str(s.get("at", ""))[:19].replace("T", " "),
            )  # fmt: skip
            for s in run.steps
        ]

    @rx.event
    def close_run(self) -> None:
        self.run_detail_id = ""

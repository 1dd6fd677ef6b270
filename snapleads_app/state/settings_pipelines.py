"""Settings → Pipelines: pipelines and their ordered stages (the default pipeline: rename only)."""

from __future__ import annotations

import dataclasses
from typing import Any

import reflex as rx
from pydantic import ValidationError

from snapleads_app.core.context import Ctx
from snapleads_app.domain.accounts import rules
from snapleads_app.domain.pipelines import service as pipelines
from snapleads_app.domain.pipelines.models import (
    PipelineIn,
    PipelineUpdate,
    StageIn,
    StageOrderIn,
    StageUpdate,
)
from snapleads_app.state.base import guarded, run_service
from snapleads_app.state.session import SessionState

DEFAULT_NEW_STAGES = "Lead\nContact\nProposal\nWon"


@dataclasses.dataclass
class StageRow:
    id: str = ""
    name: str = ""
    color: str = ""
    status: str = ""


@dataclasses.dataclass
class PipelineRow:
    id: str = ""
    name: str = ""
    is_default: bool = False
    stages: list[StageRow] = dataclasses.field(default_factory=list)


class SettingsPipelinesState(SessionState):
    pipelines: rx.Field[list[PipelineRow]] = rx.field(default_factory=list)
    loaded: rx.Field[bool] = rx.field(False)
    can_manage: rx.Field[bool] = rx.field(False)
    error: rx.Field[str] = rx.field("")
    new_open: rx.Field[bool] = rx.field(False)

    async def _reload(self, ctx: Ctx) -> None:
        found = await run_service(pipelines.list_pipelines, ctx=ctx)
        self.pipelines = [
            PipelineRow(
                id=str(p.id),
                name=p.name,
                is_default=p.is_default,
                stages=[
                    StageRow(id=str(s.id), name=s.name, color=s.color, status=s.status or "")
                    for s in p.stages
                ],
            )
            for p in found
        ]
        # Controls only; the service decides (owners, admins and managers change pipelines).
        self.can_manage = rules.can(ctx.role, "pipelines.manage")
        self.loaded = True

    def _stage_ids(self, pipeline_id: str) -> list[int]:
        pipeline = next((p for p in self.pipelines if p.id == pipeline_id), None)
        return [int(s.id) for s in pipeline.stages] if pipeline else []

    @rx.event
    @guarded
    async def load(self):
        ctx = await self._ctx()
        self.error = ""
        await self._reload(ctx)

    @rx.event
    def set_new_open(self, open_: bool) -> None:
        self.new_open = bool(open_)
        self.error = ""

    @rx.event
    @guarded
    async def create_pipeline(self, form_data: dict[str, Any]):
        names = [n.strip() for n in str(form_data.get("stages") or "").splitlines() if n.strip()]
        try:
            data = PipelineIn(
                name=str(form_data.get("name") or ""), stages=[StageIn(name=n[:60]) for n in names]
            )
        except ValidationError:
            self.error = self._t("pipelines.invalid")
            return None
        ctx = await self._ctx()
        await run_service(pipelines.create_pipeline, ctx=ctx, data=data)
        self.error = ""
        self.new_open = False
        await self._reload(ctx)
        return rx.toast.success(self._t("pipelines.created", name=data.name))

    @rx.event
    @guarded
    async def rename_pipeline(self, pipeline_id: str, name: str):
        name = str(name).strip()
        current = next((p for p in self.pipelines if p.id == pipeline_id), None)
        if current is None or not name or name == current.name:
            return None
        await self._change(
            pipelines.update_pipeline, pipeline_id=int(pipeline_id), data=PipelineUpdate(name=name[:80])
        )
        return rx.toast.success(self._t("pipelines.saved"))

    @rx.event
    @guarded
    async def delete_pipeline(self, pipeline_id: str):
        await self._change(pipelines.delete_pipeline, pipeline_id=int(pipeline_id))
        return rx.toast.success(self._t("pipelines.deleted"))

    @rx.event
    @guarded
    async def rename_stage(self, stage_id: str, name: str):
        name = str(name).strip()
        current = next((s for p in self.pipelines for s in p.stages if s.id == stage_id), None)
        if current is None or not name or name == current.name:
            return None
        await self._change(pipelines.update_stage, stage_id=int(stage_id), data=StageUpdate(name=name[:60]))
        return rx.toast.success(self._t("pipelines.saved"))

    @rx.event
    @guarded
    async def add_stage(self, pipeline_id: str, form_data: dict[str, Any]):
        name = str(form_data.get("stage_name") or "").strip()
        if not name:
            return None
        await self._change(pipelines.add_stage, pipeline_id=int(pipeline_id), data=StageIn(name=name[:60]))
        return rx.set_value(f"new-stage-{pipeline_id}", "")

    @rx.event
    @guarded
    async def move_stage(self, pipeline_id: str, stage_id: str, delta: int):
        ids = self._stage_ids(pipeline_id)
        if int(stage_id) not in ids:
            return
        index = ids.index(int(stage_id))
        target = index + int(delta)
        if target < 0 or target >= len(ids):
            return
        ids[index], ids[target] = ids[target], ids[index]
        await self._change(
            pipelines.reorder_stages, pipeline_id=int(pipeline_id), data=StageOrderIn(stage_ids=ids)
        )

    @rx.event
    @guarded
    async def delete_stage(self, stage_id: str):
        await self._change(pipelines.delete_stage, stage_id=int(stage_id))
        return rx.toast.success(self._t("pipelines.stage_deleted"))

"""Pipelines and stages. Every workspace has a default pipeline whose stages are the lead statuses."""

from __future__ import annotations

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from snapleads_app.core.context import Ctx
from snapleads_app.core.errors import Conflict, NotFound, PermissionDenied
from snapleads_app.domain.accounts import rules as account_rules
from snapleads_app.domain.leads import repo as leads_repo
from snapleads_app.domain.pipelines.models import (
    STATUSES,
    Pipeline,
    PipelineIn,
    PipelinePublic,
    PipelineUpdate,
    Stage,
    StageIn,
    StageOrderIn,
    StagePublic,
    StageUpdate,
)

DEFAULT_STAGE_NAMES = {
    "new": "New",
    "contacted": "Contacted",
    "responded": "Responded",
    "qualified": "Qualified",
    "scheduled": "Scheduled",
    "closed": "Closed",
    "lost": "Lost",
}
DEFAULT_STAGE_COLORS = {
    "new": "#64748b",
    "contacted": "#3b82f6",
    "responded": "#8b5cf6",
    "qualified": "#f59e0b",
    "scheduled": "#06b6d4",
    "closed": "#22c55e",
    "lost": "#ef4444",
}


def _require_manage(ctx: Ctx) -> None:
    if not account_rules.can(ctx.role, "pipelines.manage"):
        raise PermissionDenied("Your role cannot change pipelines", code="forbidden_for_role")


def ensure_default_pipeline(*, session: Session, workspace_id: int) -> Pipeline:
    """The workspace's default pipeline, created on first use (one per workspace, by a unique index)."""
    default = select(Pipeline).where(
        Pipeline.workspace_id == workspace_id, col(Pipeline.is_default).is_(True)
    )
    pipeline = session.exec(default).first()
    if pipeline is not None:
        return pipeline
    pipeline = Pipeline(workspace_id=workspace_id, name="Sales", is_default=True)
    try:
        with session.begin_nested():
            session.add(pipeline)
            session.flush()
            for position, status in enumerate(STATUSES):
                session.add(
                    Stage(
                        workspace_id=workspace_id,
                        pipeline_id=_id(pipeline.id),
                        name=DEFAULT_STAGE_NAMES[status],
                        status=status,
                        position=position,
                        color=DEFAULT_STAGE_COLORS[status],
                    )
                )
            session.flush()
    except IntegrityError:
        # Two first uses at once (two import batches of a new workspace): the other one's is committed.
        existing = session.exec(default).first()
        if existing is None:
            raise
        return existing
    return pipeline


def _id(value: int | None) -> int:
    if value is None:
        raise RuntimeError("row has no id yet")
    return value


def stage_for_status(*, session: Session, workspace_id: int, status: str) -> Stage:
    pipeline = ensure_default_pipeline(session=session, workspace_id=workspace_id)
    stage = session.exec(
        select(Stage).where(Stage.pipeline_id == pipeline.id, Stage.status == status)
    ).first()
    if stage is None:  # the default pipeline's status stages cannot be deleted, so this is a bug
        raise RuntimeError(f"default pipeline has no stage for {status}")
    return stage


def get_stage(*, session: Session, ctx: Ctx, stage_id: int) -> Stage:
    stage = session.get(Stage, stage_id)
    if stage is None or stage.workspace_id != ctx.workspace_id:
        raise NotFound("Stage not found", code="stage_not_found")
    return stage


def _get_pipeline(session: Session, ctx: Ctx, pipeline_id: int) -> Pipeline:
    pipeline = session.get(Pipeline, pipeline_id)
    if pipeline is None or pipeline.workspace_id != ctx.workspace_id:
        raise NotFound("Pipeline not found", code="pipeline_not_found")
    return pipeline


def _public(session: Session, pipeline: Pipeline) -> PipelinePublic:
    stages = session.exec(
        select(Stage).where(Stage.pipeline_id == pipeline.id).order_by(col(Stage.position))
    ).all()
    return PipelinePublic(
        id=_id(pipeline.id),
        name=pipeline.name,
        is_default=pipeline.is_default,
        stages=[StagePublic.model_validate(s, from_attributes=True) for s in stages],
    )


def list_pipelines(*, session: Session, ctx: Ctx) -> list[PipelinePublic]:
    ensure_default_pipeline(session=session, workspace_id=ctx.workspace_id)
    pipelines = session.exec(
        select(Pipeline)
        .where(Pipeline.workspace_id == ctx.workspace_id)
        .order_by(col(Pipeline.is_default).desc(), col(Pipeline.id))
    ).all()
    return [_public(session, p) for p in pipelines]


def get_pipeline(*, session: Session, ctx: Ctx, pipeline_id: int) -> PipelinePublic:
    return _public(session, _get_pipeline(session, ctx, pipeline_id))


def create_pipeline(*, session: Session, ctx: Ctx, data: PipelineIn) -> PipelinePublic:
    _require_manage(ctx)
    ensure_default_pipeline(session=session, workspace_id=ctx.workspace_id)
    pipeline = Pipeline(workspace_id=ctx.workspace_id, name=data.name)
    session.add(pipeline)
    session.flush()
    for position, stage in enumerate(data.stages):
        session.add(
            Stage(
                workspace_id=ctx.workspace_id,
                pipeline_id=_id(pipeline.id),
                name=stage.name,
                color=stage.color,
                position=position,
            )
        )
    session.flush()
    return _public(session, pipeline)


def update_pipeline(*, session: Session, ctx: Ctx, pipeline_id: int, data: PipelineUpdate) -> PipelinePublic:
    _require_manage(ctx)
    pipeline = _get_pipeline(session, ctx, pipeline_id)
    if data.name is not None:
        pipeline.name = data.name
    session.flush()
    return _public(session, pipeline)


def delete_pipeline(*, session: Session, ctx: Ctx, pipeline_id: int) -> None:
    """Leads of a deleted pipeline go back to the default pipeline, at the stage of their status."""
    _require_manage(ctx)
    pipeline = _get_pipeline(session, ctx, pipeline_id)
    if pipeline.is_default:
        raise Conflict("The default pipeline cannot be deleted", code="default_pipeline")
    leads_repo.return_to_default_pipeline(
        session=session, workspace_id=ctx.workspace_id, pipeline_id=pipeline_id
    )
    session.delete(pipeline)
    session.flush()


def add_stage(*, session: Session, ctx: Ctx, pipeline_id: int, data: StageIn) -> PipelinePublic:
    _require_manage(ctx)
    pipeline = _get_pipeline(session, ctx, pipeline_id)
    if pipeline.is_default:
        raise Conflict("The default pipeline's stages are the lead statuses", code="default_pipeline")
    last = session.exec(select(func.max(Stage.position)).where(Stage.pipeline_id == pipeline_id)).one()
    session.add(
        Stage(
            workspace_id=ctx.workspace_id,
            pipeline_id=pipeline_id,
            name=data.name,
            color=data.color,
            position=(last if last is not None else -1) + 1,
        )
    )
    session.flush()
    return _public(session, pipeline)


def update_stage(*, session: Session, ctx: Ctx, stage_id: int, data: StageUpdate) -> StagePublic:
    """Rename or recolour (also allowed on the default pipeline: names are labels, statuses stay)."""
    _require_manage(ctx)
    stage = get_stage(session=session, ctx=ctx, stage_id=stage_id)
    if data.name is not None:
        stage.name = data.name
    if data.color is not None:
        stage.color = data.color
    session.flush()
    return StagePublic.model_validate(stage, from_attributes=True)


def reorder_stages(*, session: Session, ctx: Ctx, pipeline_id: int, data: StageOrderIn) -> PipelinePublic:
    _require_manage(ctx)
    pipeline = _get_pipeline(session, ctx, pipeline_id)
    stages = session.exec(select(Stage).where(Stage.pipeline_id == pipeline_id)).all()
    if sorted(data.stage_ids) != sorted(_id(s.id) for s in stages):
        raise Conflict(
            "The new order must list every stage of the pipeline once", code="stage_order_mismatch"
        )
    # Two passes so the unique (pipeline, position) index never sees a collision.
    session.execute(
        update(Stage).where(col(Stage.pipeline_id) == pipeline_id).values(position=Stage.position + 1000)
    )
    for position, stage_id in enumerate(data.stage_ids):
        session.execute(update(Stage).where(col(Stage.id) == stage_id).values(position=position))
    session.flush()
    session.expire_all()
    return _public(session, pipeline)


def delete_stage(*, session: Session, ctx: Ctx, stage_id: int) -> None:
    _require_manage(ctx)
    stage = get_stage(session=session, ctx=ctx, stage_id=stage_id)
    pipeline = _get_pipeline(session, ctx, stage.pipeline_id)
    if pipeline.is_default:
        raise Conflict("The default pipeline's stages are the lead statuses", code="default_pipeline")
    if leads_repo.count_in_stage(session=session, stage_id=stage_id):
        raise Conflict("Move the leads out of this stage before deleting it", code="stage_not_empty")
    session.delete(stage)
    session.flush()

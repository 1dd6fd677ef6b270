"""Automations (CRUD, toggle, runs), lead scores and scoring rules, webhooks (CRUD, test, deliveries)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Query, status
from pydantic import BaseModel, ConfigDict

from api_ext.deps import CurrentCtx
from api_ext.routes import api_router
from snapleads_app.core.db import unit_of_work
from snapleads_app.domain.automations import service as automations
from snapleads_app.domain.automations.models import (
    AutomationIn,
    AutomationPublic,
    AutomationRunPublic,
    RunFilter,
    RunStatus,
)
from snapleads_app.domain.scoring import service as scoring
from snapleads_app.domain.scoring.models import ScoreExplanation, ScoreHistoryPublic, ScoringRulesPublic
from snapleads_app.domain.webhooks import service as webhooks
from snapleads_app.domain.webhooks.models import (
    WebhookDeliveryPublic,
    WebhookIn,
    WebhookPublic,
    WebhookUpdate,
)

router = api_router()
Id = Annotated[int, Path(gt=0, le=2**31 - 1)]
BigId = Annotated[int, Path(gt=0, le=2**63 - 1)]


class AutomationList(BaseModel):
    data: list[AutomationPublic]


class RunList(BaseModel):
    data: list[AutomationRunPublic]


class ToggleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    enabled: bool


class ScoreOut(BaseModel):
    explanation: ScoreExplanation
    history: list[ScoreHistoryPublic]


class RulesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rules: dict[str, dict[str, Any]]


class PreviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lead_id: int
    rules: dict[str, dict[str, Any]] | None = None


class WebhookList(BaseModel):
    data: list[WebhookPublic]


class DeliveryList(BaseModel):
    data: list[WebhookDeliveryPublic]


# ---------------------------------------------------------------- automations


@router.get("/automations", tags=["automations"])
def list_automations(ctx: CurrentCtx) -> AutomationList:
    with unit_of_work() as session:
        return AutomationList(data=automations.list_automations(session=session, ctx=ctx))


@router.post("/automations", tags=["automations"], status_code=status.HTTP_201_CREATED)
def create_automation(body: AutomationIn, ctx: CurrentCtx) -> AutomationPublic:
    with unit_of_work() as session:
        return automations.create_automation(session=session, ctx=ctx, data=body)


@router.get("/automations/runs", tags=["automations"])
def list_runs(
    ctx: CurrentCtx,
    automation_id: Annotated[int | None, Query(gt=0)] = None,
    lead_id: Annotated[int | None, Query(gt=0)] = None,
    status_: Annotated[list[RunStatus] | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    before_id: Annotated[int | None, Query(gt=0)] = None,
) -> RunList:
    filters = RunFilter(automation_id=automation_id, lead_id=lead_id, status=status_)
    with unit_of_work() as session:
        return RunList(
            data=automations.list_runs(
                session=session, ctx=ctx, filters=filters, limit=limit, before_id=before_id
            )
        )


@router.get("/automations/runs/{run_id}", tags=["automations"])
def get_run(run_id: BigId, ctx: CurrentCtx) -> AutomationRunPublic:
    with unit_of_work() as session:
        return automations.get_run(session=session, ctx=ctx, run_id=run_id)


@router.get("/automations/{automation_id}", tags=["automations"])
def get_automation(automation_id: Id, ctx: CurrentCtx) -> AutomationPublic:
    with unit_of_work() as session:
        return automations.get_automation(session=session, ctx=ctx, automation_id=automation_id)


@router.put("/automations/{automation_id}", tags=["automations"])
def update_automation(automation_id: Id, body: AutomationIn, ctx: CurrentCtx) -> AutomationPublic:
    with unit_of_work() as session:
        return automations.update_automation(session=session, ctx=ctx, automation_id=automation_id, data=body)


@router.post("/automations/{automation_id}/toggle", tags=["automations"])
def toggle_automation(automation_id: Id, body: ToggleIn, ctx: CurrentCtx) -> AutomationPublic:
    with unit_of_work() as session:
        return automations.set_enabled(
            session=session, ctx=ctx, automation_id=automation_id, enabled=body.enabled
        )


@router.delete("/automations/{automation_id}", tags=["automations"], status_code=status.HTTP_204_NO_CONTENT)
def delete_automation(automation_id: Id, ctx: CurrentCtx) -> None:
    with unit_of_work() as session:
        automations.delete_automation(session=session, ctx=ctx, automation_id=automation_id)


# ---------------------------------------------------------------- scoring


@router.get("/leads/{lead_id}/score", tags=["scoring"])
def lead_score(lead_id: BigId, ctx: CurrentCtx) -> ScoreOut:
    with unit_of_work() as session:
        return ScoreOut(
            explanation=scoring.explanation(session=session, ctx=ctx, lead_id=lead_id),
            history=scoring.history(session=session, ctx=ctx, lead_id=lead_id),
        )


@router.get("/scoring/rules", tags=["scoring"])
def get_rules(ctx: CurrentCtx) -> ScoringRulesPublic:
    with unit_of_work() as session:
        return scoring.get_rules(session=session, ctx=ctx)


@router.put("/scoring/rules", tags=["scoring"])
def update_rules(body: RulesIn, ctx: CurrentCtx) -> ScoringRulesPublic:
    """Saves the rules; every lead is rescored in the background."""
    with unit_of_work() as session:
        return scoring.update_rules(session=session, ctx=ctx, custom=body.rules)


@router.post("/scoring/preview", tags=["scoring"])
def preview(body: PreviewIn, ctx: CurrentCtx) -> ScoreExplanation:
    with unit_of_work() as session:
        return scoring.preview(session=session, ctx=ctx, lead_id=body.lead_id, custom=body.rules)


# ---------------------------------------------------------------- webhooks


@router.get("/webhooks", tags=["webhooks"])
def list_webhooks(ctx: CurrentCtx) -> WebhookList:
    with unit_of_work() as session:
        return WebhookList(data=webhooks.list_webhooks(session=session, ctx=ctx))


@router.post("/webhooks", tags=["webhooks"], status_code=status.HTTP_201_CREATED)
def create_webhook(body: WebhookIn, ctx: CurrentCtx) -> WebhookPublic:
    with unit_of_work() as session:
        return webhooks.create_webhook(session=session, ctx=ctx, data=body)


@router.patch("/webhooks/{webhook_id}", tags=["webhooks"])
def update_webhook(webhook_id: Id, body: WebhookUpdate, ctx: CurrentCtx) -> WebhookPublic:
    with unit_of_work() as session:
        return webhooks.update_webhook(session=session, ctx=ctx, webhook_id=webhook_id, data=body)


@router.delete("/webhooks/{webhook_id}", tags=["webhooks"], status_code=status.HTTP_204_NO_CONTENT)
def delete_webhook(webhook_id: Id, ctx: CurrentCtx) -> None:
    with unit_of_work() as session:
        webhooks.delete_webhook(session=session, ctx=ctx, webhook_id=webhook_id)


@router.post("/webhooks/{webhook_id}/test", tags=["webhooks"], status_code=status.HTTP_202_ACCEPTED)
def test_webhook(webhook_id: Id, ctx: CurrentCtx) -> WebhookDeliveryPublic:
    with unit_of_work() as session:
        return webhooks.send_test(session=session, ctx=ctx, webhook_id=webhook_id)


@router.get("/webhooks/{webhook_id}/deliveries", tags=["webhooks"])
def list_deliveries(
    webhook_id: Id, ctx: CurrentCtx, limit: Annotated[int, Query(ge=1, le=100)] = 50
) -> DeliveryList:
    with unit_of_work() as session:
        return DeliveryList(
            data=webhooks.list_deliveries(session=session, ctx=ctx, webhook_id=webhook_id, limit=limit)
        )

"""Scoring use cases: the workspace's rules, one lead's score and explanation, recompute and rescore.

Scores are written set-based and announced with a `lead.scored` event; they never go through the lead
service's own events, so a score change does not re-trigger automations or itself.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlmodel import Session, col, select

from snapleads_app.core import clock
from snapleads_app.core.context import Ctx
from snapleads_app.core.db import unit_of_work
from snapleads_app.core.errors import InvalidInput, NotFound, PermissionDenied
from snapleads_app.core.events import DomainEvent, publish_after_commit
from snapleads_app.core.tasks import enqueue_after_commit
from snapleads_app.domain.accounts import rules as account_rules
from snapleads_app.domain.automations.ports import messaging
from snapleads_app.domain.leads import repo as leads_repo
from snapleads_app.domain.leads.models import Lead
from snapleads_app.domain.scoring import repo, rules
from snapleads_app.domain.scoring.models import (
    LeadScore,
    ScoreExplanation,
    ScoreHistory,
    ScoreHistoryPublic,
    ScoreLine,
    ScoringConfig,
    ScoringRulesPublic,
)

log = logging.getLogger(__name__)
RESCORE_JOB = "scoring.rescore_all"
BULK_RANGE = 20_000  # lead ids per statement (and per commit) of the bulk rescore
BULK_THREADS = 2
PYTHON_BATCH = 1_000


def _config(session: Session, workspace_id: int) -> ScoringConfig | None:
    return session.get(ScoringConfig, workspace_id)


def workspace_rules(session: Session, workspace_id: int) -> tuple[dict[str, Any], int]:
    config = _config(session, workspace_id)
    return rules.merged_rules(config.rules if config else None), config.version if config else 1


def get_rules(*, session: Session, ctx: Ctx) -> ScoringRulesPublic:
    config = _config(session, ctx.workspace_id)
    merged, version = workspace_rules(session, ctx.workspace_id)
    return ScoringRulesPublic(rules=merged, version=version, updated_at=config.updated_at if config else None)


def update_rules(*, session: Session, ctx: Ctx, custom: dict[str, Any]) -> ScoringRulesPublic:
    """Save the workspace's rule settings and rescore every lead in the background."""
    if not account_rules.can(ctx.role, "workspace.settings"):
        raise PermissionDenied("Only owners and admins can change scoring rules", code="forbidden_for_role")
    errors = rules.rule_errors(custom)
    if errors:
        raise InvalidInput("Some scoring rules are invalid", code="invalid_scoring_rules", errors=errors)
    config = session.exec(
        select(ScoringConfig).where(ScoringConfig.workspace_id == ctx.workspace_id).with_for_update()
    ).first()
    if config is None:
        config = ScoringConfig(workspace_id=ctx.workspace_id, rules={}, version=1)
        session.add(config)
    else:
        config.version += 1
    config.rules = {name: dict(value) for name, value in custom.items()}
    config.updated_by_id = ctx.user_id
    config.updated_at = clock.now()
    session.flush()
    enqueue_after_commit(session, RESCORE_JOB, workspace_id=ctx.workspace_id)
    return get_rules(session=session, ctx=ctx)


def _lead_dict(lead: Lead) -> dict[str, Any]:
    return lead.model_dump()


def _explain(points: dict[str, int]) -> list[ScoreLine]:
    return [ScoreLine(rule=name, points=int(points.get(name, 0))) for name in rules.RULE_ORDER]


def compute(
    session: Session, lead: Lead, rule_set: dict[str, Any], *, now: Any = None
) -> tuple[int, dict[str, int]]:
    inbound, _outbound, replied = messaging().lead_message_stats(
        session=session, workspace_id=lead.workspace_id, lead_id=lead.id or 0
    )
    points = rules.score_points(
        _lead_dict(lead), rule_set, now=now or clock.now(), inbound=inbound, replied=replied
    )
    return rules.total(points), points


def _visible_lead(session: Session, ctx: Ctx, lead_id: int) -> Lead:
    lead = session.exec(select(Lead).where(col(Lead.id) == lead_id, *leads_repo.visibility(ctx))).first()
    if lead is None:
        raise NotFound("Lead not found", code="lead_not_found")
    return lead


def preview(
    *, session: Session, ctx: Ctx, lead_id: int, custom: dict[str, Any] | None = None
) -> ScoreExplanation:
    """What this lead would score under `custom` rules (unsaved), or the saved ones."""
    lead = _visible_lead(session, ctx, lead_id)
    if custom is not None:
        errors = rules.rule_errors(custom)
        if errors:
            raise InvalidInput("Some scoring rules are invalid", code="invalid_scoring_rules", errors=errors)
        rule_set, version = rules.merged_rules(custom), 0
    else:
        rule_set, version = workspace_rules(session, ctx.workspace_id)
    score, points = compute(session, lead, rule_set)
    return ScoreExplanation(
        lead_id=lead_id, score=score, band=rules.band(score), lines=_explain(points),
        rules_version=version, computed_at=None,
    )  # fmt: skip


def explanation(*, session: Session, ctx: Ctx, lead_id: int) -> ScoreExplanation:
    """The stored score of a lead with the points each rule gave."""
    _visible_lead(session, ctx, lead_id)
    stored = session.get(LeadScore, lead_id)
    if stored is None or not stored.points:  # not computed yet (a new lead, before its first scoring)
        score = stored.score if stored is not None else 0
        return ScoreExplanation(
            lead_id=lead_id, score=score, band=rules.band(score), lines=[], rules_version=0, computed_at=None,
        )  # fmt: skip
    return ScoreExplanation(
        lead_id=lead_id, score=stored.score, band=rules.band(stored.score),
        lines=_explain(rules.points_dict(stored.points)), rules_version=stored.rules_version,
        computed_at=stored.computed_at,
    )  # fmt: skip


def history(*, session: Session, ctx: Ctx, lead_id: int, limit: int = 20) -> list[ScoreHistoryPublic]:
    _visible_lead(session, ctx, lead_id)
    rows = session.exec(
        select(ScoreHistory)
        .where(ScoreHistory.lead_id == lead_id, ScoreHistory.workspace_id == ctx.workspace_id)
        .order_by(col(ScoreHistory.created_at).desc(), col(ScoreHistory.id).desc())
        .limit(max(1, min(limit, 100)))
    )
    return [ScoreHistoryPublic.model_validate(r, from_attributes=True) for r in rows]


def recompute_leads(*, session: Session, workspace_id: int, lead_ids: Iterable[int], reason: str) -> int:
    """Recompute the given leads (a change, a message, an import batch); returns how many changed."""
    ids = sorted(set(lead_ids))
    if not ids:
        return 0
    rule_set, version = workspace_rules(session, workspace_id)
    now = clock.now()
    changed: list[int] = []
    for start in range(0, len(ids), PYTHON_BATCH):
        part = ids[start : start + PYTHON_BATCH]
        leads = session.exec(select(Lead).where(*leads_repo.live(workspace_id), col(Lead.id).in_(part))).all()
        stored = {
            s.lead_id: s for s in session.exec(select(LeadScore).where(col(LeadScore.lead_id).in_(part)))
        }
        for lead in leads:
            lead_id = lead.id or 0
            score, by_rule = compute(session, lead, rule_set, now=now)
            points = rules.points_list(by_rule)
            row = stored.get(lead_id)
            old = row.score if row is not None else 0
            if row is None:
                session.add(LeadScore(lead_id=lead_id, workspace_id=workspace_id, score=score, points=points,
                                      rules_version=version, computed_at=now))  # fmt: skip
            elif row.points != points or row.score != score:  # the bulk path's test: only what changed
                row.score, row.points, row.rules_version, row.computed_at = score, points, version, now
            if score != old:
                session.add(ScoreHistory(workspace_id=workspace_id, lead_id=lead_id, old_score=old,
                                         new_score=score, reason=reason, created_at=now))  # fmt: skip
                changed.append(lead_id)
    session.flush()
    if changed:
        publish_after_commit(
            session,
            DomainEvent(
                type="lead.scored",
                workspace_id=workspace_id,
                data={"ids": changed[:1000], "count": len(changed)},
            ),
        )
    return len(changed)


def rescore_workspace(workspace_id: int, *, reason: str = "rules.changed") -> int:
    """Every live lead of the workspace, in id ranges, one commit per range (a retry redoes at most
    one range and changes nothing already right). Set-based SQL on PostgreSQL; batches elsewhere."""
    with unit_of_work() as session:
        rule_set, version = workspace_rules(session, workspace_id)
        bounds = repo.id_bounds(session, workspace_id)
        dialect = session.get_bind().dialect.name
    if bounds is None:
        return 0
    low, high = bounds
    processed = 0
    if dialect != "postgresql":
        for start in range(low, high + 1, PYTHON_BATCH):
            with unit_of_work() as session:
                ids = session.exec(
                    select(Lead.id).where(
                        *leads_repo.live(workspace_id),
                        col(Lead.id) >= start,
                        col(Lead.id) < start + PYTHON_BATCH,
                    )  # fmt: skip
                ).all()
                recompute_leads(
                    session=session, workspace_id=workspace_id, lead_ids=[i for i in ids if i], reason=reason
                )
                processed += len(ids)
        return processed
    engagement = messaging().engagement_sql()
    now = clock.now()

    def score_range(start: int) -> tuple[int, int, int]:
        params: dict[str, Any] = {
            "ws": workspace_id, "lo": start, "hi": start + BULK_RANGE, "reason": reason, "now": now,
            "version": version,
        }  # fmt: skip
        sql = repo.rescore_range_sql(rule_set, params, engagement)
        with unit_of_work() as session:
            repo.allow_long_statement(session)
            return repo.run_range(session, sql, params)

    # Disjoint id ranges never touch the same rows: two connections use both cores.
    with ThreadPoolExecutor(max_workers=BULK_THREADS) as pool:
        counts = list(pool.map(score_range, range(low, high + 1, BULK_RANGE)))
    processed = sum(c[0] for c in counts)
    changed = sum(c[1] for c in counts)
    with unit_of_work() as session:
        repo.purge_orphans(session, workspace_id)
    with unit_of_work() as session:
        publish_after_commit(
            session,
            DomainEvent(
                type="lead.scored",
                workspace_id=workspace_id,
                data={"all": True, "count": processed, "changed": changed},
            ),
        )
    return processed

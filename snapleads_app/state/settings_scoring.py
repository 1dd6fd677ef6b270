"""Settings → Scoring: the rule points (owners/admins edit) with a live "what would this lead score"."""

from __future__ import annotations

import dataclasses
from typing import Any

import reflex as rx

from snapleads_app.core.context import Ctx
from snapleads_app.core.errors import InvalidInput
from snapleads_app.domain.accounts import rules as account_rules
from snapleads_app.domain.leads import service as leads
from snapleads_app.domain.leads.models import LeadFilter
from snapleads_app.domain.scoring import rules
from snapleads_app.domain.scoring import service as scoring
from snapleads_app.state.base import guarded, run_service
from snapleads_app.state.leads import Option
from snapleads_app.state.session import SessionState

SIMPLE_RULES = (
    "profile_completeness",
    "has_email",
    "has_phone",
    "job_title",
    "verified",
    "replied",
    "recency",
)
NUMBER_KEYS = ("points", "per_message", "max", "decay_days")


@dataclasses.dataclass
class PreviewLine:
    rule: str = ""
    points: int = 0


def _bands_text(bands: list[list[int]]) -> str:
    return ", ".join(f"{t}:{p}" for t, p in bands)


def _parse_bands(text: str) -> list[list[int]] | None:
    bands = []
    for part in [p.strip() for p in text.split(",") if p.strip()]:
        threshold, _, points = part.partition(":")
        if not (threshold.strip().isdigit() and points.strip().isdigit()):
            return None
        bands.append([int(threshold), int(points)])
    return bands


class ScoringSettingsState(SessionState):
    values: rx.Field[dict[str, str]] = rx.field(default_factory=dict)  # "rule.key" → text
    can_edit: rx.Field[bool] = rx.field(False)
    error: rx.Field[str] = rx.field("")
    lead_options: rx.Field[list[Option]] = rx.field(default_factory=list)
    preview_lead: rx.Field[str] = rx.field("")
    preview_lines: rx.Field[list[PreviewLine]] = rx.field(default_factory=list)
    preview_score: rx.Field[int] = rx.field(0)
    preview_band: rx.Field[str] = rx.field("")

    def _custom(self) -> dict[str, Any]:
        custom: dict[str, dict[str, Any]] = {}
        for key, text in self.values.items():
            rule, _, setting = key.partition(".")
            if setting in NUMBER_KEYS:
                custom.setdefault(rule, {})[setting] = int(text) if text.strip().lstrip("-").isdigit() else -1
            elif setting == "keywords":
                custom.setdefault(rule, {})[setting] = [w.strip() for w in text.split(",") if w.strip()]
            elif setting == "bands":
                custom.setdefault(rule, {})[setting] = _parse_bands(text) or "invalid"
        return custom

    async def _reload(self, ctx: Ctx) -> None:
        current = await run_service(scoring.get_rules, ctx=ctx)
        values: dict[str, str] = {}
        for rule, settings in current.rules.items():
            for setting, value in settings.items():
                if setting == "keywords":
                    values[f"{rule}.{setting}"] = ", ".join(value)
                elif setting == "bands":
                    values[f"{rule}.{setting}"] = _bands_text(value)
                else:
                    values[f"{rule}.{setting}"] = str(value)
        self.values = values
        self.can_edit = account_rules.can(ctx.role, "workspace.settings")
        page = await run_service(leads.list_leads, ctx=ctx, filters=LeadFilter(), limit=50)
        self.lead_options = [
            Option(value=str(lead.id), label=lead.full_name or lead.username or lead.email or f"#{lead.id}")
            for lead in page.data
        ]
        if not self.preview_lead and self.lead_options:
            self.preview_lead = self.lead_options[0].value

    async def _preview(self, ctx: Ctx) -> None:
        if not self.preview_lead.isdigit():
            self.preview_lines = []
            return
        try:
            result = await run_service(
                scoring.preview, ctx=ctx, lead_id=int(self.preview_lead), custom=self._custom()
            )
        except InvalidInput:
            self.error = self._t("error.invalid_scoring_rules")
            return
        self.error = ""
        self.preview_lines = [PreviewLine(rule=line.rule, points=line.points) for line in result.lines]
        self.preview_score = result.score
        self.preview_band = result.band

    @rx.event
    @guarded
    async def load(self):
        ctx = await self._ctx()
        self.error = ""
        await self._reload(ctx)
        await self._preview(ctx)

    @rx.event
    @guarded
    async def set_value(self, key: str, value: str):
        self.values = {**self.values, key: str(value)[:500]}
        await self._preview(await self._ctx())

    @rx.event
    @guarded
    async def set_preview_lead(self, lead_id: str):
        self.preview_lead = str(lead_id)
        await self._preview(await self._ctx())

    @rx.event
    @guarded
    async def save(self):
        ctx = await self._ctx()
        try:
            await run_service(scoring.update_rules, ctx=ctx, custom=self._custom())
        except InvalidInput:
            self.error = self._t("error.invalid_scoring_rules")
            return None
        self.error = ""
        await self._reload(ctx)
        return rx.toast.success(self._t("scoring.saved"))


class LeadScoreState(SessionState):
    """The score explanation in the lead drawer (loaded on demand: "Why this score?")."""

    shown_for: rx.Field[str] = rx.field("")
    lines: rx.Field[list[PreviewLine]] = rx.field(default_factory=list)
    band: rx.Field[str] = rx.field("")
    history: rx.Field[list[str]] = rx.field(default_factory=list)

    @rx.event
    @guarded
    async def explain(self, lead_id: str):
        if self.shown_for == str(lead_id):
            self.shown_for = ""
            return
        ctx = await self._ctx()
        result = await run_service(scoring.explanation, ctx=ctx, lead_id=int(lead_id))
        self.lines = [PreviewLine(rule=line.rule, points=line.points) for line in result.lines if line.points]
        self.band = rules.band(result.score)
        found = await run_service(scoring.history, ctx=ctx, lead_id=int(lead_id), limit=5)
        self.history = [f"{h.created_at:%Y-%m-%d %H:%M} · {h.old_score} → {h.new_score}" for h in found]
        self.shown_for = str(lead_id)

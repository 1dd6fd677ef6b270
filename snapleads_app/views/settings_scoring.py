"""Settings → Scoring: rule points on the left, a live preview for one lead on the right."""

from __future__ import annotations

from typing import Any, cast

import reflex as rx

from snapleads_app.components.widgets import (
    captioned,
    error_callout,
    options_select,
    page_title,
    section_card,
)
from snapleads_app.domain.scoring.rules import RULE_ORDER
from snapleads_app.state.i18n import tr
from snapleads_app.state.settings_scoring import LeadScoreState, ScoringSettingsState
from snapleads_app.views.settings_nav import settings_nav

S = ScoringSettingsState
BAND_COLORS = (("hot", "red"), ("warm", "amber"), ("cold", "blue"))
RULE_SETTINGS: dict[str, tuple[str, ...]] = {
    "profile_completeness": ("points",),
    "has_email": ("points",),
    "has_phone": ("points",),
    "followers": ("bands",),
    "job_title": ("points", "keywords"),
    "verified": ("points",),
    "replied": ("points",),
    "message_count": ("per_message", "max"),
    "recency": ("points", "decay_days"),
}


def _setting(rule: str, setting: str) -> rx.Component:
    key = f"{rule}.{setting}"
    return captioned(
        tr(f"scoring.{setting}"),
        rx.input(
            value=S.values.get(key, ""),
            on_change=lambda v: S.set_value(key, v),
            debounce_timeout=300,
            disabled=~S.can_edit,
            type="number" if setting not in ("keywords", "bands") else "text",
            aria_label=tr(f"scoring.rule_{rule}"),
            id=f"rule-{rule}-{setting}".replace("_", "-"),
            width="100%" if setting in ("keywords", "bands") else "7em",
        ),
    )


def _rule(rule: str) -> rx.Component:
    return rx.vstack(
        rx.text(tr(f"scoring.rule_{rule}"), weight="medium", size="2"),
        rx.hstack(*[_setting(rule, s) for s in RULE_SETTINGS[rule]], spacing="3", width="100%"),
        spacing="1",
        width="100%",
        padding_bottom="0.5em",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
    )


def band_badge(band: Any) -> rx.Component:
    return rx.badge(
        rx.match(band, *[(b, tr(f"scoring.band_{b}")) for b, _ in BAND_COLORS], band),
        color_scheme=cast(Any, rx.match(band, *BAND_COLORS, "gray")),
    )


def rule_label(rule: Any) -> Any:
    return rx.match(rule, *[(r, tr(f"scoring.rule_{r}")) for r in RULE_ORDER], rule)


def _preview() -> rx.Component:
    return section_card(
        tr("scoring.preview_title"),
        rx.text(tr("scoring.preview_hint"), size="2", color_scheme="gray"),
        options_select(
            S.lead_options,
            value=S.preview_lead,
            on_change=S.set_preview_lead,
            trigger={"aria_label": tr("scoring.preview_lead"), "id": "preview-lead", "width": "100%"},
        ),  # fmt: skip
        rx.vstack(
            rx.foreach(
                S.preview_lines,
                lambda line: rx.hstack(
                    rx.text(rule_label(line.rule), size="2"),
                    rx.spacer(),
                    rx.text(line.points, weight="medium"),
                    width="100%",
                ),  # fmt: skip
            ),
            rx.divider(),
            rx.hstack(
                rx.text(tr("scoring.total"), weight="bold"),
                rx.spacer(),
                band_badge(S.preview_band),
                rx.text(S.preview_score, weight="bold", id="preview-score"),
                width="100%",
                align="center",
            ),
            width="100%",
            spacing="1",
        ),
    )


def settings_scoring_view() -> rx.Component:
    return rx.vstack(
        settings_nav(),
        page_title(tr("scoring.title"), tr("scoring.subtitle")),
        rx.grid(
            section_card(
                tr("scoring.rules"),
                rx.cond(~S.can_edit, rx.callout(tr("scoring.readonly"), icon="info", size="1")),
                *[_rule(r) for r in RULE_ORDER],
                error_callout(S.error, "scoring-error"),
                rx.cond(S.can_edit, rx.button(tr("scoring.save"), on_click=S.save, id="save-scoring")),
            ),
            _preview(),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="4",
            width="100%",
            align="start",
        ),
        spacing="5",
        width="100%",
    )


def score_explanation(lead_id: Any) -> rx.Component:
    """For the lead drawer: a "Why this score?" toggle with the points per rule and recent history."""
    L = LeadScoreState
    return rx.vstack(
        rx.button(
            rx.icon("info", size=14),
            tr("scoring.why"),
            size="1",
            variant="ghost",
            on_click=L.explain(lead_id),
            id="why-score",
        ),  # fmt: skip
        rx.cond(
            L.shown_for == lead_id,
            rx.vstack(
                band_badge(L.band),
                rx.cond(
                    L.lines.length() == 0, rx.text(tr("scoring.not_scored"), size="1", color_scheme="gray")
                ),
                rx.foreach(
                    L.lines,
                    lambda line: rx.hstack(
                        rx.text(rule_label(line.rule), size="1"),
                        rx.spacer(),
                        rx.text("+", line.points, size="1", weight="medium"),
                        width="100%",
                    ),  # fmt: skip
                ),
                rx.cond(L.history.length() > 0, rx.text(tr("scoring.history"), size="1", weight="medium")),
                rx.foreach(L.history, lambda h: rx.text(h, size="1", color_scheme="gray")),
                spacing="1",
                width="100%",
                data_testid="score-explanation",
            ),
        ),
        spacing="1",
        width="100%",
    )

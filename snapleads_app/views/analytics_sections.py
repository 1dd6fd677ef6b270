"""Analytics sections shared by the dashboard (/) and /analytics: filters, KPI cards, charts, tables.

Each section is its own function over `DashboardState`, so pages compose (and merge) them freely.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from snapleads_app.components.live import watch
from snapleads_app.components.widgets import ACCENT, captioned, empty_state, options_select, section_card
from snapleads_app.state.dashboard import PLATFORMS, DashboardState, Kpi, Slice
from snapleads_app.state.i18n import tr
from snapleads_app.state.realtime_imports import ImportsShared
from snapleads_app.state.realtime_inbox import InboxShared
from snapleads_app.state.realtime_leads import LeadsShared

S = DashboardState


def live_watchers() -> rx.Component:
    """Reload the numbers when leads, imports or conversations change (every page's shell already joins
    the tab to its inbox channel: the workspace's, or an agent's own)."""
    return rx.fragment(
        watch(LeadsShared.version, S.live_changed),
        watch(ImportsShared.version, S.live_changed),
        watch(InboxShared.version, S.live_changed),
    )


# ---------------------------------------------------------------- filters


def filters_bar() -> rx.Component:
    presets = rx.segmented_control.root(
        rx.segmented_control.item(tr("analytics.preset_7"), value="7"),
        rx.segmented_control.item(tr("analytics.preset_30"), value="30"),
        rx.segmented_control.item(tr("analytics.preset_90"), value="90"),
        rx.segmented_control.item(tr("analytics.preset_365"), value="365"),
        value=S.preset,
        on_change=S.set_preset,
        id="range-presets",
    )
    platform = rx.select.root(
        rx.select.trigger(id="filter-platform"),
        rx.select.content(
            rx.select.item(tr("analytics.all_platforms"), value="all"),
            *[rx.select.item(tr(f"platform.{p}"), value=p) for p in PLATFORMS],
        ),
        value=S.platform,
        on_change=S.set_platform,
    )
    assignee = options_select(
        S.member_options,
        value=S.assignee,
        on_change=S.set_assignee,
        trigger={"id": "filter-assignee"},
        first=(rx.select.item(tr("analytics.all_reps"), value="all"),),
    )
    return rx.flex(
        captioned(tr("analytics.period"), presets),
        captioned(
            tr("analytics.from"),
            rx.input(type="date", value=S.date_from, on_change=S.set_date_from, id="date-from", size="2"),
        ),
        captioned(
            tr("analytics.to"),
            rx.input(type="date", value=S.date_to, on_change=S.set_date_to, id="date-to", size="2"),
        ),
        captioned(tr("analytics.platform"), platform),
        rx.cond(S.sees_all, captioned(tr("analytics.rep"), assignee)),
        rx.cond(S.loading, rx.spinner(size="2")),
        gap="4",
        wrap="wrap",
        align="end",
        width="100%",
    )


# ---------------------------------------------------------------- KPIs


def _trend(kpi: Kpi) -> rx.Component:
    return rx.match(  # type: ignore[return-value]
        kpi.trend,
        ("up", rx.badge(rx.icon("trending_up", size=14), kpi.delta, color_scheme="green", variant="soft")),
        ("down", rx.badge(rx.icon("trending_down", size=14), kpi.delta, color_scheme="red", variant="soft")),
        ("flat", rx.badge(rx.icon("minus", size=14), kpi.delta, color_scheme="gray", variant="soft")),
        rx.fragment(),
    )


def _kpi_card(kpi: Kpi) -> rx.Component:
    label = rx.match(
        kpi.key,
        ("total", tr("analytics.kpi_total")),
        ("new", tr("analytics.kpi_new")),
        ("scheduled", tr("analytics.kpi_scheduled")),
        ("closed", tr("analytics.kpi_closed")),
        ("conversations", tr("analytics.kpi_conversations")),
        ("response_rate", tr("analytics.kpi_response_rate")),
        kpi.key,
    )
    return rx.card(
        rx.vstack(
            rx.text(label, size="2", color_scheme="gray"),
            rx.hstack(
                rx.heading(kpi.value, size="7", class_name="kpi-value"),
                _trend(kpi),
                align="center",
                spacing="2",
                wrap="wrap",
            ),
            rx.cond(kpi.key == "new", rx.text(tr("analytics.vs_previous"), size="1", color_scheme="gray")),
            spacing="1",
        ),
        id=f"kpi-{kpi.key}",
        class_name="kpi-card",
        data_key=kpi.key,
        size="2",
        width="100%",
    )


def kpi_section() -> rx.Component:
    return rx.grid(
        rx.foreach(S.kpis, _kpi_card),
        columns=rx.breakpoints(initial="2", md="3", lg="6"),
        spacing="3",
        width="100%",
        id="kpis",
    )


# ---------------------------------------------------------------- charts


def timeline_section() -> rx.Component:
    granularity = rx.segmented_control.root(
        rx.segmented_control.item(tr("analytics.by_day"), value="day"),
        rx.segmented_control.item(tr("analytics.by_week"), value="week"),
        rx.segmented_control.item(tr("analytics.by_month"), value="month"),
        value=S.granularity,
        on_change=S.set_granularity,
        size="1",
    )
    chart = rx.recharts.area_chart(
        rx.recharts.cartesian_grid(stroke_dasharray="3 3", vertical=False),
        rx.recharts.x_axis(data_key="label", min_tick_gap=16),
        rx.recharts.y_axis(allow_decimals=False, width=48),
        rx.recharts.graphing_tooltip(),
        rx.recharts.area(
            data_key="leads",
            name=tr("analytics.leads"),
            stroke=rx.color(ACCENT, 9),
            fill=rx.color(ACCENT, 5),
            type_="monotone",
            is_animation_active=False,
        ),
        data=S.chart,
        width="100%",
        height=260,
    )
    return section_card(
        tr("analytics.leads_over_time"),
        rx.hstack(
            rx.text(
                tr("analytics.leads_in_period", n=S.chart_total),
                color_scheme="gray",
                size="2",
                id="chart-total",
            ),
            rx.spacer(),
            granularity,
            width="100%",
            align="center",
        ),
        rx.box(chart, width="100%", id="timeline-chart", class_name="chart"),
    )


def _legend_row(item: Slice) -> rx.Component:
    return rx.hstack(
        rx.box(width="0.75em", height="0.75em", border_radius="3px", background=item.color),
        rx.text(item.label, size="2"),
        rx.spacer(),
        rx.text(item.count_text, size="2", weight="medium"),
        rx.text(item.pct, size="1", color_scheme="gray", min_width="3.5em", text_align="right"),
        width="100%",
        align="center",
        data_key=item.key,
    )


def _breakdown(title_key: str, items: Any, data: Any, id_: str) -> rx.Component:
    chart = rx.recharts.bar_chart(
        rx.recharts.x_axis(data_key="label", hide=True),
        rx.recharts.y_axis(allow_decimals=False, hide=True),
        rx.recharts.graphing_tooltip(),
        rx.recharts.bar(
            rx.foreach(items, lambda s: rx.recharts.cell(fill=s.color)),
            data_key="count",
            name=tr("analytics.leads"),
            is_animation_active=False,
        ),
        data=data,
        width="100%",
        height=140,
    )
    # The chart stays mounted (empty until the numbers arrive): a chart mounted with its data would
    # measure its container first and draw a frame later (seen on the dashboard's first load).
    return section_card(
        tr(title_key),
        rx.box(chart, width="100%", class_name="chart"),
        rx.cond(
            items.length() > 0,  # type: ignore[attr-defined]
            rx.vstack(rx.foreach(items, _legend_row), width="100%", spacing="1"),
            rx.cond(S.loaded, rx.text(tr("analytics.no_leads_in_period"), color_scheme="gray", size="2")),
        ),
        id=id_,
    )


def breakdown_section() -> rx.Component:
    return rx.grid(
        _breakdown("analytics.by_platform", S.platforms, S.platform_chart, "by-platform"),
        _breakdown("analytics.by_status", S.statuses, S.status_chart, "by-status"),
        columns=rx.breakpoints(initial="1", md="2"),
        spacing="4",
        width="100%",
    )


def funnel_section() -> rx.Component:
    def row(stage: Any) -> rx.Component:
        return rx.hstack(
            rx.text(stage.name, size="2", min_width="7em"),
            rx.box(
                rx.box(
                    width=stage.width,
                    height="100%",
                    background=stage.color,
                    border_radius="4px",
                    opacity=rx.cond(stage.terminal, "0.55", "1"),
                ),
                flex="1",
                height="1.4em",
                background=rx.color("gray", 3),
                border_radius="4px",
            ),
            rx.text(stage.reached, size="2", weight="medium", min_width="4.5em", text_align="right"),
            rx.text(stage.conversion, size="1", color_scheme="gray", min_width="4em", text_align="right"),
            width="100%",
            align="center",
            class_name="funnel-row",
        )

    return section_card(
        tr("analytics.funnel"),
        rx.text(tr("analytics.funnel_hint", n=S.funnel_cohort), size="2", color_scheme="gray"),
        rx.vstack(rx.foreach(S.funnel, row), width="100%", spacing="2", id="funnel"),
    )


# ---------------------------------------------------------------- tables


def reps_section(*, full: bool = False) -> rx.Component:
    head = [
        "analytics.rep",
        "analytics.col_assigned",
        "analytics.col_new",
        "lead_status.contacted",
        "lead_status.qualified",
        "lead_status.scheduled",
        "lead_status.closed",
    ]
    if full:
        head += ["analytics.col_conversations", "analytics.col_response_rate"]

    def row(r: Any) -> rx.Component:
        cells = [r.name, r.assigned, r.new, r.contacted, r.qualified, r.scheduled, r.closed]
        if full:
            cells += [r.conversations, r.response_rate]
        return rx.table.row(*[rx.table.cell(c) for c in cells])

    return section_card(
        tr("analytics.per_rep"),
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(tr(k)) for k in head])),
            rx.table.body(rx.foreach(S.reps, row)),
            width="100%",
            size="1",
            id="reps-table",
        ),
        _export_button("by-user") if full else rx.fragment(),
    )


def recent_activity_section() -> rx.Component:
    def row(a: Any) -> rx.Component:
        return rx.hstack(
            rx.icon("activity", size=14, color=rx.color(ACCENT, 10)),
            rx.vstack(
                rx.text(rx.text.strong(a.lead_name), " · ", a.what, size="2"),
                rx.text(a.actor, " · ", a.when, size="1", color_scheme="gray"),
                spacing="0",
            ),
            align="start",
            spacing="2",
            width="100%",
        )

    return section_card(
        tr("analytics.recent_activity"),
        rx.cond(
            S.recent.length() > 0,  # type: ignore[attr-defined]
            rx.vstack(rx.foreach(S.recent, row), spacing="3", width="100%", id="recent-activity"),
            rx.text(tr("analytics.no_activity"), color_scheme="gray", size="2"),
        ),
    )


def imports_section() -> rx.Component:
    head = [
        "analytics.col_source",
        "analytics.col_jobs",
        "analytics.col_rows",
        "analytics.col_created",
        "analytics.col_duplicates",
        "analytics.col_errors",
    ]

    def row(r: Any) -> rx.Component:
        return rx.table.row(
            *[rx.table.cell(c) for c in (r.source, r.jobs, r.rows, r.created, r.duplicates, r.errors)]
        )

    return section_card(
        tr("analytics.imports"),
        rx.cond(
            S.imports.length() > 0,  # type: ignore[attr-defined]
            rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(tr(k)) for k in head])),
                rx.table.body(rx.foreach(S.imports, row)),
                width="100%",
                size="1",
                id="imports-table",
            ),
            rx.text(tr("analytics.no_imports"), color_scheme="gray", size="2"),
        ),
        _export_button("imports"),
    )


def templates_section() -> rx.Component:
    head = [
        "analytics.col_template",
        "analytics.col_sent",
        "analytics.col_replies_7d",
        "analytics.col_reply_rate",
    ]

    def row(r: Any) -> rx.Component:
        return rx.table.row(*[rx.table.cell(c) for c in (r.name, r.sent, r.replies, r.reply_rate)])

    return section_card(
        tr("analytics.templates"),
        rx.text(
            rx.cond(S.templates_own, tr("analytics.templates_hint_own"), tr("analytics.templates_hint")),
            size="1",
            color_scheme="gray",
        ),
        rx.cond(
            S.template_rows.length() > 0,  # type: ignore[attr-defined]
            rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(tr(k)) for k in head])),
                rx.table.body(rx.foreach(S.template_rows, row)),
                width="100%",
                size="1",
                id="templates-table",
            ),
            rx.text(tr("analytics.no_templates"), color_scheme="gray", size="2"),
        ),
        _export_button("templates"),
    )


def _export_button(table: str) -> rx.Component:
    return rx.cond(
        S.can_export,
        rx.link(
            rx.button(rx.icon("download", size=14), tr("analytics.export_csv"), variant="soft", size="1"),
            href=S.export_base + f"/{table}.csv?" + S.export_query,
            is_external=True,
            id=f"export-{table}",
        ),
    )


def export_bar() -> rx.Component:
    return rx.cond(
        S.can_export,
        rx.hstack(
            rx.text(tr("analytics.export_csv"), size="2", color_scheme="gray"),
            *[
                rx.link(
                    rx.button(
                        rx.icon("download", size=14),
                        tr(f"analytics.table_{name.replace('-', '_')}"),
                        variant="soft",
                        size="1",
                    ),
                    href=S.export_base + f"/{name}.csv?" + S.export_query,
                    is_external=True,
                    id=f"export-{name}",
                )
                for name in ("overview", "funnel", "timeline")
            ],
            spacing="2",
            wrap="wrap",
            align="center",
        ),
    )


def new_workspace_state() -> rx.Component:
    return empty_state("chart_column", tr("analytics.empty_title"), tr("analytics.empty_body"))

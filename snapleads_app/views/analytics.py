"""/analytics: the fuller tables (per rep with inbox columns, imports, template performance) and CSV
export of each table."""

from __future__ import annotations

import reflex as rx

from snapleads_app.components.widgets import page_header
from snapleads_app.state.i18n import tr
from snapleads_app.views.analytics_sections import (
    breakdown_section,
    export_bar,
    filters_bar,
    funnel_section,
    imports_section,
    kpi_section,
    live_watchers,
    reps_section,
    templates_section,
    timeline_section,
)


def analytics_view() -> rx.Component:
    return rx.vstack(
        live_watchers(),
        page_header(tr("nav.analytics"), tr("analytics.subtitle")),
        filters_bar(),
        export_bar(),
        kpi_section(),
        timeline_section(),
        rx.grid(
            funnel_section(),
            imports_section(),
            columns=rx.breakpoints(initial="1", lg="2"),
            spacing="4",
            width="100%",
        ),
        breakdown_section(),
        reps_section(full=True),
        templates_section(),
        spacing="4",
        width="100%",
    )

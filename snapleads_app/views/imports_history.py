"""/imports — the job history table: status, counts, who, when, file; cancel and rejected rows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx

from snapleads_app.components.import_widgets import job_status_badge
from snapleads_app.components.widgets import section_card, visually_hidden
from snapleads_app.state.i18n import tr
from snapleads_app.state.imports import ImportsState

S = ImportsState


def _counts(job: Any) -> rx.Component:
    def num(value: Any, color: Any, label_key: str) -> rx.Component:
        return rx.tooltip(
            rx.text(value.to_string(), size="2", weight="medium", color=rx.color(color, 11)),
            content=tr(label_key),
        )

    return rx.hstack(
        num(job.created, "grass", "imports.created"),
        rx.text("/", color_scheme="gray", size="1"),
        num(job.updated, "blue", "imports.updated"),
        rx.text("/", color_scheme="gray", size="1"),
        num(job.duplicates, "amber", "imports.duplicates_count"),
        rx.text("/", color_scheme="gray", size="1"),
        num(job.errors, "red", "imports.errors"),
        spacing="1",
        align="center",
        aria_label=tr(
            "imports.counts_aria",
            created=job.created.to_string(),
            updated=job.updated.to_string(),
            duplicates=job.duplicates.to_string(),
            errors=job.errors.to_string(),
        ),
    )


def _row(job: Any, status_label: Callable[[Any], Any]) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.link(
                rx.text(job.file_name, weight="medium", size="2", truncate=True, max_width="18em"),
                on_click=S.show_job(job.id),
                href="#",
                aria_label=tr("imports.open_job", name=job.file_name),
            )
        ),
        rx.table.cell(
            rx.vstack(
                job_status_badge(job.status, status_label(job.status)),
                rx.cond(job.running, rx.progress(value=job.progress, max=100, size="1", width="6em")),
                spacing="1",
            )
        ),
        rx.table.cell(_counts(job)),
        rx.table.cell(rx.text(job.total.to_string(), size="2")),
        rx.table.cell(rx.cond(job.who != "", rx.text(job.who, size="2"), rx.text("—", color_scheme="gray"))),
        rx.table.cell(rx.text(job.when, size="2", white_space="nowrap")),
        rx.table.cell(
            rx.hstack(
                rx.cond(
                    job.running,
                    rx.icon_button(
                        rx.icon("circle_stop", size=14),
                        size="1",
                        variant="ghost",
                        color_scheme="red",
                        on_click=S.cancel_import(job.id),
                        aria_label=tr("imports.cancel"),
                    ),
                ),
                rx.cond(
                    job.errors > 0,
                    rx.icon_button(
                        rx.icon("download", size=14),
                        size="1",
                        variant="ghost",
                        on_click=S.download_rejected(job.id),
                        aria_label=tr("imports.download_rejected"),
                        data_testid="history-download",
                    ),
                ),
                spacing="1",
            )
        ),
        align="center",
        data_testid="history-row",
        data_job_id=job.id,
    )


def history_section(status_label: Callable[[Any], Any]) -> rx.Component:
    table = rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell(tr("imports.col_file")),
                    rx.table.column_header_cell(tr("imports.col_status")),
                    rx.table.column_header_cell(tr("imports.col_counts")),
                    rx.table.column_header_cell(tr("imports.col_total")),
                    rx.table.column_header_cell(tr("imports.col_who")),
                    rx.table.column_header_cell(tr("imports.col_when")),
                    rx.table.column_header_cell(visually_hidden(tr("leads.col_actions"))),
                )
            ),
            rx.table.body(rx.foreach(S.history, lambda job: _row(job, status_label))),
            variant="surface",
            width="100%",
            id="history-table",
        ),
        width="100%",
        overflow_x="auto",
    )
    return section_card(
        tr("imports.history"),
        rx.cond(
            S.history.length() > 0,
            table,
            rx.text(tr("imports.history_empty"), color_scheme="gray", size="2", id="history-empty"),
        ),
        id="import-history",
    )

"""/imports — the CSV import wizard (upload → preview + mapping → live progress → result) and history."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import reflex as rx

from snapleads_app.components.import_widgets import count_tile, job_status_badge, step_indicator
from snapleads_app.components.live import watch
from snapleads_app.components.widgets import error_callout, loading_block, page_header, section_card
from snapleads_app.state.i18n import tr
from snapleads_app.state.imports import (
    ASSIGNEE_POLICIES,
    DUPLICATE_POLICIES,
    LEAD_FIELDS,
    MAX_UPLOAD_BYTES,
    PLATFORMS,
    STEPS,
    ImportsState,
)
from snapleads_app.state.realtime_imports import ImportsShared
from snapleads_app.views.imports_history import history_section

S = ImportsState
UPLOAD_ID = "csv-upload"
ACCEPT: dict[str, Sequence[str]] = {
    "text/csv": [".csv"],
    "text/plain": [".csv", ".txt", ".tsv"],
    "text/tab-separated-values": [".tsv"],
    "application/vnd.ms-excel": [".csv"],
}
STATUSES = ("queued", "processing", "completed", "failed", "cancelled")


def status_label(status: Any) -> Any:
    return rx.match(status, *[(s, tr(f"imports.status.{s}")) for s in STATUSES], status)


def _header() -> rx.Component:
    return page_header(
        tr("imports.title"),
        tr("imports.subtitle"),
        step_indicator(S.step, [(step, tr(f"imports.step.{step}")) for step in STEPS], tr("imports.steps")),
    )


# ---------------------------------------------------------------- step 1: upload


def _dropzone() -> rx.Component:
    return rx.upload.root(
        rx.vstack(
            rx.center(
                rx.icon("file_up", size=28, color=rx.color("violet", 11)),
                width="3.5em",
                height="3.5em",
                border_radius="50%",
                background=rx.color("violet", 3),
            ),
            rx.heading(tr("imports.drop_title"), size="4", align="center"),
            rx.text(tr("imports.drop_hint"), size="2", color_scheme="gray", align="center"),
            rx.button(
                rx.icon("folder_open", size=16), tr("imports.choose_file"), type="button", variant="soft"
            ),
            align="center",
            spacing="3",
        ),
        id=UPLOAD_ID,
        accept=ACCEPT,
        max_files=1,
        multiple=False,
        max_size=MAX_UPLOAD_BYTES,
        disabled=S.uploading | S.inspecting,
        on_drop=S.handle_upload(rx.upload_files(upload_id=UPLOAD_ID, on_upload_progress=S.upload_progress)),
        on_drop_rejected=S.drop_rejected,
        border=f"2px dashed {rx.color('violet', 7)}",
        border_radius="1em",
        padding=["2em", "3em"],
        width="100%",
        cursor="pointer",
        background=rx.color("violet", 2),
        drag_active_style=cast(
            Any, {"background": rx.color("violet", 4), "border_color": rx.color("violet", 9)}
        ),
        aria_label=tr("imports.drop_title"),
    )


def _upload_step() -> rx.Component:
    return rx.vstack(
        rx.cond(
            S.uploading,
            rx.card(
                rx.vstack(
                    rx.hstack(
                        rx.spinner(size="2"),
                        rx.text(tr("imports.uploading", pct=S.upload_pct.to_string()), weight="medium"),
                        spacing="2",
                        align="center",
                    ),
                    rx.progress(
                        value=S.upload_pct, max=100, width="100%", aria_label=tr("imports.upload_progress")
                    ),
                    spacing="3",
                    width="100%",
                ),
                width="100%",
                id="upload-progress",
            ),
            rx.cond(
                S.inspecting,
                rx.card(
                    rx.hstack(
                        rx.spinner(size="2"),
                        rx.text(tr("imports.inspecting"), weight="medium"),
                        spacing="2",
                        align="center",
                    ),
                    width="100%",
                    id="inspecting",
                ),
                rx.cond(
                    S.can_import,
                    _dropzone(),
                    rx.callout(tr("imports.no_permission"), icon="lock", width="100%"),
                ),
            ),
        ),
        rx.cond(
            S.file_error != "",
            rx.callout(
                S.file_error,
                icon="triangle_alert",
                color_scheme="red",
                role="alert",
                width="100%",
                id="file-error",
            ),
        ),
        spacing="3",
        width="100%",
    )


# ---------------------------------------------------------------- step 2: preview, mapping, options


def _detected() -> rx.Component:
    def fact(label: Any, value: Any, id_: str) -> rx.Component:
        return rx.vstack(
            rx.text(label, size="1", color_scheme="gray", weight="medium"),
            rx.text(value, size="2", weight="bold", id=id_),
            spacing="0",
        )

    return rx.flex(
        rx.hstack(
            rx.icon("file_spreadsheet", size=20, color=rx.color("violet", 11)),
            rx.vstack(
                rx.text(S.file_name, weight="bold", id="file-name"),
                rx.text(S.file_size, size="1", color_scheme="gray"),
                spacing="0",
            ),
            align="center",
            spacing="2",
        ),
        rx.spacer(),
        fact(tr("imports.encoding"), S.encoding, "detected-encoding"),
        fact(
            tr("imports.separator"),
            rx.match(
                S.separator, *[(k, tr(f"imports.sep.{k}")) for k in ("comma", "semicolon", "tab", "pipe")], ""
            ),
            "detected-separator",
        ),
        fact(tr("imports.rows_estimated"), S.estimated_rows.to_string(), "detected-rows"),
        rx.el.label(
            rx.hstack(
                rx.switch(
                    checked=S.has_header, on_change=S.set_has_header, id="has-header", disabled=S.inspecting
                ),
                rx.text(tr("imports.has_header"), size="2"),
                spacing="2",
                align="center",
            ),
        ),
        gap="5",
        wrap="wrap",
        align="center",
        width="100%",
    )


def _preview_table() -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.foreach(
                        S.headers, lambda h: rx.table.column_header_cell(rx.text(h, white_space="nowrap"))
                    )
                )
            ),
            rx.table.body(
                rx.foreach(
                    S.preview_rows,
                    lambda row: rx.table.row(
                        rx.foreach(
                            row,
                            lambda cell: rx.table.cell(
                                rx.text(cell, size="1", white_space="nowrap", max_width="16em", truncate=True)
                            ),
                        ),
                    ),
                )
            ),
            size="1",
            variant="surface",
            width="100%",
            id="preview-table",
        ),
        width="100%",
        overflow_x="auto",
    )


def _target_select(col: Any) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(
            aria_label=tr("imports.map_column", column=col.header), width="100%", min_width="12em"
        ),
        rx.select.content(
            rx.select.group(
                rx.select.label(tr("imports.lead_fields")),
                *[rx.select.item(tr(f"imports.target.{f}"), value=f) for f in LEAD_FIELDS],
            ),
            rx.select.separator(),
            rx.select.item(tr("imports.target.custom"), value="custom"),
            rx.select.item(tr("imports.target.ignore"), value="ignore"),
        ),
        value=col.target,
        on_change=lambda value: S.set_target(col.header, value),
    )


def _mapping_row(col: Any) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.text(col.header, weight="medium", size="2")),
        rx.table.cell(
            rx.vstack(
                rx.foreach(
                    col.samples,
                    lambda s: rx.text(s, size="1", color_scheme="gray", truncate=True, max_width="18em"),
                ),
                rx.cond(col.samples.length() == 0, rx.text("—", size="1", color_scheme="gray")),
                spacing="0",
            )
        ),
        rx.table.cell(
            rx.vstack(
                _target_select(col),
                rx.cond(
                    col.target == "custom",
                    rx.input(
                        default_value=col.custom,
                        on_blur=lambda value: S.set_custom_name(col.header, value),
                        placeholder=tr("imports.custom_name"),
                        aria_label=tr("imports.custom_name_for", column=col.header),
                        size="1",
                        width="100%",
                    ),
                ),
                rx.cond(
                    col.error != "",
                    rx.text(
                        col.error, size="1", color_scheme="red", role="alert", data_testid="mapping-row-error"
                    ),
                ),
                spacing="1",
                width="100%",
            )
        ),
        align="center",
        data_testid="mapping-row",
        data_header=col.header,
        opacity=rx.cond(col.target == "ignore", "0.55", "1"),
    )


def _presets_bar() -> rx.Component:
    """Apply a mapping saved for an earlier file, or save this one under a name."""
    picker = rx.select.root(
        rx.select.trigger(
            placeholder=tr("imports.preset_pick"), id="preset-picker", aria_label=tr("imports.preset_pick")
        ),
        rx.select.content(rx.foreach(S.preset_options, lambda p: rx.select.item(p.label, value=p.value))),
        value=S.preset_choice,
        on_change=S.apply_preset,
        disabled=S.preset_options.length() == 0,
    )
    return rx.flex(
        picker,
        rx.spacer(),
        rx.input(
            value=S.preset_name,
            on_change=S.set_preset_name,
            placeholder=tr("imports.preset_name"),
            aria_label=tr("imports.preset_name"),
            id="preset-name",
            max_length=80,
            size="2",
        ),
        rx.button(tr("imports.preset_save"), variant="soft", on_click=S.save_preset, id="preset-save"),
        spacing="2",
        align="center",
        wrap="wrap",
        width="100%",
    )


def _mapping_table() -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell(tr("imports.col_column")),
                    rx.table.column_header_cell(tr("imports.col_samples")),
                    rx.table.column_header_cell(tr("imports.col_target")),
                )
            ),
            rx.table.body(rx.foreach(S.columns, _mapping_row)),
            variant="surface",
            width="100%",
            id="mapping-table",
        ),
        width="100%",
        overflow_x="auto",
    )


def _labelled(label_key: str, control: rx.Component, html_for: str | None = None) -> rx.Component:
    return rx.vstack(
        rx.text(tr(label_key), size="2", weight="medium", as_="label", html_for=html_for),
        control,
        spacing="1",
        width="100%",
    )


def _options() -> rx.Component:
    duplicate = rx.radio_group.root(
        rx.vstack(
            *[
                rx.el.label(
                    rx.hstack(
                        rx.radio_group.item(value=p),
                        rx.vstack(
                            rx.text(tr(f"imports.dup.{p}"), size="2", weight="medium"),
                            rx.text(tr(f"imports.dup.{p}_hint"), size="1", color_scheme="gray"),
                            spacing="0",
                        ),
                        spacing="2",
                        align="start",
                    ),
                )
                for p in DUPLICATE_POLICIES
            ],
            spacing="2",
        ),
        value=S.duplicate_policy,
        on_change=S.set_duplicate_policy,
        aria_label=tr("imports.duplicates"),
        id="duplicate-policy",
    )
    platform = rx.select.root(
        rx.select.trigger(id="import-platform", width="100%", aria_label=tr("imports.platform")),
        rx.select.content(
            rx.select.item(tr("imports.platform_auto"), value="auto"),
            rx.select.separator(),
            *[rx.select.item(tr(f"platform.{p}"), value=p) for p in PLATFORMS],
        ),
        value=S.platform,
        on_change=S.set_platform,
    )
    assignee = rx.vstack(
        rx.select.root(
            rx.select.trigger(id="assignee-policy", width="100%", aria_label=tr("imports.assignee")),
            rx.select.content(
                *[rx.select.item(tr(f"imports.assign.{p}"), value=p) for p in ASSIGNEE_POLICIES]
            ),
            value=S.assignee_policy,
            on_change=S.set_assignee_policy,
        ),
        rx.cond(
            S.assignee_policy == "fixed",
            rx.select.root(
                rx.select.trigger(
                    placeholder=tr("leads.choose_member"), width="100%", aria_label=tr("leads.choose_member")
                ),
                rx.select.content(
                    rx.foreach(S.member_options, lambda m: rx.select.item(m.label, value=m.value))
                ),
                value=S.assignee_id,
                on_change=S.set_assignee_id,
            ),
        ),
        spacing="2",
        width="100%",
    )
    return rx.grid(
        _labelled("imports.duplicates", duplicate),
        rx.vstack(
            _labelled(
                "imports.tags",
                rx.input(
                    value=S.tags_text,
                    on_change=S.set_tags_text,
                    debounce_timeout=300,
                    placeholder=tr("imports.tags_placeholder"),
                    id="import-tags",
                    width="100%",
                ),
                "import-tags",
            ),
            _labelled("imports.platform", platform),
            rx.cond(S.can_assign, _labelled("imports.assignee", assignee)),
            spacing="3",
            width="100%",
        ),
        columns=rx.breakpoints(initial="1", md="2"),
        spacing="5",
        width="100%",
    )


def _mapping_step() -> rx.Component:
    return rx.vstack(
        rx.card(_detected(), width="100%", id="detected"),
        section_card(tr("imports.preview"), _preview_table()),
        section_card(
            tr("imports.mapping"),
            rx.text(tr("imports.mapping_hint"), size="2", color_scheme="gray"),
            _presets_bar(),
            _mapping_table(),
        ),
        section_card(tr("imports.options"), _options()),
        error_callout(S.mapping_error, "mapping-error"),
        rx.flex(
            rx.button(
                tr("imports.start_over"),
                variant="soft",
                color_scheme="gray",
                on_click=S.start_over,
                id="start-over",
            ),
            rx.spacer(),
            rx.button(
                rx.icon("play", size=16),
                tr("imports.start", rows=S.estimated_rows.to_string()),
                size="3",
                on_click=S.start_import,
                loading=S.starting,
                disabled=S.inspecting,
                id="start-import",
            ),
            gap="3",
            width="100%",
            wrap="wrap",
        ),
        spacing="4",
        width="100%",
    )


# ---------------------------------------------------------------- steps 3 and 4: progress and result


def _counts() -> rx.Component:
    job = S.current
    return rx.grid(
        count_tile(tr("imports.created"), job.created, "grass", "count-created"),
        count_tile(tr("imports.updated"), job.updated, "blue", "count-updated"),
        count_tile(tr("imports.duplicates_count"), job.duplicates, "amber", "count-duplicates"),
        count_tile(tr("imports.errors"), job.errors, "red", "count-errors"),
        columns=rx.breakpoints(initial="2", sm="4"),
        spacing="3",
        width="100%",
    )


def _running_step() -> rx.Component:
    job = S.current
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon("file_spreadsheet", size=20, color=rx.color("violet", 11)),
                rx.text(job.file_name, weight="bold"),
                job_status_badge(job.status, status_label(job.status)),
                rx.spacer(),
                rx.button(
                    rx.icon("circle_stop", size=16),
                    tr("imports.cancel"),
                    variant="soft",
                    color_scheme="red",
                    on_click=S.cancel_import(job.id),
                    id="cancel-import",
                ),
                align="center",
                spacing="2",
                width="100%",
                wrap="wrap",
            ),
            rx.hstack(
                rx.text(tr("imports.progress_label"), size="2", color_scheme="gray"),
                rx.spacer(),
                rx.text(job.progress.to_string(), "%", weight="bold", id="progress-pct", aria_live="polite"),
                width="100%",
            ),
            rx.progress(
                value=job.progress, max=100, width="100%", size="3", aria_label=tr("imports.progress_label")
            ),
            rx.text(
                tr("imports.rows_of", processed=job.processed.to_string(), total=job.total.to_string()),
                size="2",
                color_scheme="gray",
            ),
            _counts(),
            rx.text(tr("imports.leave_hint"), size="1", color_scheme="gray"),
            spacing="4",
            width="100%",
        ),
        width="100%",
        size="3",
        id="import-running",
    )


def _result_step() -> rx.Component:
    job = S.current
    title = rx.match(
        job.status,
        ("completed", tr("imports.done_title")),
        ("cancelled", tr("imports.cancelled_title")),
        tr("imports.failed_title"),
    )
    icon = rx.match(
        job.status,
        ("completed", rx.icon("circle_check", size=28, color=rx.color("grass", 10))),
        ("cancelled", rx.icon("circle_slash", size=28, color=rx.color("amber", 10))),
        rx.icon("circle_x", size=28, color=rx.color("red", 10)),
    )
    return rx.card(
        rx.vstack(
            rx.hstack(
                icon,
                rx.vstack(
                    rx.heading(title, size="5", id="result-title"),
                    rx.text(job.file_name, size="2", color_scheme="gray"),
                    spacing="0",
                ),
                align="center",
                spacing="3",
            ),
            rx.progress(value=job.progress, max=100, width="100%", aria_label=tr("imports.progress_label")),
            rx.text(job.progress.to_string(), "%", size="1", color_scheme="gray", id="progress-pct"),
            _counts(),
            rx.cond(
                job.error != "",
                rx.callout(
                    job.error, icon="triangle_alert", color_scheme="red", width="100%", id="job-error"
                ),
            ),
            rx.cond(
                job.errors.to(int) > 0,
                rx.text(tr("imports.errors_hint"), size="2", color_scheme="gray"),
            ),
            rx.flex(
                rx.cond(
                    job.errors.to(int) > 0,
                    rx.button(
                        rx.icon("download", size=16),
                        tr("imports.download_rejected"),
                        variant="soft",
                        color_scheme="red",
                        on_click=S.download_rejected(job.id),
                        id="download-rejected",
                    ),
                ),
                rx.spacer(),
                rx.link(
                    rx.button(rx.icon("users", size=16), tr("imports.view_leads"), variant="soft"),
                    href="/leads",
                ),
                rx.button(
                    rx.icon("file_up", size=16),
                    tr("imports.another"),
                    on_click=S.start_over,
                    id="import-another",
                ),
                gap="3",
                wrap="wrap",
                width="100%",
            ),
            spacing="4",
            width="100%",
        ),
        width="100%",
        size="3",
        id="import-result",
    )


def _wizard() -> rx.Component:
    return rx.cond(
        ~S.loaded,
        loading_block(tr("common.loading")),
        rx.match(
            S.step,
            ("mapping", _mapping_step()),
            ("running", _running_step()),
            ("result", _result_step()),
            _upload_step(),
        ),
    )


def imports_view() -> rx.Component:
    return rx.vstack(
        watch(ImportsShared.version, S.live_changed),
        _header(),
        _wizard(),
        history_section(status_label),
        spacing="5",
        width="100%",
    )

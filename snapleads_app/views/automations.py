"""/automations: list with toggles and stats, the builder (trigger, conditions, ordered actions), run log."""

from __future__ import annotations

from typing import Any, cast

import reflex as rx

from snapleads_app.components.dialogs import confirm_dialog
from snapleads_app.components.live import watch
from snapleads_app.components.sortable import sort_handle, sortable_item, sortable_list
from snapleads_app.components.widgets import (
    captioned,
    empty_state,
    error_callout,
    options_select,
    page_header,
    section_card,
)
from snapleads_app.domain.automations.rules import MAX_DEPTH, OPERATORS, SCORE_BANDS, WAIT_UNITS
from snapleads_app.state.automations import (
    ANY,
    CONDITION_FIELDS,
    ROUND_ROBIN,
    RUN_STATUSES,
    TRIGGERS,
    AutomationsState,
)
from snapleads_app.state.i18n import tr
from snapleads_app.state.leads import PLATFORMS, STATUSES
from snapleads_app.state.realtime_automations import AutomationsShared

A = AutomationsState
ACTION_TYPES = ("add_tag", "remove_tag", "set_status", "set_stage", "assign", "send_template", "wait",
                "stop_if_replied", "webhook")  # fmt: skip
STATUS_COLORS = {
    "success": "green",
    "failed": "red",
    "skipped": "gray",
    "waiting": "amber",
    "cancelled": "orange",
}


def _select(
    items: list[tuple[str, Any]], *, value: Any, on_change: Any, id_: str, label: Any
) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(id=id_, aria_label=label, width="100%"),
        rx.select.content(*[rx.select.item(text, value=v) for v, text in items]),
        value=value,
        on_change=on_change,
    )


def _status_badge(status: Any) -> rx.Component:
    return rx.badge(
        rx.match(status, *[(s, tr(f"automations.status_{s}")) for s in RUN_STATUSES], status),
        color_scheme=cast(Any, rx.match(status, *list(STATUS_COLORS.items()), "blue")),
    )


# ---------------------------------------------------------------- list


def _automation_row(a: Any) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.text(a.name, weight="medium")),
        rx.table.cell(
            rx.match(a.trigger, *[(t, tr(f"automations.trigger_{t}")) for t in TRIGGERS], a.trigger)
        ),
        rx.table.cell(
            rx.switch(
                checked=a.enabled,
                on_change=lambda v: A.toggle(a.id, v),
                disabled=~A.can_manage,
                aria_label=tr("automations.toggle", name=a.name),
                id="toggle-" + a.id,
            )  # fmt: skip
        ),
        rx.table.cell(
            rx.hstack(
                rx.badge(a.total.to_string(), title=tr("automations.runs_total")),
                rx.badge(a.success.to_string(), color_scheme="green", title=tr("automations.status_success")),
                rx.badge(a.failed.to_string(), color_scheme="red", title=tr("automations.status_failed")),
                rx.badge(a.skipped.to_string(), color_scheme="gray", title=tr("automations.status_skipped")),
                rx.badge(a.waiting.to_string(), color_scheme="amber", title=tr("automations.status_waiting")),
                spacing="1",
                data_testid="automation-stats",
            )
        ),
        rx.table.cell(rx.text(a.last_run, size="1", color_scheme="gray")),
        rx.cond(
            A.can_manage,
            rx.table.cell(
                rx.hstack(
                    rx.icon_button(
                        rx.icon("pencil", size=14),
                        size="1",
                        variant="soft",
                        on_click=A.edit(a.id),
                        aria_label=tr("automations.edit", name=a.name),
                    ),  # fmt: skip
                    confirm_dialog(
                        rx.icon_button(
                            rx.icon("trash_2", size=14),
                            size="1",
                            variant="soft",
                            color_scheme="red",
                            aria_label=tr("automations.delete", name=a.name),
                        ),  # fmt: skip
                        title=tr("automations.delete", name=a.name),
                        description=tr("automations.delete_confirm"),
                        cancel_label=tr("common.cancel"),
                        confirm=rx.button(tr("common.delete"), color_scheme="red", on_click=A.delete(a.id)),
                    ),
                    spacing="2",
                )
            ),
        ),
        align="center",
        data_testid="automation-row",
    )


def _list() -> rx.Component:
    return rx.cond(
        A.automations.length() > 0,
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell(tr("automations.col_name")),
                    rx.table.column_header_cell(tr("automations.col_trigger")),
                    rx.table.column_header_cell(tr("automations.col_enabled")),
                    rx.table.column_header_cell(tr("automations.col_runs")),
                    rx.table.column_header_cell(tr("automations.col_last_run")),
                    rx.cond(A.can_manage, rx.table.column_header_cell(tr("leads.col_actions"))),
                )
            ),
            rx.table.body(rx.foreach(A.automations, _automation_row)),
            variant="surface",
            width="100%",
        ),
        rx.cond(
            A.loaded, empty_state("workflow", tr("automations.empty_title"), tr("automations.empty_body"))
        ),
    )


# ---------------------------------------------------------------- builder


def _choice_select(row: Any, choices: list[tuple[str, Any]]) -> rx.Component:
    return _select(
        choices,
        value=rx.cond(row.value == "", "none", row.value),
        on_change=lambda v: A.set_condition(row.path, "value", v),
        id_="condition-value",
        label=tr("automations.condition_value"),
    )


def _condition_value(row: Any) -> rx.Component:
    """The value control suits the field and operator: a tag, yes/no, a platform/status/band, or text."""
    single = (row.operator == "equals") | (row.operator == "not_equals")
    text_input = rx.input(
        value=row.value,
        on_change=lambda v: A.set_condition(row.path, "value", v),
        aria_label=tr("automations.condition_value"),
        placeholder=tr("automations.condition_value"),
    )  # fmt: skip
    return rx.cond(
        (row.operator == "is_empty") | (row.operator == "is_not_empty"),
        rx.box(),
        rx.cond(
            row.field == "tags",
            options_select(
                A.tag_options,
                value=rx.cond(row.value == "", "none", row.value),
                on_change=lambda v: A.set_condition(row.path, "value", v),
                trigger={"aria_label": tr("automations.condition_value"), "width": "100%"},
                first=(rx.select.item("—", value="none", disabled=True),),
            ),  # fmt: skip
            rx.match(
                row.field,
                (
                    "verified",
                    _choice_select(row, [("true", tr("automations.yes")), ("false", tr("automations.no"))]),
                ),
                (
                    "replied",
                    _choice_select(row, [("true", tr("automations.yes")), ("false", tr("automations.no"))]),
                ),
                (
                    "platform",
                    rx.cond(
                        single, _choice_select(row, [(p, tr(f"platform.{p}")) for p in PLATFORMS]), text_input
                    ),
                ),
                (
                    "status",
                    rx.cond(
                        single,
                        _choice_select(row, [(x, tr(f"lead_status.{x}")) for x in STATUSES]),
                        text_input,
                    ),
                ),
                (
                    "score_band",
                    rx.cond(
                        single,
                        _choice_select(row, [(b, tr(f"scoring.band_{b}")) for b in SCORE_BANDS]),
                        text_input,
                    ),
                ),
                text_input,
            ),  # fmt: skip
        ),
    )


def _group_row(row: Any) -> rx.Component:
    return rx.hstack(
        rx.segmented_control.root(
            rx.segmented_control.item(tr("automations.all_of"), value="and"),
            rx.segmented_control.item(tr("automations.any_of"), value="or"),
            value=row.op,
            on_change=lambda v: A.set_group_op(row.path, v),
            size="1",
            data_testid="group-op",
        ),  # fmt: skip
        rx.text(tr("automations.group_of"), size="2", color_scheme="gray"),
        rx.button(
            rx.icon("plus", size=14),
            tr("automations.add_condition"),
            variant="soft",
            size="1",
            on_click=A.add_condition(row.path),
            data_testid="add-condition",
        ),  # fmt: skip
        rx.cond(
            row.depth < MAX_DEPTH - 1,
            rx.button(
                rx.icon("brackets", size=14),
                tr("automations.add_group"),
                variant="soft",
                size="1",
                color_scheme="violet",
                on_click=A.add_group(row.path),
                data_testid="add-group",
            ),
        ),  # fmt: skip
        rx.cond(
            row.path != "",
            rx.icon_button(
                rx.icon("x", size=14),
                variant="ghost",
                color_scheme="gray",
                on_click=A.remove_condition(row.path),
                aria_label=tr("automations.remove_group"),
            ),
        ),  # fmt: skip
        spacing="2",
        align="center",
        wrap="wrap",
    )


def _leaf_row(row: Any) -> rx.Component:
    return rx.grid(
        _select(
            [(f, tr(f"automations.field_{f}")) for f in CONDITION_FIELDS],
            value=row.field,
            on_change=lambda v: A.set_condition(row.path, "field", v),
            id_="condition-field",
            label=tr("automations.condition_field"),
        ),  # fmt: skip
        rx.select.root(
            rx.select.trigger(
                id="condition-operator", aria_label=tr("automations.condition_operator"), width="100%"
            ),
            rx.select.content(
                rx.foreach(
                    row.operators,
                    lambda o: rx.select.item(
                        rx.match(o, *[(x, tr(f"automations.op_{x}")) for x in OPERATORS], o), value=o
                    ),
                )
            ),
            value=row.operator,
            on_change=lambda v: A.set_condition(row.path, "operator", v),
        ),  # fmt: skip
        _condition_value(row),
        rx.icon_button(
            rx.icon("x", size=14),
            variant="ghost",
            color_scheme="gray",
            on_click=A.remove_condition(row.path),
            aria_label=tr("automations.remove_condition"),
        ),  # fmt: skip
        columns="3fr 3fr 4fr auto",
        spacing="2",
        width="100%",
        align="center",
    )


def _condition(row: Any) -> rx.Component:
    """One row of the flattened tree, indented by its depth; groups get a coloured left border."""
    return rx.vstack(
        rx.cond(row.kind == "group", _group_row(row), _leaf_row(row)),
        rx.cond(row.error != "", rx.text(row.error, color_scheme="red", size="1", role="alert")),
        width="100%",
        spacing="1",
        padding_left=f"calc({row.depth} * 1.5em)",
        border_left=rx.cond(row.kind == "group", "2px solid var(--violet-7)", "none"),
        data_testid=rx.cond(row.kind == "group", "condition-group", "condition-row"),
        data_path=row.path,
    )


def _action_param(row: Any, index: Any) -> rx.Component:
    def set_param(v: Any) -> Any:
        return A.set_action(index, "param", v)

    trigger = {"aria_label": tr("automations.action_param"), "width": "100%", "id": "action-param"}
    placeholder = (rx.select.item("—", value="none", disabled=True),)
    param = rx.cond(row.param == "", "none", row.param)
    return cast(rx.Component, rx.match(
        row.type,
        ("add_tag", options_select(A.tag_options, value=param, on_change=set_param, trigger=trigger, first=placeholder)),
        ("remove_tag", options_select(A.tag_options, value=param, on_change=set_param, trigger=trigger, first=placeholder)),
        ("set_status", _select([(s, tr(f"lead_status.{s}")) for s in STATUSES], value=param, on_change=set_param,
                               id_="action-param", label=tr("automations.action_param"))),
        ("set_stage", options_select(A.stage_options, value=param, on_change=set_param, trigger=trigger, first=placeholder)),
        ("assign", options_select(A.member_options, value=param, on_change=set_param, trigger=trigger,
                                  first=(*placeholder, rx.select.item(tr("automations.round_robin"), value=ROUND_ROBIN)))),
        ("webhook", options_select(A.webhook_options, value=param, on_change=set_param, trigger=trigger, first=placeholder)),
        ("wait", rx.hstack(
            rx.input(value=row.param, on_change=set_param, type="number", min=1, width="6em",
                     aria_label=tr("automations.wait_amount")),
            _select([(u, tr(f"automations.unit_{u}")) for u in WAIT_UNITS], value=row.unit,
                    on_change=lambda v: A.set_action(index, "unit", v), id_="wait-unit", label=tr("automations.wait_unit")),
            spacing="2",
        )),
        ("send_template", rx.input(value=row.param, on_change=set_param, type="number", min=1,
                                   aria_label=tr("automations.template_id"), placeholder=tr("automations.template_id"))),
        rx.text(tr("automations.no_settings"), size="1", color_scheme="gray"),
    ))  # fmt: skip


def _action(row: Any, index: Any) -> rx.Component:
    return sortable_item(
        rx.grid(
            rx.hstack(
                sort_handle(tr("automations.drag_to_reorder")),
                rx.badge((index + 1).to_string(), variant="outline"),
                spacing="1",
                align="center",
            ),
            _select(
                [(t, tr(f"automations.action_{t}")) for t in ACTION_TYPES],
                value=row.type,
                on_change=lambda v: A.set_action(index, "type", v),
                id_="action-type",
                label=tr("automations.action_type"),
            ),  # fmt: skip
            _action_param(row, index),
            rx.hstack(
                rx.icon_button(
                    rx.icon("arrow_up", size=14),
                    variant="ghost",
                    on_click=A.move_action(index, -1),
                    aria_label=tr("automations.move_up"),
                ),  # fmt: skip
                rx.icon_button(
                    rx.icon("arrow_down", size=14),
                    variant="ghost",
                    on_click=A.move_action(index, 1),
                    aria_label=tr("automations.move_down"),
                ),  # fmt: skip
                rx.icon_button(
                    rx.icon("x", size=14),
                    variant="ghost",
                    color_scheme="gray",
                    on_click=A.remove_action(index),
                    aria_label=tr("automations.remove_action"),
                ),  # fmt: skip
                spacing="1",
            ),
            columns="auto 3fr 4fr auto",
            spacing="2",
            width="100%",
            align="center",
        ),
        rx.cond(row.error != "", rx.text(row.error, color_scheme="red", size="1", role="alert")),
        index=index,
        data_testid="action-row",
        style={"width": "100%", "&[data-dragging]": {"opacity": "0.4"}},
    )


def _builder() -> rx.Component:
    return section_card(
        rx.cond(A.editing_id == "", tr("automations.new"), tr("automations.editing")),
        rx.vstack(
            rx.grid(
                captioned(
                    tr("automations.name"),
                    rx.input(
                        value=A.name,
                        on_change=A.set_name,
                        id="automation-name",
                        aria_label=tr("automations.name"),
                        max_length=120,
                    ),
                ),  # fmt: skip
                captioned(
                    tr("automations.trigger"),
                    _select(
                        [(t, tr(f"automations.trigger_{t}")) for t in TRIGGERS],
                        value=A.trigger,
                        on_change=A.set_trigger,
                        id_="automation-trigger",
                        label=tr("automations.trigger"),
                    ),
                ),  # fmt: skip
                captioned(
                    tr("automations.filter_platform"),
                    _select(
                        [(ANY, tr("automations.any")), *[(p, tr(f"platform.{p}")) for p in PLATFORMS]],
                        value=A.filter_platform,
                        on_change=A.set_filter_platform,
                        id_="automation-platform",
                        label=tr("automations.filter_platform"),
                    ),
                ),  # fmt: skip
                rx.cond(
                    A.trigger == "status_changed",
                    captioned(
                        tr("automations.filter_status"),
                        _select(
                            [(ANY, tr("automations.any")), *[(s, tr(f"lead_status.{s}")) for s in STATUSES]],
                            value=A.filter_status,
                            on_change=A.set_filter_status,
                            id_="automation-to-status",
                            label=tr("automations.filter_status"),
                        ),
                    ),
                ),  # fmt: skip
                rx.cond(
                    A.trigger == "tag_added",
                    captioned(
                        tr("automations.filter_tag"),
                        options_select(
                            A.tag_options,
                            value=A.filter_tag,
                            on_change=A.set_filter_tag,
                            trigger={"aria_label": tr("automations.filter_tag"), "width": "100%"},
                            first=(rx.select.item(tr("automations.any"), value=ANY),),
                        ),
                    ),
                ),  # fmt: skip
                columns="repeat(auto-fit, minmax(14em, 1fr))",
                spacing="3",
                width="100%",
            ),
            rx.heading(tr("automations.conditions"), size="3"),
            rx.vstack(rx.foreach(A.conditions, _condition), spacing="2", width="100%", id="condition-tree"),
            rx.heading(tr("automations.actions"), size="3"),
            sortable_list(
                rx.foreach(A.actions, _action),
                list_id="actions",
                on_reorder=A.drop_action,
                id="action-list",
                style={
                    "display": "flex",
                    "flexDirection": "column",
                    "gap": "var(--space-2)",
                    "width": "100%",
                    "&[data-drop-active]": {"outline": "2px dashed var(--accent-7)", "outlineOffset": "4px"},
                },
            ),  # fmt: skip
            rx.button(
                rx.icon("plus", size=14),
                tr("automations.add_action"),
                variant="soft",
                size="1",
                on_click=A.add_action,
                id="add-action",
            ),  # fmt: skip
            error_callout(A.builder_error, "builder-error"),
            rx.hstack(
                rx.button(tr("common.save"), on_click=A.save, id="save-automation"),
                rx.button(tr("common.cancel"), variant="soft", color_scheme="gray", on_click=A.close_builder),
                spacing="2",
            ),
            spacing="3",
            width="100%",
        ),
    )


# ---------------------------------------------------------------- run log


def _run_row(run: Any) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(run.started, size="1")),
        rx.table.cell(run.automation),
        rx.table.cell(run.lead),
        rx.table.cell(_status_badge(run.status)),
        rx.table.cell(rx.text(run.duration, size="1")),
        rx.table.cell(rx.text(run.error, size="1", color_scheme="red")),
        rx.table.cell(
            rx.button(tr("automations.details"), size="1", variant="ghost", on_click=A.show_run(run.id))
        ),
        data_testid="run-row",
        align="center",
    )


def _run_detail() -> rx.Component:
    return rx.cond(
        A.run_detail_id != "",
        section_card(
            A.run_detail_title,
            rx.vstack(
                rx.hstack(
                    _status_badge(A.run_detail.status),
                    rx.text(
                        tr("automations.run_trigger"),
                        ": ",
                        rx.match(
                            A.run_detail.trigger,
                            *[(t, tr(f"automations.trigger_{t}")) for t in TRIGGERS],
                            A.run_detail.trigger,
                        ),
                        size="1",
                    ),
                    rx.text(A.run_detail.started, size="1", color_scheme="gray"),
                    rx.text(A.run_detail.duration, size="1", color_scheme="gray"),
                    spacing="3",
                    align="center",
                    wrap="wrap",
                ),
                rx.cond(
                    A.run_detail.error != "",
                    rx.text(A.run_detail.error, color_scheme="red", size="1", data_testid="run-detail-error"),
                ),
                rx.cond(
                    A.run_steps.length() == 0,
                    rx.text(tr("automations.no_steps"), size="1", color_scheme="gray"),
                ),
                rx.foreach(
                    A.run_steps,
                    lambda s: rx.hstack(
                        rx.badge(s.index, variant="outline"),
                        rx.text(
                            rx.match(
                                s.type, *[(t, tr(f"automations.action_{t}")) for t in ACTION_TYPES], s.type
                            ),
                            weight="medium",
                            size="2",
                        ),  # fmt: skip
                        rx.text(s.outcome, size="2"),
                        rx.text(s.detail, size="1", color_scheme="gray"),
                        rx.text(s.at, size="1", color_scheme="gray"),
                        spacing="3",
                        data_testid="run-step",
                    ),
                ),
                rx.button(tr("common.close"), size="1", variant="soft", on_click=A.close_run),
                spacing="2",
            ),
            id="run-detail",
        ),
    )


def _run_log() -> rx.Component:
    return section_card(
        tr("automations.run_log"),
        rx.vstack(
            rx.hstack(
                options_select(
                    A.automation_options,
                    value=A.run_automation,
                    on_change=A.set_run_automation,
                    trigger={
                        "aria_label": tr("automations.filter_automation"),
                        "id": "run-filter-automation",
                    },
                    first=(rx.select.item(tr("automations.all_automations"), value=ANY),),
                ),  # fmt: skip
                _select(
                    [
                        (ANY, tr("automations.all_statuses")),
                        *[(s, tr(f"automations.status_{s}")) for s in RUN_STATUSES],
                    ],
                    value=A.run_status,
                    on_change=A.set_run_status,
                    id_="run-filter-status",
                    label=tr("automations.filter_status_runs"),
                ),  # fmt: skip
                rx.button(
                    rx.icon("refresh_cw", size=14),
                    tr("automations.refresh"),
                    size="1",
                    variant="soft",
                    on_click=A.refresh_runs,
                    id="refresh-runs",
                ),  # fmt: skip
                rx.badge(
                    rx.icon("radio", size=12), tr("automations.live"), color_scheme="green", variant="soft"
                ),
                spacing="2",
                wrap="wrap",
                align="center",
            ),
            watch(AutomationsShared.version, A.live_changed),
            _run_detail(),
            rx.cond(
                A.runs.length() > 0,
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            *[
                                rx.table.column_header_cell(tr(f"automations.run_{c}"))
                                for c in ("started", "automation", "lead", "status", "duration", "error")
                            ],
                            rx.table.column_header_cell(""),
                        )
                    ),  # fmt: skip
                    rx.table.body(rx.foreach(A.runs, _run_row)),
                    variant="surface",
                    size="1",
                    width="100%",
                ),
                rx.text(tr("automations.no_runs"), color_scheme="gray", size="2"),
            ),
            spacing="3",
            width="100%",
        ),
    )


def automations_view() -> rx.Component:
    return rx.vstack(
        page_header(
            tr("nav.automations"),
            tr("automations.subtitle"),
            rx.cond(
                A.can_manage,
                rx.button(
                    rx.icon("plus", size=16), tr("automations.new"), on_click=A.new, id="new-automation"
                ),
            ),  # fmt: skip
        ),
        rx.cond(A.builder_open, _builder()),
        _list(),
        _run_log(),
        spacing="5",
        width="100%",
    )

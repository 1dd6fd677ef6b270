"""/automations: list with toggles and stats, the builder (trigger, conditions, ordered actions), run log."""

from __future__ import annotations

from typing import Any, cast

import reflex as rx

from snapleads_app.components.dialogs import confirm_dialog
from snapleads_app.components.widgets import (
    captioned,
    empty_state,
    error_callout,
    options_select,
    page_header,
    section_card,
)
from snapleads_app.domain.automations.rules import OPERATORS, WAIT_UNITS
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


def _condition(row: Any, index: Any) -> rx.Component:
    value_control = rx.cond(
        row.field == "tags",
        options_select(
            A.tag_options,
            value=rx.cond(row.value == "", "none", row.value),
            on_change=lambda v: A.set_condition(index, "value", v),
            trigger={"aria_label": tr("automations.condition_value"), "width": "100%"},
            first=(rx.select.item("—", value="none", disabled=True),),
        ),  # fmt: skip
        rx.input(
            value=row.value,
            on_change=lambda v: A.set_condition(index, "value", v),
            aria_label=tr("automations.condition_value"),
            placeholder=tr("automations.condition_value"),
        ),  # fmt: skip
    )
    return rx.vstack(
        rx.grid(
            _select(
                [(f, tr(f"automations.field_{f}")) for f in CONDITION_FIELDS],
                value=row.field,
                on_change=lambda v: A.set_condition(index, "field", v),
                id_="condition-field",
                label=tr("automations.condition_field"),
            ),  # fmt: skip
            _select(
                [(o, tr(f"automations.op_{o}")) for o in OPERATORS],
                value=row.operator,
                on_change=lambda v: A.set_condition(index, "operator", v),
                id_="condition-operator",
                label=tr("automations.condition_operator"),
            ),  # fmt: skip
            value_control,
            rx.icon_button(
                rx.icon("x", size=14),
                variant="ghost",
                color_scheme="gray",
                on_click=A.remove_condition(index),
                aria_label=tr("automations.remove_condition"),
            ),  # fmt: skip
            columns="3fr 3fr 4fr auto",
            spacing="2",
            width="100%",
            align="center",
        ),
        rx.cond(row.error != "", rx.text(row.error, color_scheme="red", size="1", role="alert")),
        width="100%",
        spacing="1",
        data_testid="condition-row",
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
    return rx.vstack(
        rx.grid(
            rx.badge((index + 1).to_string(), variant="outline"),
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
        width="100%",
        spacing="1",
        data_testid="action-row",
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
            rx.hstack(
                rx.heading(tr("automations.conditions"), size="3"),
                rx.segmented_control.root(
                    rx.segmented_control.item(tr("automations.all_of"), value="and"),
                    rx.segmented_control.item(tr("automations.any_of"), value="or"),
                    value=A.op,
                    on_change=A.set_op,
                    size="1",
                ),  # fmt: skip
                align="center",
                spacing="3",
            ),
            rx.foreach(A.conditions, _condition),
            rx.button(
                rx.icon("plus", size=14),
                tr("automations.add_condition"),
                variant="soft",
                size="1",
                on_click=A.add_condition,
                id="add-condition",
            ),  # fmt: skip
            rx.heading(tr("automations.actions"), size="3"),
            rx.foreach(A.actions, _action),
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
                spacing="2",
                wrap="wrap",
            ),
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

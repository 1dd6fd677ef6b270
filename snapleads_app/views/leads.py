"""/leads — the leads table: filters, search, sort, pages, selection + bulk actions, columns, export."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import reflex as rx

from snapleads_app.components.dialogs import cancel_button, dialog_footer, form_dialog_footer
from snapleads_app.components.lead_widgets import field_error, score_badge, tag_chip
from snapleads_app.components.live import watch
from snapleads_app.components.widgets import (
    empty_state,
    loading_block,
    options_select,
    page_header,
    search_input,
    toolbar,
    unstyled_button,
    visually_hidden,
)
from snapleads_app.state.i18n import tr
from snapleads_app.state.lead_detail import LeadDetailState
from snapleads_app.state.leads import COLUMNS, PLATFORMS, STATUSES, LeadsState
from snapleads_app.state.realtime_leads import LeadsShared
from snapleads_app.views.lead_detail import lead_drawer
from snapleads_app.views.leads_common import (
    lead_avatar,
    open_lead_item,
    platform_label,
    platform_tag,
    status_label,
    status_tag,
    tags_row,
)

S = LeadsState


def _shown(column: str) -> Any:
    return S.shown_columns.contains(column)


# ---------------------------------------------------------------- header


def _columns_menu() -> rx.Component:
    return rx.popover.root(
        rx.popover.trigger(
            rx.button(
                rx.icon("columns_3", size=16),
                tr("leads.columns"),
                variant="soft",
                color_scheme="gray",
                id="columns-button",
            )
        ),
        rx.popover.content(
            rx.vstack(
                *[
                    _check_row(tr(f"leads.col_{col}"), _shown(col), lambda _v, c=col: S.toggle_column(c))
                    for col in COLUMNS
                ],
                spacing="2",
            ),
            aria_label=tr("leads.columns"),
        ),
    )


def _export_callout() -> rx.Component:
    """A background export: progress, then the download link (or the failure)."""
    return rx.cond(
        S.export_job_id > 0,
        rx.callout.root(
            rx.callout.icon(rx.icon("download")),
            rx.hstack(
                rx.cond(
                    S.export_status == "completed",
                    rx.link(
                        tr("leads.export_ready"), href=S.export_url, is_external=True, id="export-download"
                    ),
                    rx.cond(
                        S.export_status == "failed",
                        rx.text(tr("leads.export_failed")),
                        rx.hstack(
                            rx.text(tr("leads.export_running")),
                            rx.progress(value=S.export_progress.to(int), width="10em"),
                            align="center",
                        ),
                    ),
                ),
                rx.spacer(),
                rx.icon_button(
                    rx.icon("x", size=14),
                    variant="ghost",
                    size="1",
                    on_click=S.dismiss_export,
                    aria_label=tr("common.close"),
                ),
                align="center",
                width="100%",
            ),
            id="export-job",
            width="100%",
        ),
    )


def _header() -> rx.Component:
    return page_header(
        tr("leads.title"),
        tr("leads.subtitle"),
        toolbar(
            _columns_menu(),
            rx.cond(
                S.can_export,
                rx.button(
                    rx.icon("download", size=16),
                    tr("leads.export"),
                    variant="soft",
                    on_click=S.export,
                    loading=S.exporting,
                    id="export-button",
                ),
            ),
            rx.cond(S.can_create, _new_lead_dialog()),
        ),
        badge=rx.badge(
            tr("leads.count", count=S.total.to_string()),
            variant="soft",
            radius="full",
            id="leads-total",
        ),
    )


# ---------------------------------------------------------------- filters


def _check_row(label: Any, checked: Any, on_change: Any, **props: Any) -> rx.Component:
    return rx.el.label(
        rx.hstack(
            rx.checkbox(checked=checked, on_change=on_change),
            rx.text(label, size="2"),
            spacing="2",
            align="center",
        ),
        **props,
    )


def _filter_button(icon: str, label: Any, count: Any, id_: str) -> rx.Component:
    return rx.button(
        rx.icon(icon, size=14),
        label,
        rx.cond(count > 0, rx.badge(count.to_string(), radius="full", size="1")),
        rx.icon("chevron_down", size=14),
        variant="surface",
        color_scheme="gray",
        id=id_,
    )


def _choice_filter(
    trigger: rx.Component,
    choices: tuple[str, ...],
    label: Callable[[str], Any],
    chosen: Any,
    toggle: Callable[[str], Any],
    data_attr: str,
) -> rx.Component:
    """A popover of checkboxes, one per fixed choice; `data_attr` names the choice on its row."""
    return rx.popover.root(
        rx.popover.trigger(trigger),
        rx.popover.content(
            rx.vstack(
                *[
                    _check_row(
                        label(c),
                        chosen.contains(c),
                        lambda _v, c=c: toggle(c),
                        **{data_attr: c},
                    )
                    for c in choices
                ],
                spacing="2",
            ),
        ),
    )


def _platform_filter() -> rx.Component:
    return _choice_filter(
        _filter_button("globe", tr("leads.filter_platform"), S.platforms.length(), "filter-platform"),
        PLATFORMS,
        platform_label,
        S.platforms,
        S.toggle_platform,
        "data_platform",
    )


def _status_filter() -> rx.Component:
    return _choice_filter(
        _filter_button("flag", tr("leads.filter_status"), S.statuses.length(), "filter-status"),
        STATUSES,
        status_label,
        S.statuses,
        S.toggle_status,
        "data_status",
    )


def _tag_filter() -> rx.Component:
    return rx.popover.root(
        rx.popover.trigger(
            _filter_button("tags", tr("leads.filter_tags"), S.tag_filter.length(), "filter-tags")
        ),
        rx.popover.content(
            rx.vstack(
                rx.segmented_control.root(
                    rx.segmented_control.item(tr("leads.tags_any"), value="any"),
                    rx.segmented_control.item(tr("leads.tags_all"), value="all"),
                    value=S.tags_mode,
                    on_change=S.set_tags_mode,
                    size="1",
                ),
                rx.cond(
                    S.tag_options.length() > 0,
                    rx.vstack(
                        rx.foreach(
                            S.tag_options,
                            lambda o: rx.el.label(
                                rx.hstack(
                                    rx.checkbox(
                                        checked=S.tag_filter.contains(o.value),
                                        on_change=lambda _v: S.toggle_tag_filter(o.value),
                                    ),
                                    tag_chip(o.label, o.color),
                                    spacing="2",
                                    align="center",
                                ),
                            ),
                        ),
                        spacing="2",
                        max_height="18em",
                        overflow_y="auto",
                    ),
                    rx.text(tr("tags.empty_title"), size="2", color_scheme="gray"),
                ),
                spacing="3",
            ),
        ),
    )


def _assignee_filter() -> rx.Component:
    return rx.select.root(
        rx.select.trigger(aria_label=tr("leads.filter_assignee"), id="filter-assignee"),
        rx.select.content(
            rx.select.item(tr("leads.assignee_all"), value="all"),
            rx.select.item(tr("leads.unassigned"), value="unassigned"),
            rx.select.separator(),
            rx.foreach(S.member_options, lambda m: rx.select.item(m.label, value=m.value)),
        ),
        value=S.assignee_filter,
        on_change=S.set_assignee_filter,
    )


def _score_input(value: Any, on_change: Any, label_key: str) -> rx.Component:
    return rx.input(
        value=value,
        on_change=on_change,
        debounce_timeout=400,
        placeholder=tr(label_key),
        aria_label=tr(label_key),
        type="number",
        min=0,
        max=100,
        width="4.5em",
    )


def _score_filter() -> rx.Component:
    return rx.hstack(
        rx.text(tr("leads.filter_score"), size="2", color_scheme="gray"),
        _score_input(S.score_min, S.set_score_min, "leads.score_min"),
        rx.text("–", color_scheme="gray"),
        _score_input(S.score_max, S.set_score_max, "leads.score_max"),
        *[
            rx.button(
                tr(f"scoring.band_{band}"),
                size="1",
                variant="soft",
                color_scheme=cast(Any, color),
                on_click=S.set_score_band(band),
                id=f"score-band-{band}",
            )  # fmt: skip
            for band, color in (("hot", "red"), ("warm", "amber"), ("cold", "blue"))
        ],
        align="center",
        spacing="1",
    )


def _filters() -> rx.Component:
    return rx.flex(
        search_input(S.search, S.set_search, tr("leads.search"), "leads-search", min_width="16em", flex="1"),
        _platform_filter(),
        _status_filter(),
        _tag_filter(),
        _assignee_filter(),
        _score_filter(),
        rx.cond(
            S.filters_active,
            rx.button(
                rx.icon("x", size=14),
                tr("leads.clear_filters"),
                variant="ghost",
                on_click=S.clear_filters,
                id="clear-filters",
            ),
        ),
        gap="2",
        wrap="wrap",
        align="center",
        width="100%",
    )


# ---------------------------------------------------------------- selection and bulk


def _bulk_dialog() -> rx.Component:
    action = S.bulk_action

    def choose(options: Any, placeholder_key: str) -> rx.Component:
        return options_select(
            options,
            value=S.bulk_value,
            on_change=S.set_bulk_value,
            trigger={"placeholder": tr(placeholder_key), "width": "100%"},
        )

    picker = rx.match(
        action,
        ("tag", choose(S.tag_options, "leads.choose_tag")),
        ("untag", choose(S.tag_options, "leads.choose_tag")),
        ("assign", choose(S.member_options, "leads.choose_member")),
        (
            "status",
            rx.select.root(
                rx.select.trigger(placeholder=tr("leads.choose_status"), width="100%"),
                rx.select.content(*[rx.select.item(status_label(s), value=s) for s in STATUSES]),
                value=S.bulk_value,
                on_change=S.set_bulk_value,
            ),
        ),
        rx.text(tr("leads.bulk_delete_confirm", count=S.selection_count.to_string())),
    )
    title = rx.match(
        action,
        ("tag", tr("leads.bulk_tag")),
        ("untag", tr("leads.bulk_untag")),
        ("assign", tr("leads.bulk_assign")),
        ("status", tr("leads.bulk_status")),
        tr("leads.bulk_delete"),
    )
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(title),
            rx.vstack(
                picker,
                dialog_footer(
                    rx.dialog.close(cancel_button(tr("common.cancel"))),
                    rx.button(
                        tr("leads.bulk_apply", count=S.selection_count.to_string()),
                        on_click=S.apply_bulk,
                        color_scheme=rx.cond(action == "delete", "red", "violet"),
                        id="bulk-apply",
                    ),
                    width="100%",
                ),
                spacing="4",
            ),
            max_width="28em",
        ),
        open=action != "",
        on_open_change=S.close_bulk,
    )


def _selection_bar() -> rx.Component:
    def action(key: str, icon: str, label: str, **props: Any) -> rx.Component:
        return rx.button(
            rx.icon(icon, size=14), tr(label), size="1", variant="soft", on_click=S.open_bulk(key), **props
        )

    return rx.cond(
        S.selected.length() > 0,
        rx.flex(
            rx.text(
                tr("leads.selected", count=S.selection_count.to_string()),
                weight="medium",
                size="2",
                id="selection-count",
            ),
            rx.cond(
                S.all_matching,
                rx.text(tr("leads.all_matching", count=S.total.to_string()), size="2", color_scheme="gray"),
                rx.cond(
                    S.page_selected & (S.total > S.selected.length()),
                    rx.link(
                        tr("leads.select_all_matching", count=S.total.to_string()),
                        on_click=S.select_all_matching,
                        size="2",
                        href="#",
                        id="select-all-matching",
                    ),
                ),
            ),
            rx.spacer(),
            rx.cond(S.can_edit, action("tag", "tag", "leads.bulk_tag")),
            rx.cond(S.can_edit, action("untag", "tag", "leads.bulk_untag")),
            rx.cond(S.can_assign, action("assign", "user_check", "leads.bulk_assign")),
            rx.cond(S.can_edit, action("status", "flag", "leads.bulk_status")),
            rx.cond(S.can_delete, action("delete", "trash_2", "leads.bulk_delete", color_scheme="red")),
            rx.button(tr("leads.clear_selection"), size="1", variant="ghost", on_click=S.clear_selection),
            gap="2",
            wrap="wrap",
            align="center",
            width="100%",
            padding="0.6em 0.9em",
            border_radius="0.6em",
            background=rx.color("violet", 3),
            role="region",
            aria_label=tr("leads.selected", count=S.selection_count.to_string()),
        ),
    )


# ---------------------------------------------------------------- table


def _sort_header(key: str, label_key: str, **props: Any) -> rx.Component:
    active = S.sort.replace("-", "") == key
    icon = rx.cond(
        active,
        rx.cond(S.sort.startswith("-"), rx.icon("arrow_down", size=12), rx.icon("arrow_up", size=12)),
        rx.icon("arrow_up_down", size=12, opacity="0.4"),
    )
    return rx.table.column_header_cell(
        unstyled_button(
            rx.hstack(rx.text(tr(label_key)), icon, spacing="1", align="center"),
            on_click=S.sort_by(key),
            aria_label=tr("leads.sort_by", column=tr(label_key)),
            style={"font": "inherit", "color": "inherit"},
            data_sort=key,
        ),
        aria_sort=rx.cond(active, rx.cond(S.sort.startswith("-"), "descending", "ascending"), "none"),
        **props,
    )


def _plain_header(column: str) -> rx.Component:
    return rx.cond(_shown(column), rx.table.column_header_cell(tr(f"leads.col_{column}")))


def _row_menu(row: Any) -> rx.Component:
    return rx.menu.root(
        rx.menu.trigger(
            rx.icon_button(
                rx.icon("ellipsis", size=16), variant="ghost", size="1", aria_label=tr("leads.col_actions")
            )
        ),
        rx.menu.content(
            open_lead_item(row),
            rx.cond(
                S.can_delete,
                rx.menu.item(
                    rx.icon("trash_2", size=14),
                    tr("leads.delete"),
                    color="red",
                    on_click=S.delete_lead(row.id),
                    data_testid="row-delete",
                ),
            ),
        ),
    )


def _row(row: Any) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.checkbox(
                checked=S.selected.contains(row.id),
                on_change=lambda _v: S.toggle_select(row.id),
                aria_label=tr("leads.select_row", name=row.name),
            ),
            width="2.5em",
        ),
        rx.table.row_header_cell(
            unstyled_button(
                rx.hstack(
                    lead_avatar(row.initials, row.avatar_url, "2"),
                    rx.vstack(
                        rx.text(row.name, weight="medium", size="2", trim="both"),
                        rx.cond(
                            row.username != "",
                            rx.text("@", row.username, size="1", color_scheme="gray", trim="both"),
                        ),
                        spacing="0",
                        align="start",
                    ),
                    spacing="2",
                    align="center",
                ),
                on_click=LeadDetailState.open_lead(row.id),
                aria_label=tr("leads.open", name=row.name),
                style={"textAlign": "left", "color": "inherit"},
                data_testid="lead-open",
            ),
        ),
        rx.cond(_shown("platform"), rx.table.cell(platform_tag(row.platform))),
        rx.cond(_shown("email"), rx.table.cell(rx.text(row.email, size="2"))),
        rx.cond(_shown("phone"), rx.table.cell(rx.text(row.phone, size="2", white_space="nowrap"))),
        rx.cond(_shown("company"), rx.table.cell(rx.text(row.company, size="2"))),
        rx.cond(_shown("status"), rx.table.cell(status_tag(row.status))),
        rx.cond(_shown("score"), rx.table.cell(score_badge(row.score))),
        rx.cond(_shown("tags"), rx.table.cell(tags_row(row.tags))),
        rx.cond(
            _shown("assignee"),
            rx.table.cell(
                rx.cond(
                    row.assignee != "", rx.text(row.assignee, size="2"), rx.text("—", color_scheme="gray")
                )
            ),
        ),
        rx.cond(_shown("created"), rx.table.cell(rx.text(row.created, size="2", white_space="nowrap"))),
        rx.cond(_shown("updated"), rx.table.cell(rx.text(row.updated, size="2", white_space="nowrap"))),
        rx.table.cell(_row_menu(row)),
        align="center",
        data_testid="lead-row",
        data_lead_id=row.id,
        background=rx.cond(S.selected.contains(row.id), rx.color("violet", 2), "transparent"),
    )


def _table() -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell(
                        rx.checkbox(
                            checked=S.page_selected,
                            on_change=S.toggle_select_page,
                            aria_label=tr("leads.select_page"),
                            id="select-page",
                        ),
                        width="2.5em",
                    ),
                    _sort_header("name", "leads.col_name"),
                    _plain_header("platform"),
                    _plain_header("email"),
                    _plain_header("phone"),
                    _plain_header("company"),
                    _plain_header("status"),
                    rx.cond(_shown("score"), _sort_header("score", "leads.col_score")),
                    _plain_header("tags"),
                    _plain_header("assignee"),
                    rx.cond(_shown("created"), _sort_header("created", "leads.col_created")),
                    rx.cond(_shown("updated"), _sort_header("updated", "leads.col_updated")),
                    rx.table.column_header_cell(
                        visually_hidden(tr("leads.col_actions"), class_name="rt-sr-only")
                    ),
                )
            ),
            rx.table.body(rx.foreach(S.rows, _row)),
            variant="surface",
            width="100%",
            id="leads-table",
            aria_busy=rx.cond(S.loading, "true", "false"),
        ),
        width="100%",
        overflow_x="auto",
        opacity=rx.cond(S.loading & S.loaded, "0.6", "1"),
        transition="opacity 120ms",
    )


def _pager() -> rx.Component:
    return rx.hstack(
        rx.text(tr("leads.page", page=(S.page_index + 1).to_string()), size="2", color_scheme="gray"),
        rx.icon_button(
            rx.icon("chevron_left", size=16),
            on_click=S.prev_page,
            disabled=S.page_index == 0,
            variant="soft",
            aria_label=tr("leads.prev"),
            id="prev-page",
        ),
        rx.icon_button(
            rx.icon("chevron_right", size=16),
            on_click=S.next_page,
            disabled=~S.has_next,
            variant="soft",
            aria_label=tr("leads.next"),
            id="next-page",
        ),
        spacing="2",
        align="center",
        justify="end",
        width="100%",
    )


def _body() -> rx.Component:
    return rx.cond(
        ~S.loaded,
        loading_block(tr("common.loading")),
        rx.cond(
            S.rows.length() > 0,
            rx.vstack(_table(), _pager(), spacing="3", width="100%"),
            rx.cond(
                S.filters_active | (S.page_index > 0),
                rx.box(
                    empty_state("search_x", tr("leads.nomatch_title"), tr("leads.nomatch_body")),
                    rx.center(rx.button(tr("leads.clear_filters"), variant="soft", on_click=S.clear_filters)),
                    id="leads-no-match",
                    width="100%",
                ),
                rx.box(
                    empty_state("users", tr("leads.empty_title"), tr("leads.empty_body")),
                    id="leads-empty",
                    width="100%",
                ),
            ),
        ),
    )


# ---------------------------------------------------------------- new lead dialog


def _field(label_key: str, name: str, *, type_: Any = "text", **props: Any) -> rx.Component:
    error = S.new_errors.get(name, "")
    return rx.vstack(
        rx.text(tr(label_key), as_="label", html_for=f"new-{name}", size="2", weight="medium"),
        rx.input(
            name=name,
            id=f"new-{name}",
            type=type_,
            width="100%",
            aria_invalid=rx.cond(error != "", "true", "false"),
            aria_describedby=f"new-{name}-error",
            color_scheme=rx.cond(error != "", "red", "violet"),  # type: ignore[arg-type]
            **props,
        ),
        field_error(error, f"new-{name}"),
        spacing="1",
        width="100%",
    )


def _new_lead_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.trigger(rx.button(rx.icon("plus", size=16), tr("leads.new"), id="new-lead-button")),
        rx.dialog.content(
            rx.dialog.title(tr("leads.new_title")),
            rx.dialog.description(tr("leads.new_subtitle"), size="2", color_scheme="gray"),
            rx.form(
                rx.vstack(
                    rx.vstack(
                        rx.text(tr("leads.field_platform"), size="2", weight="medium"),
                        rx.select.root(
                            rx.select.trigger(
                                aria_label=tr("leads.field_platform"), id="new-platform", width="100%"
                            ),
                            rx.select.content(
                                *[rx.select.item(platform_label(p), value=p) for p in PLATFORMS]
                            ),
                            value=S.new_platform,
                            on_change=S.set_new_platform,
                        ),
                        spacing="1",
                        width="100%",
                    ),
                    _field(
                        "leads.field_profile",
                        "profile_url",
                        placeholder="https://instagram.com/… · @username",
                        auto_focus=True,
                    ),
                    _field("leads.field_name", "full_name"),
                    rx.grid(
                        _field("leads.field_email", "email", type_="email"),
                        _field("leads.field_phone", "phone", type_="tel"),
                        columns=rx.breakpoints(initial="1", sm="2"),
                        spacing="3",
                        width="100%",
                    ),
                    _field("leads.field_company", "company"),
                    rx.cond(
                        S.new_errors.contains("form"),
                        rx.callout(
                            S.new_errors["form"],
                            icon="triangle_alert",
                            color_scheme="red",
                            role="alert",
                            width="100%",
                        ),
                    ),
                    form_dialog_footer(
                        tr("common.cancel"),
                        rx.button(tr("leads.create"), type="submit", id="new-lead-submit"),
                    ),
                    spacing="3",
                    margin_top="1em",
                ),
                on_submit=S.create_lead,
                reset_on_submit=False,
            ),
            max_width="32em",
        ),
        open=S.new_open,
        on_open_change=S.set_new_open,
    )


# ---------------------------------------------------------------- page


def leads_view() -> rx.Component:
    return rx.vstack(
        watch(LeadsShared.version, S.live_changed),
        _header(),
        _export_callout(),
        _filters(),
        _selection_bar(),
        _body(),
        _bulk_dialog(),
        lead_drawer(),
        spacing="4",
        width="100%",
    )

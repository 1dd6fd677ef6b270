"""Settings → Webhooks: add (URL + events), list with on/off, test, delete, and the delivery log."""

from __future__ import annotations

from typing import Any, cast

import reflex as rx

from snapleads_app.components.dialogs import confirm_dialog
from snapleads_app.components.widgets import empty_state, error_callout, page_title, section_card
from snapleads_app.domain.webhooks.models import EVENTS
from snapleads_app.state.i18n import tr
from snapleads_app.state.settings_webhooks import WebhooksSettingsState
from snapleads_app.views.settings_nav import settings_nav

W = WebhooksSettingsState


def _create_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.input(
                name="url",
                id="webhook-url",
                placeholder="https://example.com/hooks/snapleads",
                aria_label=tr("webhooks.url"),
                required=True,
                width="100%",
            ),  # fmt: skip
            rx.input(
                name="description",
                placeholder=tr("webhooks.description"),
                aria_label=tr("webhooks.description"),
                width="100%",
            ),  # fmt: skip
            rx.text(tr("webhooks.events"), size="2", weight="medium"),
            rx.hstack(
                *[
                    rx.checkbox(
                        tr(f"webhooks.event_{e}"),
                        checked=W.new_events.contains(e),
                        on_change=lambda _v, e=e: W.toggle_event(e),
                    )  # fmt: skip
                    for e in EVENTS
                ],
                spacing="3",
                wrap="wrap",
            ),
            error_callout(W.error, "webhook-error"),
            rx.button(rx.icon("plus", size=14), tr("webhooks.create"), type="submit", id="create-webhook"),
            spacing="3",
            width="100%",
        ),
        on_submit=W.create,
        width="100%",
    )


def _delivery(d: Any) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(d.when, size="1")),
        rx.table.cell(d.event),
        rx.table.cell(rx.badge(d.status, color_scheme=cast(Any, rx.match(d.status, ("success", "green"), ("failed", "red"), "amber")))),
        rx.table.cell(d.attempts),
        rx.table.cell(rx.text(d.response, size="1")),
        data_testid="delivery-row",
    )  # fmt: skip


def _hook(h: Any) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.switch(
                    checked=h.enabled, on_change=lambda v: W.toggle(h.id, v), aria_label=tr("webhooks.toggle")
                ),
                rx.code(h.url),
                rx.spacer(),
                rx.button(tr("webhooks.send_test"), size="1", variant="soft", on_click=W.send_test(h.id)),
                rx.button(tr("webhooks.deliveries"), size="1", variant="ghost", on_click=W.show_log(h.id)),
                confirm_dialog(
                    rx.icon_button(
                        rx.icon("trash_2", size=14),
                        size="1",
                        color_scheme="red",
                        variant="soft",
                        aria_label=tr("webhooks.delete"),
                    ),  # fmt: skip
                    title=tr("webhooks.delete"),
                    description=tr("webhooks.delete_confirm"),
                    cancel_label=tr("common.cancel"),
                    confirm=rx.button(tr("common.delete"), color_scheme="red", on_click=W.delete(h.id)),
                ),  # fmt: skip
                width="100%",
                align="center",
                wrap="wrap",
            ),
            rx.text(h.description, size="2", color_scheme="gray"),
            rx.text(tr("webhooks.events"), ": ", h.events, size="1"),
            rx.text(tr("webhooks.secret"), ": ", rx.code(h.secret), size="1"),
            rx.cond(
                W.log_for == h.id,
                rx.cond(
                    W.deliveries.length() > 0,
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(
                                *[
                                    rx.table.column_header_cell(tr(f"webhooks.col_{c}"))
                                    for c in ("when", "event", "status", "attempts", "response")
                                ]
                            )
                        ),
                        rx.table.body(rx.foreach(W.deliveries, _delivery)),
                        size="1",
                        width="100%",
                    ),  # fmt: skip
                    rx.text(tr("webhooks.no_deliveries"), size="1", color_scheme="gray"),
                ),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        data_testid="webhook-row",
    )


def settings_webhooks_view() -> rx.Component:
    return rx.vstack(
        settings_nav(),
        page_title(tr("webhooks.title"), tr("webhooks.subtitle")),
        section_card(tr("webhooks.create"), _create_form()),
        rx.cond(
            W.hooks.length() > 0,
            rx.vstack(rx.foreach(W.hooks, _hook), spacing="3", width="100%"),
            rx.cond(W.loaded, empty_state("webhook", tr("webhooks.empty_title"), tr("webhooks.empty_body"))),
        ),
        spacing="5",
        width="100%",
    )

"""Dialog pieces (no state; callers pass translated labels and event handlers)."""

from __future__ import annotations

from typing import Any

import reflex as rx


def cancel_button(label: Any, **props: Any) -> rx.Component:
    return rx.button(label, variant="soft", color_scheme="gray", **props)


def dialog_footer(*buttons: rx.Component, **props: Any) -> rx.Component:
    """The row of a dialog's buttons, right-aligned."""
    return rx.hstack(*buttons, justify="end", spacing="3", **props)


def form_dialog_footer(cancel_label: Any, submit: rx.Component) -> rx.Component:
    """Cancel (closes the dialog, does not submit) + the form's submit button."""
    return dialog_footer(rx.dialog.close(cancel_button(cancel_label, type="button")), submit, width="100%")


def confirm_dialog(
    trigger: rx.Component, *, title: Any, description: Any, cancel_label: Any, confirm: rx.Component
) -> rx.Component:
    """An alert dialog opened by `trigger`: title, description, Cancel and the `confirm` button."""
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(trigger),
        rx.alert_dialog.content(
            rx.alert_dialog.title(title),
            rx.alert_dialog.description(description),
            dialog_footer(
                rx.alert_dialog.cancel(cancel_button(cancel_label)),
                rx.alert_dialog.action(confirm),
                margin_top="1em",
            ),
        ),
    )

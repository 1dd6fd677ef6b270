"""Forgot-password and reset-password forms (logged-out pages, same frame as sign-in)."""

from __future__ import annotations

import reflex as rx

from snapleads_app.components.widgets import error_callout, labelled_input
from snapleads_app.state.i18n import tr
from snapleads_app.state.password_reset import PasswordResetState as R
from snapleads_app.views.auth import auth_frame


def _submit(label_key: str, testid: str) -> rx.Component:
    return rx.button(
        rx.cond(R.working, rx.spinner(size="2"), rx.fragment()),
        rx.cond(R.working, tr("auth.working"), tr(label_key)),
        type="submit",
        size="3",
        width="100%",
        disabled=R.working,
        id=testid,
    )


def _heading(title_key: str, subtitle: rx.Var | str) -> rx.Component:
    return rx.vstack(
        rx.heading(tr(title_key), size="6"),
        rx.text(subtitle, color_scheme="gray", size="2"),
        spacing="1",
    )


def _back_to_login() -> rx.Component:
    return rx.link(tr("reset.back_to_login"), href="/login", size="2", id="back-to-login")


def forgot_password_form() -> rx.Component:
    return auth_frame(
        rx.cond(
            R.sent_to != "",
            rx.vstack(
                _heading("reset.sent_title", ""),
                rx.callout(
                    tr("reset.sent_body", email=R.sent_to),
                    icon="mail_check",
                    color_scheme="green",
                    width="100%",
                    id="reset-sent",
                ),
                _back_to_login(),
                spacing="4",
                width="100%",
            ),
            rx.vstack(
                _heading("reset.forgot_title", tr("reset.forgot_subtitle")),
                error_callout(R.error),
                rx.form(
                    rx.vstack(
                        labelled_input(
                            tr("auth.email"), "email", type_="email", required=True, auto_complete="email"
                        ),
                        _submit("reset.send_button", "forgot-submit"),
                        spacing="4",
                        width="100%",
                    ),
                    on_submit=R.request_link,
                    width="100%",
                ),
                _back_to_login(),
                spacing="4",
                width="100%",
            ),
        ),
    )


def reset_password_form() -> rx.Component:
    invalid = rx.vstack(
        _heading("reset.title", ""),
        rx.callout(tr("reset.invalid_link"), icon="triangle_alert", color_scheme="amber", width="100%"),
        rx.link(tr("reset.request_new"), href="/forgot-password", size="2"),
        spacing="4",
        width="100%",
    )
    done = rx.vstack(
        _heading("reset.done_title", ""),
        rx.callout(
            tr("reset.done_body"), icon="circle_check", color_scheme="green", width="100%", id="reset-done"
        ),
        rx.link(tr("auth.login_link"), href="/login", size="3", id="reset-login"),
        spacing="4",
        width="100%",
    )
    form = rx.vstack(
        _heading("reset.title", tr("reset.subtitle", email=R.account_email)),
        error_callout(R.error),
        rx.form(
            rx.vstack(
                labelled_input(
                    tr("reset.new_password"),
                    "password",
                    type_="password",
                    required=True,
                    auto_complete="new-password",
                ),
                rx.text(tr("auth.password_hint"), size="1", color_scheme="gray"),
                _submit("reset.save_button", "reset-submit"),
                spacing="4",
                width="100%",
            ),
            on_submit=R.save_new_password,
            width="100%",
        ),
        spacing="4",
        width="100%",
    )
    return auth_frame(
        rx.cond(
            ~R.checked,
            rx.center(rx.spinner(size="3"), padding="2em"),
            rx.cond(R.done, done, rx.cond(R.token_valid, form, invalid)),
        )
    )

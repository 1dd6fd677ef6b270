"""Sign-in, registration and invitation forms (logged-out pages)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from snapleads_app.components.widgets import ACCENT, brand, error_callout, labelled_input
from snapleads_app.i18n import LANGUAGE_LABELS, LANGUAGES
from snapleads_app.state.auth import AuthFormState
from snapleads_app.state.i18n import LangState, tr
from snapleads_app.views.common import role_label


def _language_switch() -> rx.Component:
    return rx.hstack(
        rx.icon("languages", size=16, color=rx.color("gray", 10)),
        *[
            rx.button(
                LANGUAGE_LABELS[lang],
                size="1",
                variant=rx.cond(LangState.lang == lang, "soft", "ghost"),
                on_click=LangState.set_ui_language(lang),
                lang=lang,
            )
            for lang in LANGUAGES
        ],
        aria_label=tr("shell.language"),
        align="center",
        spacing="2",
    )


def auth_frame(*children: rx.Component) -> rx.Component:
    return rx.center(
        rx.vstack(
            brand("6"),
            rx.text(tr("app.tagline"), color_scheme="gray", size="2"),
            rx.card(rx.vstack(*children, spacing="4", width="100%"), size="4", width="100%"),
            _language_switch(),
            spacing="4",
            align="center",
            width="100%",
            max_width="26em",
        ),
        min_height="100vh",
        padding="1.5em",
        background=f"radial-gradient(circle at 20% 0%, {rx.color(ACCENT, 3)}, {rx.color('gray', 1)} 60%)",
    )


def _submit(label_key: str, testid: str) -> rx.Component:
    return rx.button(
        rx.cond(AuthFormState.working, rx.spinner(size="2"), rx.fragment()),
        rx.cond(AuthFormState.working, tr("auth.working"), tr(label_key)),
        type="submit",
        size="3",
        width="100%",
        disabled=AuthFormState.working,
        id=testid,
    )


def _heading(title_key: str, subtitle: Any) -> rx.Component:
    return rx.vstack(
        rx.heading(tr(title_key), size="6"),
        rx.text(subtitle, color_scheme="gray", size="2"),
        spacing="1",
    )


def _form(on_submit: Any, *fields: rx.Component) -> rx.Component:
    return rx.form(rx.vstack(*fields, spacing="4", width="100%"), on_submit=on_submit, width="100%")


def _full_name_input() -> rx.Component:
    return labelled_input(tr("auth.full_name"), "full_name", required=True, auto_complete="name")


def _email_input() -> rx.Component:
    return labelled_input(tr("auth.email"), "email", type_="email", required=True, auto_complete="email")


def _password_input(**props: Any) -> rx.Component:
    return labelled_input(tr("auth.password"), "password", type_="password", required=True, **props)


def _password_hint() -> rx.Component:
    return rx.text(tr("auth.password_hint"), size="1", color_scheme="gray")


def _switch_link(prompt_key: str, link_key: str, href: str) -> rx.Component:
    """ "No account yet? Register" under the form (and the way back)."""
    return rx.hstack(
        rx.text(tr(prompt_key), size="2", color_scheme="gray"),
        rx.link(tr(link_key), href=href, size="2"),
        spacing="2",
    )


def login_form() -> rx.Component:
    return auth_frame(
        _heading("auth.login_title", tr("auth.login_subtitle")),
        error_callout(AuthFormState.error),
        _form(
            AuthFormState.login,
            _email_input(),
            _password_input(auto_complete="current-password"),
            _submit("auth.login_button", "login-submit"),
        ),
        rx.link(tr("auth.forgot_link"), href="/forgot-password", size="2", id="forgot-link"),
        _switch_link("auth.no_account", "auth.register_link", "/register"),
    )


def register_form() -> rx.Component:
    return auth_frame(
        _heading("auth.register_title", tr("auth.register_subtitle")),
        error_callout(AuthFormState.error),
        _form(
            AuthFormState.register,
            _full_name_input(),
            _email_input(),
            _password_input(auto_complete="new-password"),
            _password_hint(),
            labelled_input(
                tr("auth.workspace_name"), "workspace_name", required=True, auto_complete="organization"
            ),
            _submit("auth.register_button", "register-submit"),
        ),
        _switch_link("auth.have_account", "auth.login_link", "/login"),
    )


def accept_invite_form() -> rx.Component:
    return auth_frame(
        _heading(
            "invite.title",
            tr(
                "invite.subtitle",
                workspace=AuthFormState.invite_workspace,
                role=role_label(AuthFormState.invite_role),
            ),
        ),
        rx.cond(
            AuthFormState.invite_error != "",
            rx.vstack(
                rx.callout(
                    AuthFormState.invite_error, icon="triangle_alert", color_scheme="amber", width="100%"
                ),
                rx.link(tr("auth.login_link"), href="/login", size="2"),
                width="100%",
            ),
            rx.vstack(
                rx.badge(tr("invite.for_email", email=AuthFormState.invite_email), variant="soft", size="2"),
                rx.text(
                    rx.cond(
                        AuthFormState.invite_user_exists, tr("invite.existing_hint"), tr("invite.new_hint")
                    ),
                    size="2",
                    color_scheme="gray",
                ),
                error_callout(AuthFormState.error),
                _form(
                    AuthFormState.accept_invite,
                    rx.cond(AuthFormState.invite_user_exists, rx.fragment(), _full_name_input()),
                    _password_input(),
                    rx.cond(AuthFormState.invite_user_exists, rx.fragment(), _password_hint()),
                    _submit("invite.accept_button", "accept-submit"),
                ),
                spacing="3",
                width="100%",
            ),
        ),
    )

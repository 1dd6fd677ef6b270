"""Logged-out routes: /login, /register, /accept-invite."""

from __future__ import annotations

import reflex as rx

from snapleads_app.pages.layout import public_page
from snapleads_app.state.auth import AuthFormState
from snapleads_app.views.auth import accept_invite_form, login_form, register_form


@public_page("/login", "Login")
def login() -> rx.Component:
    return login_form()


@public_page("/register", "Register")
def register() -> rx.Component:
    return register_form()


@public_page("/accept-invite", "Invitation", on_load=[AuthFormState.load_invite])
def accept_invite() -> rx.Component:
    return accept_invite_form()

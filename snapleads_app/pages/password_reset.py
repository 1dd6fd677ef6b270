"""Logged-out routes: /forgot-password and /reset-password."""

from __future__ import annotations

import reflex as rx

from snapleads_app.pages.layout import public_page
from snapleads_app.state.password_reset import PasswordResetState
from snapleads_app.views.password_reset import forgot_password_form, reset_password_form


@public_page("/forgot-password", "Forgot password", on_load=[PasswordResetState.load_forgot])
def forgot_password() -> rx.Component:
    return forgot_password_form()


@public_page("/reset-password", "Reset password", on_load=[PasswordResetState.load_reset])
def reset_password() -> rx.Component:
    return reset_password_form()

"""Logged-out password reset: /forgot-password (ask for a link) and /reset-password?token=… (use it).

The answer to "send me a link" is the same whether the e-mail has an account or not; only the
per-e-mail throttle (3 per hour, counted for unknown addresses too) can refuse it.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from snapleads_app.domain.notifications import service as notifications
from snapleads_app.domain.notifications.models import ForgotPasswordIn, ResetPasswordIn
from snapleads_app.state.base import error_message, run_service
from snapleads_app.state.i18n import LangState


class PasswordResetState(LangState):
    error: rx.Field[str] = rx.field("")
    working: rx.Field[bool] = rx.field(False)
    sent_to: rx.Field[str] = rx.field("")  # forgot page: the confirmation replaces the form
    token: rx.Field[str] = rx.field("")
    token_valid: rx.Field[bool] = rx.field(False)
    checked: rx.Field[bool] = rx.field(False)
    account_email: rx.Field[str] = rx.field("")
    done: rx.Field[bool] = rx.field(False)

    @rx.event
    def load_forgot(self) -> None:
        self.error, self.working, self.sent_to = "", False, ""

    @rx.event
    async def request_link(self, form_data: dict[str, Any]):
        self.error, self.working = "", True
        yield
        email = str(form_data.get("email", "")).strip()
        try:
            data = ForgotPasswordIn(email=email)
            await run_service(notifications.request_password_reset, email=str(data.email))
        except Exception as exc:  # noqa: BLE001 - translated for the user
            self.error, self.working = error_message(exc, self.lang), False
            return
        self.sent_to, self.working = email, False

    @rx.event
    async def load_reset(self):
        """on_load of /reset-password?token=…: say at once whether the link can still be used."""
        self.error, self.working, self.done, self.checked = "", False, False, False
        self.token = str(self.router.url.query_parameters.get("token", "") or "")
        check = await run_service(notifications.check_reset_token, token=self.token)
        self.token_valid, self.account_email, self.checked = check.valid, check.email, True

    @rx.event
    async def save_new_password(self, form_data: dict[str, Any]):
        self.error, self.working = "", True
        yield
        try:
            data = ResetPasswordIn(token=self.token, password=str(form_data.get("password", "")))
            await run_service(notifications.reset_password, data=data)
        except Exception as exc:  # noqa: BLE001
            self.error, self.working = error_message(exc, self.lang), False
            return
        self.done, self.working = True, False

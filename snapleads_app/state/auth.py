"""Logged-out pages: sign in, register, accept an invitation.

On success the service returns a single-use `web_ticket`; the browser then loads
`{api}/api/v1/auth/web/session?ticket=…&next=…`, which sets the HttpOnly session cookie and redirects
back. That full page load reconnects the websocket with the cookie, so `SessionState._ctx()` sees it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

import reflex as rx

from snapleads_app.core.errors import DomainError
from snapleads_app.domain.accounts import service as accounts
from snapleads_app.domain.accounts.models import AcceptInviteIn, ClientInfo, LoginIn, RegisterIn
from snapleads_app.i18n import t_error
from snapleads_app.state.base import api_url, error_message, full_page_load, run_service, session_token
from snapleads_app.state.i18n import LangState


def safe_next(value: str | None) -> str:
    """Only same-site paths (never `//host` or a scheme): no open redirect through ?next=."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


class AuthFormState(LangState):
    error: rx.Field[str] = rx.field("")
    working: rx.Field[bool] = rx.field(False)

    # accept-invite page
    invite_token: rx.Field[str] = rx.field("")
    invite_workspace: rx.Field[str] = rx.field("")
    invite_email: rx.Field[str] = rx.field("")
    invite_role: rx.Field[str] = rx.field("")
    invite_status: rx.Field[str] = rx.field("")
    invite_user_exists: rx.Field[bool] = rx.field(False)
    invite_error: rx.Field[str] = rx.field("")

    def _client(self) -> ClientInfo:
        return ClientInfo(
            ip=self.router.session.client_ip or None,
            user_agent=self.router.headers.user_agent or None,
            kind="web",
        )

    def _query(self, name: str) -> str:
        return str(self.router.url.query_parameters.get(name, "") or "")

    def _ticket_redirect(self, ticket: str | None, next_path: str = "/") -> Any:
        if not ticket:  # the service always issues one for kind="web"
            self.error = t_error("generic", self.lang)
            return None
        query = urlencode({"ticket": ticket, "next": safe_next(next_path)}, quote_via=quote)
        return full_page_load(api_url(f"/api/v1/auth/web/session?{query}"))

    async def _signed_in(self) -> bool:
        token = session_token(self.router.headers.cookie)
        if not token:
            return False
        try:
            await run_service(accounts.authenticate_web_session, token=token)
        except DomainError:
            return False
        return True

    @rx.event
    async def load_login(self):
        """on_load of /login and /register: already signed in → dashboard; show ?error=…"""
        self.working = False
        code = self._query("error")
        self.error = t_error(code, self.lang) if code else ""
        if await self._signed_in():
            return rx.redirect(safe_next(self._query("next")))
        return None

    @rx.event
    async def login(self, form_data: dict[str, Any]):
        self.error, self.working = "", True
        yield
        try:
            data = LoginIn(email=str(form_data.get("email", "")), password=str(form_data.get("password", "")))
            tokens = await run_service(accounts.login, data=data, client=self._client())
        except Exception as exc:  # noqa: BLE001 - translated for the user (error_message logs bugs)
            self.error, self.working = error_message(exc, self.lang), False
            return
        yield self._ticket_redirect(tokens.web_ticket, self._query("next"))

    @rx.event
    async def register(self, form_data: dict[str, Any]):
        self.error, self.working = "", True
        yield
        try:
            data = RegisterIn(
                email=str(form_data.get("email", "")),
                password=str(form_data.get("password", "")),
                full_name=str(form_data.get("full_name", "")),
                workspace_name=str(form_data.get("workspace_name", "")),
                language=self.lang if self.lang in ("pt-BR", "en") else "pt-BR",
            )
            tokens = await run_service(accounts.register, data=data, client=self._client())
        except Exception as exc:  # noqa: BLE001
            self.error, self.working = error_message(exc, self.lang), False
            return
        yield self._ticket_redirect(tokens.web_ticket, "/")

    @rx.event
    async def load_invite(self):
        """on_load of /accept-invite?token=…: show the workspace and role of the invitation."""
        self.error, self.working, self.invite_error = "", False, ""
        self.invite_token = self._query("token")
        self.invite_workspace = self.invite_email = self.invite_role = self.invite_status = ""
        if not self.invite_token:
            self.invite_error = self._t("invite.missing")
            return
        try:
            preview = await run_service(accounts.get_invitation, token=self.invite_token)
        except Exception as exc:  # noqa: BLE001
            self.invite_error = error_message(exc, self.lang)
            return
        self.invite_workspace = preview.workspace_name
        self.invite_email = preview.email
        self.invite_role = preview.role
        self.invite_status = preview.status
        self.invite_user_exists = preview.user_exists
        if preview.status != "pending":
            self.invite_error = t_error(f"invitation_{preview.status}", self.lang)

    @rx.event
    async def accept_invite(self, form_data: dict[str, Any]):
        self.error, self.working = "", True
        yield
        try:
            data = AcceptInviteIn(
                full_name=str(form_data.get("full_name", "")), password=str(form_data.get("password", ""))
            )
            tokens = await run_service(
                accounts.accept_invitation, token=self.invite_token, data=data, client=self._client()
            )
        except Exception as exc:  # noqa: BLE001
            self.error, self.working = error_message(exc, self.lang), False
            return
        yield self._ticket_redirect(tokens.web_ticket, "/")

"""Auth endpoints: register, login, refresh, logout, me, workspace switch, and the browser session."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Query, Request, Response, status
from fastapi.responses import RedirectResponse

from api_ext.deps import CurrentCtx, client_info
from api_ext.routes import api_router
from snapleads_app.core.db import unit_of_work
from snapleads_app.core.errors import Unauthenticated
from snapleads_app.core.settings import get_settings
from snapleads_app.domain.accounts import service as accounts
from snapleads_app.domain.accounts.models import (
    AuthTokens,
    LanguageIn,
    LoginIn,
    MePublic,
    RefreshIn,
    RegisterIn,
    SwitchWorkspaceIn,
)

router = api_router("/auth", tags=["auth"])


@router.post("/register", status_code=status.HTTP_201_CREATED)
def register(body: RegisterIn, request: Request) -> AuthTokens:
    with unit_of_work() as session:
        return accounts.register(session=session, data=body, client=client_info(request))


@router.post("/login")
def login(body: LoginIn, request: Request) -> AuthTokens:
    with unit_of_work() as session:
        return accounts.login(session=session, data=body, client=client_info(request))


@router.post("/refresh")
def refresh(body: RefreshIn) -> AuthTokens:
    with unit_of_work() as session:
        return accounts.refresh(session=session, refresh_token=body.refresh_token)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(ctx: CurrentCtx) -> None:
    with unit_of_work() as session:
        accounts.logout(session=session, ctx=ctx)


@router.get("/me")
def me(ctx: CurrentCtx) -> MePublic:
    with unit_of_work() as session:
        return accounts.me(session=session, ctx=ctx)


@router.patch("/me/language", status_code=status.HTTP_204_NO_CONTENT)
def set_language(body: LanguageIn, ctx: CurrentCtx) -> None:
    with unit_of_work() as session:
        accounts.set_language(session=session, ctx=ctx, language=body.language)


@router.post("/switch-workspace")
def switch_workspace(body: SwitchWorkspaceIn, ctx: CurrentCtx) -> AuthTokens:
    with unit_of_work() as session:
        return accounts.switch_workspace(session=session, ctx=ctx, workspace_id=body.workspace_id)


# ------------------------------------------------------------ browser session (HttpOnly cookie)


def _safe_next(next_path: str) -> str:
    """Only same-site paths: an open redirect would turn the login link into a phishing tool."""
    parts = urlsplit(next_path)
    if parts.scheme or parts.netloc or not next_path.startswith("/") or next_path.startswith("//"):
        return "/"
    return next_path


def _app_url(path: str) -> str:
    return get_settings().public_url.rstrip("/") + path


def _set_cookie(response: Response, value: str, max_age: int) -> None:
    settings = get_settings()
    response.set_cookie(
        settings.session_cookie_name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        path="/",
        secure=settings.public_url.startswith("https://"),
    )


@router.get("/web/session", include_in_schema=False)
def web_session(ticket: Annotated[str, Query(max_length=128)], next: str = "/") -> RedirectResponse:
    """Spend a login ticket from the web app and set the HttpOnly session cookie."""
    try:
        with unit_of_work() as session:
            token = accounts.exchange_web_ticket(session=session, ticket=ticket)
    except Unauthenticated:
        return RedirectResponse(_app_url("/login?error=ticket_invalid"), status_code=303)
    response = RedirectResponse(_app_url(_safe_next(next)), status_code=303)
    _set_cookie(response, token, max_age=get_settings().refresh_token_days * 86400)
    return response


@router.get("/web/clear", include_in_schema=False)
def web_clear(request: Request, next: str = "/login") -> RedirectResponse:
    """Revoke the browser session named by the cookie (if any) and expire the cookie."""
    token = request.cookies.get(get_settings().session_cookie_name)
    if token:
        with unit_of_work() as session:
            accounts.revoke_web_session(session=session, token=token)
    response = RedirectResponse(_app_url(_safe_next(next)), status_code=303)
    _set_cookie(response, "", max_age=0)
    return response

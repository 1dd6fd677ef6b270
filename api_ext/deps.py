"""Dependencies shared by the routes: the acting user's ctx and the client's identity."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from snapleads_app.core.context import Ctx
from snapleads_app.core.db import unit_of_work
from snapleads_app.core.errors import Unauthenticated
from snapleads_app.core.logging import request_id_var
from snapleads_app.domain.accounts import service as accounts
from snapleads_app.domain.accounts.models import ClientInfo

_bearer = HTTPBearer(auto_error=False, description="Access token from /api/v1/auth/login")


def current_ctx(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Ctx:
    """Sync on purpose: FastAPI runs it in the threadpool, so the DB lookup never blocks the loop."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthenticated("Missing bearer token", code="unauthenticated")
    with unit_of_work() as session:
        ctx = accounts.authenticate_access_token(session=session, token=credentials.credentials, via="api")
    return Ctx(
        user_id=ctx.user_id,
        workspace_id=ctx.workspace_id,
        role=ctx.role,
        via="api",
        request_id=request_id_var.get(),
        session_id=ctx.session_id,
    )


CurrentCtx = Annotated[Ctx, Depends(current_ctx)]


def client_info(request: Request, kind: str = "api") -> ClientInfo:
    client = request.client.host if request.client else None
    return ClientInfo(ip=client, user_agent=request.headers.get("user-agent"), kind=kind)  # type: ignore[arg-type]

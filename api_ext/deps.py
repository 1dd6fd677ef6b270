"""Dependencies shared by the routes: the acting user's ctx and the client's identity."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from sqlmodel import Session

from snapleads_app.core.context import Ctx
from snapleads_app.core.db import unit_of_work
from snapleads_app.core.errors import Unauthenticated
from snapleads_app.core.logging import request_id_var
from snapleads_app.domain.accounts import service as accounts
from snapleads_app.domain.accounts.models import ClientInfo

_bearer = HTTPBearer(auto_error=False, description="Access token from /api/v1/auth/login")


async def bearer_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    """The raw access token, checked later in the endpoint's own session (see `authenticated`)."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthenticated("Missing bearer token", code="unauthenticated")
    return credentials.credentials


def authenticated(session: Session, token: str) -> Ctx:
    """The acting user's ctx from an access token, looked up in the caller's session."""
    ctx = accounts.authenticate_access_token(session=session, token=token, via="api")
    return Ctx(
        user_id=ctx.user_id,
        workspace_id=ctx.workspace_id,
        role=ctx.role,
        via="api",
        request_id=request_id_var.get(),
        session_id=ctx.session_id,
    )


def current_ctx(token: Annotated[str, Depends(bearer_token)]) -> Ctx:
    """Sync on purpose: FastAPI runs it in the threadpool, so the DB lookup never blocks the loop."""
    with unit_of_work() as session:
        return authenticated(session, token)


CurrentCtx = Annotated[Ctx, Depends(current_ctx)]
# Hot read paths take the token and authenticate inside their own unit of work: one thread hop, one
# pooled connection and one transaction per request instead of two of each (the fixed cost of a listing).
BearerToken = Annotated[str, Depends(bearer_token)]


def json_response(model: BaseModel, status_code: int = 200) -> Response:
    """The model serialised by pydantic-core straight to JSON: FastAPI skips re-validating the response
    model (a further thread hop for sync endpoints); keep `response_model=` on the route for OpenAPI."""
    return Response(model.model_dump_json(), status_code=status_code, media_type="application/json")


def client_info(request: Request, kind: str = "api") -> ClientInfo:
    client = request.client.host if request.client else None
    return ClientInfo(ip=client, user_agent=request.headers.get("user-agent"), kind=kind)  # type: ignore[arg-type]

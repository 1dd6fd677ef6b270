"""Password reset (forgot / reset) and the signed-in user's notification preferences."""

from __future__ import annotations

from fastapi import status
from pydantic import BaseModel

from api_ext.deps import CurrentCtx
from api_ext.routes import api_router
from snapleads_app.core.db import unit_of_work
from snapleads_app.domain.notifications import service as notifications
from snapleads_app.domain.notifications.models import (
    ForgotPasswordIn,
    PreferencesPublic,
    PreferencesUpdate,
    ResetPasswordIn,
    ResetTokenCheck,
)

router = api_router(tags=["notifications"])

FORGOT_ACCEPTED = "If an account exists for this e-mail, a link to reset its password is on its way."


class Accepted(BaseModel):
    detail: str


class TokenIn(BaseModel):
    token: str


@router.post("/auth/password/forgot", status_code=status.HTTP_202_ACCEPTED)
def forgot_password(body: ForgotPasswordIn) -> Accepted:
    """Always the same 202 whether the e-mail has an account or not; 429 after 3 requests per hour."""
    with unit_of_work() as session:
        notifications.request_password_reset(session=session, email=str(body.email))
    return Accepted(detail=FORGOT_ACCEPTED)


@router.post("/auth/password/check")
def check_reset_token(body: TokenIn) -> ResetTokenCheck:
    with unit_of_work() as session:
        return notifications.check_reset_token(session=session, token=body.token)


@router.post("/auth/password/reset", status_code=status.HTTP_204_NO_CONTENT)
def reset_password(body: ResetPasswordIn) -> None:
    """Single use, valid 1 hour; every session of the account is signed out."""
    with unit_of_work() as session:
        notifications.reset_password(session=session, data=body)


@router.get("/me/notifications")
def get_preferences(ctx: CurrentCtx) -> PreferencesPublic:
    with unit_of_work() as session:
        return notifications.get_preferences(session=session, ctx=ctx)


@router.patch("/me/notifications")
def update_preferences(body: PreferencesUpdate, ctx: CurrentCtx) -> PreferencesPublic:
    with unit_of_work() as session:
        return notifications.update_preferences(session=session, ctx=ctx, data=body)

"""Members and invitations of the current workspace."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query, Request, status
from pydantic import BaseModel, Field

from api_ext.deps import CurrentCtx, client_info
from api_ext.routes import api_router
from snapleads_app.core.db import unit_of_work
from snapleads_app.domain.accounts import service as accounts
from snapleads_app.domain.accounts.models import (
    AcceptInviteIn,
    AuthTokens,
    ChangeRoleIn,
    InvitationCreated,
    InvitationPreview,
    InvitationPublic,
    InviteIn,
    MemberPublic,
)

router = api_router(tags=["members"])
Id = Annotated[int, Path(gt=0, le=2**63 - 1)]


class MemberList(BaseModel):
    data: list[MemberPublic]
    total: int


class InvitationList(BaseModel):
    data: list[InvitationPublic]
    total: int


class AcceptInvitationIn(AcceptInviteIn):
    token: str = Field(min_length=1, max_length=128)


@router.get("/members")
def list_members(ctx: CurrentCtx) -> MemberList:
    with unit_of_work() as session:
        members = accounts.list_members(session=session, ctx=ctx)
    return MemberList(data=members, total=len(members))


@router.patch("/members/{user_id}")
def change_role(user_id: Id, body: ChangeRoleIn, ctx: CurrentCtx) -> MemberPublic:
    with unit_of_work() as session:
        return accounts.change_role(session=session, ctx=ctx, user_id=user_id, role=body.role)


@router.delete("/members/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_member(user_id: Id, ctx: CurrentCtx) -> None:
    with unit_of_work() as session:
        accounts.remove_member(session=session, ctx=ctx, user_id=user_id)


@router.get("/invitations")
def list_invitations(ctx: CurrentCtx) -> InvitationList:
    with unit_of_work() as session:
        invitations = accounts.list_invitations(session=session, ctx=ctx)
    return InvitationList(data=invitations, total=len(invitations))


@router.post("/invitations", status_code=status.HTTP_201_CREATED)
def invite(body: InviteIn, ctx: CurrentCtx) -> InvitationCreated:
    with unit_of_work() as session:
        return accounts.invite(session=session, ctx=ctx, data=body)


@router.delete("/invitations/{invitation_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_invitation(invitation_id: Id, ctx: CurrentCtx) -> None:
    with unit_of_work() as session:
        accounts.revoke_invitation(session=session, ctx=ctx, invitation_id=invitation_id)


@router.get("/invitations/preview")
def preview_invitation(token: Annotated[str, Query(min_length=1, max_length=128)]) -> InvitationPreview:
    with unit_of_work() as session:
        return accounts.get_invitation(session=session, token=token)


@router.post("/invitations/accept")
def accept_invitation(body: AcceptInvitationIn, request: Request) -> AuthTokens:
    data = AcceptInviteIn(full_name=body.full_name, password=body.password)
    with unit_of_work() as session:
        return accounts.accept_invitation(
            session=session, token=body.token, data=data, client=client_info(request)
        )

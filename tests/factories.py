"""Test data built through the services (never by writing rows by hand)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from snapleads_app.core.context import Ctx
from snapleads_app.core.db import unit_of_work
from snapleads_app.domain.accounts import service as accounts
from snapleads_app.domain.accounts.models import AcceptInviteIn, AuthTokens, ClientInfo, InviteIn, RegisterIn
from snapleads_app.domain.leads.models import LeadPublic

PASSWORD = "Secret123"
_seq = itertools.count(1)


@dataclass
class Member:
    email: str
    user_id: int
    workspace_id: int
    role: str
    tokens: AuthTokens

    @property
    def ctx(self) -> Ctx:
        return Ctx(
            user_id=self.user_id,
            workspace_id=self.workspace_id,
            role=self.role,  # type: ignore[arg-type]
            via="api",
            session_id=self.tokens.session_id,
        )

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens.access_token}"}


def register_owner(email: str | None = None, workspace: str = "Acme") -> Member:
    email = email or f"owner{next(_seq)}@example.com"
    with unit_of_work() as session:
        tokens = accounts.register(
            session=session,
            data=RegisterIn(
                email=email, password=PASSWORD, full_name="Olivia Owner", workspace_name=workspace
            ),
            client=ClientInfo(ip="10.0.0.1"),
        )
        ctx = accounts.authenticate_access_token(session=session, token=tokens.access_token)
    assert ctx.user_id is not None
    return Member(
        email=email, user_id=ctx.user_id, workspace_id=ctx.workspace_id, role="owner", tokens=tokens
    )


def add_member(owner: Member, role: str, email: str | None = None) -> Member:
    email = email or f"{role}{next(_seq)}@example.com"
    with unit_of_work() as session:
        created = accounts.invite(session=session, ctx=owner.ctx, data=InviteIn(email=email, role=role))  # type: ignore[arg-type]
    with unit_of_work() as session:
        tokens = accounts.accept_invitation(
            session=session,
            token=created.token,
            data=AcceptInviteIn(full_name=role.title(), password=PASSWORD),
            client=ClientInfo(ip="10.0.0.2"),
        )
        ctx = accounts.authenticate_access_token(session=session, token=tokens.access_token)
    assert ctx.user_id is not None
    return Member(email=email, user_id=ctx.user_id, workspace_id=ctx.workspace_id, role=role, tokens=tokens)


def make_lead(member: Member, **fields: Any) -> LeadPublic:
    from snapleads_app.domain.leads import service as leads
    from snapleads_app.domain.leads.models import LeadCreate

    n = next(_seq)
    data = {"platform": "instagram", "username": f"lead{n}", "full_name": f"Lead {n}", **fields}
    with unit_of_work() as session:
        return leads.create_lead(session=session, ctx=member.ctx, data=LeadCreate(**data))

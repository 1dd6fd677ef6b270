"""Accounts use cases: registration, login and token rotation, web sessions, members and invitations.

Every entry point (REST, Reflex, workers) calls these functions; none of them repeats a rule.
Blocking (bcrypt, DB): adapters call them off the event loop.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from snapleads_app.core import clock, ratelimit, security
from snapleads_app.core.context import Ctx, Via
from snapleads_app.core.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    RateLimited,
    Unauthenticated,
)
from snapleads_app.core.settings import get_settings
from snapleads_app.core.tasks import enqueue_after_commit
from snapleads_app.domain.accounts import rules
from snapleads_app.domain.accounts.models import (
    AcceptInviteIn,
    AuthSession,
    AuthTokens,
    ClientInfo,
    Invitation,
    InvitationCreated,
    InvitationPreview,
    InvitationPublic,
    InviteIn,
    LoginIn,
    MemberPublic,
    Membership,
    MePublic,
    RefreshToken,
    RegisterIn,
    User,
    UserPublic,
    Workspace,
    WorkspaceMembershipPublic,
    WorkspacePublic,
)
from snapleads_app.domain.audit import service as audit

LOGIN_FAILURE_LIMIT = 5
LOGIN_FAILURE_WINDOW_SECONDS = 15 * 60
WEB_TICKET_SECONDS = 60


# ---------------------------------------------------------------- helpers


def _user_by_email(session: Session, email: str) -> User | None:
    stmt = select(User).where(func.lower(User.email) == rules.normalise_email(email))
    return session.exec(stmt).first()


def _membership(session: Session, *, workspace_id: int, user_id: int) -> Membership | None:
    stmt = select(Membership).where(Membership.workspace_id == workspace_id, Membership.user_id == user_id)
    return session.exec(stmt).first()


def _check_password_policy(password: str) -> None:
    problems = rules.password_problems(password)
    if problems:
        raise InvalidInput(
            "Password must have at least 8 characters, with upper-case, lower-case letters and a digit",
            code="weak_password",
            errors={"password": ",".join(problems)},
        )


def _create_user(session: Session, *, email: str, password: str, full_name: str, language: str) -> User:
    if _user_by_email(session, email) is not None:
        raise Conflict("An account with this e-mail already exists", code="email_taken")
    _check_password_policy(password)
    user = User(
        email=rules.normalise_email(email),
        full_name=full_name.strip(),
        password_hash=security.hash_password(password),
        language=language,
    )
    session.add(user)
    session.flush()
    return user


def _expiry(days: int = 0, seconds: int = 0) -> datetime:
    return clock.now() + timedelta(days=days, seconds=seconds)


def _issue_session(
    session: Session, *, user: User, workspace_id: int, role: str, client: ClientInfo
) -> AuthTokens:
    """Open a session (a refresh-token family) and mint its first tokens."""
    settings = get_settings()
    auth_session = AuthSession(
        user_id=_id(user.id),
        workspace_id=workspace_id,
        kind=client.kind,
        ip=(client.ip or "")[:64] or None,
        user_agent=(client.user_agent or "")[:512] or None,
        expires_at=_expiry(days=settings.refresh_token_days),
    )
    web_ticket = None
    if client.kind == "web":
        web_ticket = security.new_token()
        auth_session.ticket_hash = security.token_hash(web_ticket)
        auth_session.ticket_expires_at = _expiry(seconds=WEB_TICKET_SECONDS)
    session.add(auth_session)
    session.flush()
    tokens = _mint_tokens(session, auth_session=auth_session, role=role)
    return tokens.model_copy(update={"web_ticket": web_ticket})


def _mint_tokens(session: Session, *, auth_session: AuthSession, role: str) -> AuthTokens:
    refresh_token = security.new_token()
    session.add(
        RefreshToken(
            session_id=_id(auth_session.id),
            token_hash=security.token_hash(refresh_token),
            expires_at=auth_session.expires_at,
        )
    )
    access_token, expires_in = security.create_access_token(
        user_id=auth_session.user_id,
        workspace_id=auth_session.workspace_id,
        session_id=_id(auth_session.id),
        role=role,
    )
    session.flush()
    return AuthTokens(
        access_token=access_token,
        refresh_token=refresh_token,
        expires_in=expires_in,
        session_id=_id(auth_session.id),
        workspace_id=auth_session.workspace_id,
    )


def _id(value: int | None) -> int:
    if value is None:  # only before a flush; a bug if it reaches here
        raise RuntimeError("row has no id yet")
    return value


def _revoke(auth_session: AuthSession, reason: str) -> None:
    if auth_session.revoked_at is None:
        auth_session.revoked_at = clock.now()
        auth_session.revoked_reason = reason


def _ctx_for_session(session: Session, auth_session: AuthSession | None, *, via: Via) -> Ctx:
    """Turn a live session into a ctx, re-reading the role so role changes apply at once."""
    if auth_session is None:
        raise Unauthenticated("Session is no longer valid", code="session_revoked")
    return _authenticated(session, col(AuthSession.id) == auth_session.id, via=via)


def _authenticated(session: Session, which: Any, *, via: Via, user_id: int | None = None) -> Ctx:
    """One query per request: the session, whether its user is active, and the member's current role."""
    # Columns, not the AuthSession entity: no identity-map bookkeeping on the hottest statement.
    row = session.execute(
        sa_select(
            col(AuthSession.id),
            col(AuthSession.user_id),
            col(AuthSession.workspace_id),
            col(AuthSession.revoked_at),
            col(AuthSession.expires_at),
            col(User.is_active),
            col(Membership.role),
        )
        .select_from(AuthSession)
        .outerjoin(User, col(User.id) == AuthSession.user_id)
        .outerjoin(
            Membership,
            (col(Membership.workspace_id) == AuthSession.workspace_id)
            & (col(Membership.user_id) == AuthSession.user_id),
        )
        .where(which)
    ).first()
    if row is None or row.revoked_at is not None:
        raise Unauthenticated("Session is no longer valid", code="session_revoked")
    if user_id is not None and row.user_id != user_id:
        raise Unauthenticated("Invalid token", code="invalid_token")
    if row.expires_at <= clock.now():
        raise Unauthenticated("Session expired", code="session_expired")
    if not row.is_active:
        raise Unauthenticated("Account disabled", code="account_disabled")
    if row.role is None:
        raise Unauthenticated("You are no longer a member of this workspace", code="membership_revoked")
    return Ctx(
        user_id=row.user_id,
        workspace_id=row.workspace_id,
        role=row.role,
        via=via,
        session_id=row.id,
    )


def _login_throttle_key(email: str, ip: str | None) -> str:
    return f"login:{rules.normalise_email(email)}:{ip or '-'}"


def _require(ctx: Ctx, action: rules.Action) -> None:
    if not rules.can(ctx.role, action):
        raise PermissionDenied("Your role does not allow this", code="forbidden_for_role")


# ---------------------------------------------------------------- auth


def register(*, session: Session, data: RegisterIn, client: ClientInfo) -> AuthTokens:
    user = _create_user(
        session, email=data.email, password=data.password, full_name=data.full_name, language=data.language
    )
    workspace = Workspace(name=data.workspace_name.strip())
    session.add(workspace)
    session.flush()
    session.add(Membership(workspace_id=_id(workspace.id), user_id=_id(user.id), role="owner"))
    user.last_login_at = clock.now()
    tokens = _issue_session(session, user=user, workspace_id=_id(workspace.id), role="owner", client=client)
    enqueue_after_commit(session, "accounts.after_signup", user_id=user.id, workspace_id=workspace.id)
    return tokens


def record_signup(*, session: Session, user_id: int, workspace_id: int) -> bool:
    """Background step after registration: the audit record of the new workspace (once)."""
    if audit.exists(
        session=session,
        workspace_id=workspace_id,
        action="workspace.created",
        entity_type="workspace",
        entity_id=workspace_id,
    ):
        return False
    workspace = session.get(Workspace, workspace_id)
    if workspace is None:
        return False
    ctx = Ctx(user_id=user_id, workspace_id=workspace_id, role="owner", via="worker")
    audit.record(
        session=session,
        ctx=ctx,
        action="workspace.created",
        entity_type="workspace",
        entity_id=workspace_id,
        data={"name": workspace.name},
    )
    return True


def login(*, session: Session, data: LoginIn, client: ClientInfo) -> AuthTokens:
    key = _login_throttle_key(data.email, client.ip)
    window = ratelimit.peek(key, limit=LOGIN_FAILURE_LIMIT)
    if window.remaining == 0:
        raise RateLimited(
            "Too many failed logins; try again later", retry_after=window.reset_after, code="login_throttled"
        )
    user = _user_by_email(session, data.email)
    password_ok = security.verify_password(data.password, user.password_hash if user else None)
    if user is None or not password_ok or not user.is_active:
        ratelimit.hit(key, limit=LOGIN_FAILURE_LIMIT, window_seconds=LOGIN_FAILURE_WINDOW_SECONDS)
        raise Unauthenticated("Wrong e-mail or password", code="invalid_credentials")
    membership = _preferred_membership(session, user_id=_id(user.id))
    if membership is None:
        raise PermissionDenied("Your account is not a member of any workspace", code="no_workspace")
    ratelimit.reset(key)
    user.last_login_at = clock.now()
    return _issue_session(
        session, user=user, workspace_id=membership.workspace_id, role=membership.role, client=client
    )


def _preferred_membership(session: Session, *, user_id: int) -> Membership | None:
    """The workspace of the user's latest session if still a member, else the oldest membership."""
    last = session.exec(
        select(AuthSession.workspace_id)
        .where(AuthSession.user_id == user_id)
        .order_by(col(AuthSession.id).desc())
        .limit(1)
    ).first()
    if last is not None:
        membership = _membership(session, workspace_id=last, user_id=user_id)
        if membership is not None:
            return membership
    return session.exec(
        select(Membership).where(Membership.user_id == user_id).order_by(col(Membership.id)).limit(1)
    ).first()


def refresh(*, session: Session, refresh_token: str) -> AuthTokens:
    """Rotate: the presented token is spent; presenting a spent token revokes its whole family."""
    row = session.exec(
        select(RefreshToken).where(RefreshToken.token_hash == security.token_hash(refresh_token))
    ).first()
    if row is None:
        raise Unauthenticated("Invalid refresh token", code="invalid_token")
    auth_session = session.get(AuthSession, row.session_id)
    now = clock.now()
    # Atomic claim: of two concurrent uses only one wins; the other is treated as reuse.
    claimed = session.execute(
        update(RefreshToken)
        .where(col(RefreshToken.id) == row.id, col(RefreshToken.used_at).is_(None))
        .values(used_at=now)
    ).rowcount  # type: ignore[attr-defined]
    if not claimed:
        if auth_session is not None:
            _revoke(auth_session, "refresh_reuse")
        error = Unauthenticated(
            "Refresh token was already used; the session is revoked", code="refresh_token_reused"
        )
        error.commit_before_raise = True
        raise error
    if row.expires_at <= now:
        raise Unauthenticated("Refresh token expired", code="token_expired")
    ctx = _ctx_for_session(session, auth_session, via="api")  # raises when the session is gone
    return _mint_tokens(session, auth_session=auth_session, role=ctx.role)  # type: ignore[arg-type]


def authenticate_access_token(*, session: Session, token: str, via: Via = "api") -> Ctx:
    claims = security.decode_access_token(token)
    return _authenticated(
        session, col(AuthSession.id) == int(claims["sid"]), via=via, user_id=int(claims["sub"])
    )


def logout(*, session: Session, ctx: Ctx) -> None:
    if ctx.session_id is None:
        return
    auth_session = session.get(AuthSession, ctx.session_id)
    if auth_session is not None and auth_session.user_id == ctx.user_id:
        _revoke(auth_session, "logout")


def me(*, session: Session, ctx: Ctx) -> MePublic:
    user = session.get(User, ctx.user_id)
    workspace = session.get(Workspace, ctx.workspace_id)
    if user is None or workspace is None:
        raise Unauthenticated("Session is no longer valid", code="session_revoked")
    rows = session.exec(
        select(Membership, Workspace)
        .join(Workspace, col(Workspace.id) == Membership.workspace_id)
        .where(Membership.user_id == ctx.user_id)
        .order_by(col(Workspace.name))
    ).all()
    return MePublic(
        user=UserPublic.model_validate(user, from_attributes=True),
        workspace=WorkspacePublic.model_validate(workspace, from_attributes=True),
        role=ctx.role,
        workspaces=[
            WorkspaceMembershipPublic(workspace_id=_id(w.id), name=w.name, role=m.role)  # type: ignore[arg-type]
            for m, w in rows
        ],
    )


def set_language(*, session: Session, ctx: Ctx, language: str) -> None:
    if language not in ("pt-BR", "en"):
        raise InvalidInput(
            "Unsupported language", code="invalid_language", errors={"language": "pt-BR or en"}
        )
    user = session.get(User, ctx.user_id)
    if user is None:
        raise Unauthenticated("Session is no longer valid", code="session_revoked")
    user.language = language


def _switch(session: Session, ctx: Ctx, workspace_id: int) -> tuple[AuthSession, Membership]:
    membership = _membership(session, workspace_id=workspace_id, user_id=_id(ctx.user_id))
    if membership is None:
        raise NotFound("Workspace not found", code="workspace_not_found")
    auth_session = session.get(AuthSession, ctx.session_id)
    if auth_session is None or auth_session.revoked_at is not None:
        raise Unauthenticated("Session is no longer valid", code="session_revoked")
    auth_session.workspace_id = workspace_id
    return auth_session, membership


def switch_workspace(*, session: Session, ctx: Ctx, workspace_id: int) -> AuthTokens:
    """API clients: move the session to another workspace and get tokens for it."""
    auth_session, membership = _switch(session, ctx, workspace_id)
    session.flush()
    return _mint_tokens(session, auth_session=auth_session, role=membership.role)


def switch_web_workspace(*, session: Session, ctx: Ctx, workspace_id: int) -> None:
    """Browsers: the HttpOnly session now points at another workspace."""
    _switch(session, ctx, workspace_id)


# ---------------------------------------------------------------- web sessions (HttpOnly cookie)


def exchange_web_ticket(*, session: Session, ticket: str) -> str:
    """Spend a login ticket (single use, 60 s) and return the token that goes into the HttpOnly cookie."""
    auth_session = session.exec(
        select(AuthSession).where(AuthSession.ticket_hash == security.token_hash(ticket))
    ).first()
    now = clock.now()
    if (
        auth_session is None
        or auth_session.ticket_expires_at is None
        or auth_session.ticket_expires_at <= now
    ):
        raise Unauthenticated("Login link expired; sign in again", code="ticket_invalid")
    if auth_session.revoked_at is not None:
        raise Unauthenticated("Session is no longer valid", code="session_revoked")
    web_token = security.new_token()
    auth_session.ticket_hash = None
    auth_session.ticket_expires_at = None
    auth_session.web_token_hash = security.token_hash(web_token)
    return web_token


def authenticate_web_session(*, session: Session, token: str) -> Ctx:
    if not token:
        raise Unauthenticated("Sign in to continue", code="unauthenticated")
    return _authenticated(session, col(AuthSession.web_token_hash) == security.token_hash(token), via="ui")


def revoke_web_session(*, session: Session, token: str) -> None:
    auth_session = session.exec(
        select(AuthSession).where(AuthSession.web_token_hash == security.token_hash(token))
    ).first()
    if auth_session is not None:
        _revoke(auth_session, "logout")


# ---------------------------------------------------------------- members and invitations


def list_members(*, session: Session, ctx: Ctx) -> list[MemberPublic]:
    rows = session.exec(
        select(Membership, User)
        .join(User, col(User.id) == Membership.user_id)
        .where(Membership.workspace_id == ctx.workspace_id)
        .order_by(col(User.full_name), col(User.id))
    ).all()
    return [
        MemberPublic(
            user_id=_id(u.id),
            email=u.email,
            full_name=u.full_name,
            role=m.role,  # type: ignore[arg-type]
            joined_at=m.created_at,
        )
        for m, u in rows
    ]


def _invitation_status(invitation: Invitation) -> str:
    if invitation.status == "pending" and invitation.expires_at <= clock.now():
        return "expired"
    return invitation.status


def _invitation_public(invitation: Invitation) -> InvitationPublic:
    return InvitationPublic(
        id=_id(invitation.id),
        email=invitation.email,
        role=invitation.role,  # type: ignore[arg-type]
        status=_invitation_status(invitation),  # type: ignore[arg-type]
        expires_at=invitation.expires_at,
        created_at=invitation.created_at,
    )


def list_invitations(*, session: Session, ctx: Ctx) -> list[InvitationPublic]:
    _require(ctx, "members.manage")
    rows = session.exec(
        select(Invitation)
        .where(Invitation.workspace_id == ctx.workspace_id, Invitation.status == "pending")
        .order_by(col(Invitation.created_at).desc())
    ).all()
    return [_invitation_public(i) for i in rows]


def invite(*, session: Session, ctx: Ctx, data: InviteIn) -> InvitationCreated:
    problem = rules.invite_problem(actor_role=ctx.role, role=data.role)
    if problem:
        raise PermissionDenied("Your role cannot send this invitation", code=problem)
    email = rules.normalise_email(data.email)
    existing_user = _user_by_email(session, email)
    if existing_user and _membership(session, workspace_id=ctx.workspace_id, user_id=_id(existing_user.id)):
        raise Conflict("This person is already a member", code="already_member")
    # A new invitation replaces any pending one for the same address.
    for old in session.exec(
        select(Invitation).where(
            Invitation.workspace_id == ctx.workspace_id,
            Invitation.email == email,
            Invitation.status == "pending",
        )
    ):
        old.status = "revoked"
    token = security.new_token()
    invitation = Invitation(
        workspace_id=ctx.workspace_id,
        email=email,
        role=data.role,
        token_hash=security.token_hash(token),
        invited_by_id=ctx.user_id,
        expires_at=_expiry(days=get_settings().invitation_days),
    )
    session.add(invitation)
    session.flush()
    audit.record(
        session=session,
        ctx=ctx,
        action="member.invited",
        entity_type="invitation",
        entity_id=invitation.id,
        data={"email": email, "role": data.role},
    )
    enqueue_after_commit(session, "notifications.invitation", invitation_id=invitation.id, token=token)
    return InvitationCreated(
        invitation=_invitation_public(invitation), token=token, accept_path=f"/accept-invite?token={token}"
    )


def revoke_invitation(*, session: Session, ctx: Ctx, invitation_id: int) -> None:
    _require(ctx, "members.manage")
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or invitation.workspace_id != ctx.workspace_id:
        raise NotFound("Invitation not found", code="invitation_not_found")
    if invitation.status != "pending":
        raise Conflict("Only pending invitations can be revoked", code="invitation_not_pending")
    invitation.status = "revoked"
    audit.record(
        session=session,
        ctx=ctx,
        action="member.invitation_revoked",
        entity_type="invitation",
        entity_id=invitation_id,
    )


def _invitation_by_token(session: Session, token: str) -> Invitation:
    invitation = session.exec(
        select(Invitation).where(Invitation.token_hash == security.token_hash(token))
    ).first()
    if invitation is None:
        raise NotFound("Invitation not found", code="invitation_not_found")
    return invitation


def get_invitation(*, session: Session, token: str) -> InvitationPreview:
    invitation = _invitation_by_token(session, token)
    workspace = session.get(Workspace, invitation.workspace_id)
    return InvitationPreview(
        workspace_name=workspace.name if workspace else "",
        email=invitation.email,
        role=invitation.role,  # type: ignore[arg-type]
        status=_invitation_status(invitation),  # type: ignore[arg-type]
        user_exists=_user_by_email(session, invitation.email) is not None,
    )


def accept_invitation(
    *, session: Session, token: str, data: AcceptInviteIn, client: ClientInfo
) -> AuthTokens:
    invitation = _invitation_by_token(session, token)
    status = _invitation_status(invitation)
    if status != "pending":
        raise Conflict(f"This invitation is {status}", code=f"invitation_{status}")
    user = _user_by_email(session, invitation.email)
    if user is None:
        if not data.full_name.strip():
            raise InvalidInput(
                "Your name is required", code="name_required", errors={"full_name": "required"}
            )
        user = _create_user(
            session,
            email=invitation.email,
            password=data.password,
            full_name=data.full_name,
            language="pt-BR",
        )
    elif not security.verify_password(data.password, user.password_hash):
        # The account exists: accepting must prove it is theirs.
        raise Unauthenticated("Wrong password for this account", code="invalid_credentials")
    if _membership(session, workspace_id=invitation.workspace_id, user_id=_id(user.id)) is None:
        session.add(
            Membership(workspace_id=invitation.workspace_id, user_id=_id(user.id), role=invitation.role)
        )
    invitation.status = "accepted"
    invitation.accepted_at = clock.now()
    ctx = Ctx(
        user_id=user.id,
        workspace_id=invitation.workspace_id,
        role=invitation.role,  # type: ignore[arg-type]
        via="ui" if client.kind == "web" else "api",
    )
    audit.record(
        session=session,
        ctx=ctx,
        action="member.joined",
        entity_type="user",
        entity_id=user.id,
        data={"role": invitation.role},
    )
    user.last_login_at = clock.now()
    return _issue_session(
        session, user=user, workspace_id=invitation.workspace_id, role=invitation.role, client=client
    )


def _target_membership(session: Session, ctx: Ctx, user_id: int) -> Membership:
    membership = _membership(session, workspace_id=ctx.workspace_id, user_id=user_id)
    if membership is None:
        raise NotFound("Member not found", code="member_not_found")
    return membership


def _owner_count(session: Session, workspace_id: int) -> int:
    return session.exec(
        select(func.count())
        .select_from(Membership)
        .where(Membership.workspace_id == workspace_id, Membership.role == "owner")
    ).one()


def change_role(*, session: Session, ctx: Ctx, user_id: int, role: str) -> MemberPublic:
    if role not in ("owner", "admin", "manager", "agent", "viewer"):
        raise InvalidInput("Unknown role", code="invalid_role", errors={"role": "unknown role"})
    membership = _target_membership(session, ctx, user_id)
    problem = rules.member_change_problem(actor_role=ctx.role, target_role=membership.role, new_role=role)
    if problem:
        raise PermissionDenied("Your role cannot change this member", code=problem)
    if membership.role == "owner" and role != "owner" and _owner_count(session, ctx.workspace_id) <= 1:
        raise Conflict("A workspace needs at least one owner", code="last_owner")
    previous = membership.role
    membership.role = role
    audit.record(
        session=session,
        ctx=ctx,
        action="member.role_changed",
        entity_type="user",
        entity_id=user_id,
        data={"from": previous, "to": role},
    )
    session.flush()
    return next(m for m in list_members(session=session, ctx=ctx) if m.user_id == user_id)


def remove_member(*, session: Session, ctx: Ctx, user_id: int) -> None:
    membership = _target_membership(session, ctx, user_id)
    problem = rules.member_change_problem(actor_role=ctx.role, target_role=membership.role, new_role=None)
    if problem:
        raise PermissionDenied("Your role cannot remove this member", code=problem)
    if membership.role == "owner" and _owner_count(session, ctx.workspace_id) <= 1:
        raise Conflict("A workspace needs at least one owner", code="last_owner")
    session.delete(membership)
    # Their open sessions in this workspace end now.
    for auth_session in session.exec(
        select(AuthSession).where(
            AuthSession.user_id == user_id,
            AuthSession.workspace_id == ctx.workspace_id,
            col(AuthSession.revoked_at).is_(None),
        )
    ):
        _revoke(auth_session, "member_removed")
    audit.record(
        session=session,
        ctx=ctx,
        action="member.removed",
        entity_type="user",
        entity_id=user_id,
        data={"role": membership.role},
    )

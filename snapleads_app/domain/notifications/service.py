"""Notifications: who gets which e-mail, in which language, with which link — and the password reset.

The actors in workers/ call the `*_email` builders inside a unit of work and hand the result to
`deliver` (the one mail client, core/mail.py). Builders return None when nothing must be sent (the
recipient turned the notification off, left the workspace, the state changed since the job was
enqueued). Invitations and password resets are always sent; the other three follow the preferences.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from snapleads_app.core import clock, security
from snapleads_app.core.context import Ctx
from snapleads_app.core.db import serialise_on
from snapleads_app.core.errors import InvalidInput, RateLimited, Unauthenticated
from snapleads_app.core.mail import OutgoingEmail, get_sender
from snapleads_app.core.settings import get_settings
from snapleads_app.core.tasks import enqueue_after_commit
from snapleads_app.domain.accounts import rules as account_rules
from snapleads_app.domain.accounts.models import AuthSession, Invitation, Membership, User, Workspace
from snapleads_app.domain.imports.models import ImportJob
from snapleads_app.domain.leads.models import Lead
from snapleads_app.domain.notifications.models import (
    MessageNotification,
    NotificationPreference,
    PasswordReset,
    PreferencesPublic,
    PreferencesUpdate,
    ResetPasswordIn,
    ResetTokenCheck,
)
from snapleads_app.domain.notifications.render import render
from snapleads_app.i18n import t

Optional = Literal["import_finished", "lead_assigned", "new_message"]

RESET_TTL = timedelta(hours=1)
RESET_REQUESTS_PER_HOUR = 3
RESET_HISTORY = timedelta(days=1)  # throttle rows older than this are purged
MESSAGE_WINDOW = timedelta(minutes=10)
PREVIEWS_KEPT = 5
PREVIEW_CHARS = 280

PASSWORD_RESET_JOB = "notifications.password_reset"  # noqa: S105 - a job name


def _url(path: str) -> str:
    return get_settings().public_url.rstrip("/") + path


PREFERENCES_PATH = "/settings/notifications"


def conversation_path(conversation_id: int) -> str:
    """Where the inbox opens a conversation (the inbox owns the route; one place to change it)."""
    return f"/inbox?conversation={conversation_id}"


def deliver(email: OutgoingEmail) -> str:
    """Send through the configured backend (SMTP or the file backend). Raises `MailDeliveryError`."""
    return get_sender().send(email)


def _email(to: str, kind: str, lang: str | None, **context: object) -> OutgoingEmail:
    rendered = render(kind, lang, **context)
    return OutgoingEmail(
        to=[to],
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        headers={"X-SnapLeads-Notification": kind},
    )


def _member(session: Session, *, workspace_id: int, user_id: int) -> Membership | None:
    return session.exec(
        select(Membership).where(Membership.workspace_id == workspace_id, Membership.user_id == user_id)
    ).first()


def _active_user(session: Session, user_id: int | None) -> User | None:
    user = session.get(User, user_id) if user_id else None
    return user if user is not None and user.is_active else None


# ---------------------------------------------------------------- preferences


def _preferences(session: Session, user_id: int) -> PreferencesPublic:
    row = session.get(NotificationPreference, user_id)
    if row is None:
        return PreferencesPublic()
    return PreferencesPublic.model_validate(row, from_attributes=True)


def wants(*, session: Session, user_id: int, kind: Optional) -> bool:
    return bool(getattr(_preferences(session, user_id), kind))


def get_preferences(*, session: Session, ctx: Ctx) -> PreferencesPublic:
    if ctx.user_id is None:
        raise Unauthenticated("Sign in to continue")
    return _preferences(session, ctx.user_id)


def update_preferences(*, session: Session, ctx: Ctx, data: PreferencesUpdate) -> PreferencesPublic:
    """Preferences are the user's own (any role, whatever workspace they are in)."""
    if ctx.user_id is None:
        raise Unauthenticated("Sign in to continue")
    row = session.get(NotificationPreference, ctx.user_id)
    if row is None:
        row = NotificationPreference(user_id=ctx.user_id)
        session.add(row)
    for field, value in data.model_dump(exclude_none=True).items():
        setattr(row, field, value)
    row.updated_at = clock.now()
    session.flush()
    return PreferencesPublic.model_validate(row, from_attributes=True)


# ---------------------------------------------------------------- password reset


def _email_hash(email: str) -> str:
    return hashlib.sha256(account_rules.normalise_email(email).encode()).hexdigest()


def request_password_reset(*, session: Session, email: str) -> None:
    """Forgot password. Known or unknown e-mail: the same work, the same answer (no enumeration).

    At most 3 requests per e-mail per hour (counted for unknown addresses too, so the throttle does not
    reveal anything either); the 4th raises RateLimited until the oldest request leaves the window.
    """
    now = clock.now()
    email_hash = _email_hash(email)
    # Count and insert as one step per address: a burst of parallel requests would all count 2 and pass.
    serialise_on(session, f"password-reset:{email_hash}")
    window_start = now - timedelta(hours=1)
    recent = session.exec(
        select(PasswordReset.requested_at)
        .where(PasswordReset.email_hash == email_hash, col(PasswordReset.requested_at) > window_start)
        .order_by(col(PasswordReset.requested_at))
    ).all()
    if len(recent) >= RESET_REQUESTS_PER_HOUR:
        retry_after = (recent[0] + timedelta(hours=1) - now).total_seconds()
        raise RateLimited(
            "Too many password reset requests for this e-mail; try again later",
            retry_after=int(retry_after) + 1,
            code="reset_throttled",
        )
    user = session.exec(
        select(User).where(func.lower(User.email) == account_rules.normalise_email(email))
    ).first()
    known = user is not None and user.is_active
    token = security.new_token()  # minted either way: both paths cost the same
    row = PasswordReset(
        email_hash=email_hash,
        user_id=user.id if known and user else None,
        token_hash=security.token_hash(token) if known else None,
        requested_at=now,
        expires_at=now + RESET_TTL,
    )
    session.add(row)
    session.execute(delete(PasswordReset).where(col(PasswordReset.requested_at) < now - RESET_HISTORY))
    session.flush()
    if known:
        # The token travels to the worker in the job (it is stored only as a hash).
        enqueue_after_commit(session, PASSWORD_RESET_JOB, reset_id=row.id, token=token)


def _reset_row(session: Session, token: str) -> PasswordReset | None:
    if not token:
        return None
    return session.exec(
        select(PasswordReset).where(PasswordReset.token_hash == security.token_hash(token))
    ).first()


def _reset_problem(row: PasswordReset | None, now: datetime) -> str | None:
    if row is None or row.user_id is None:
        return "reset_token_invalid"
    if row.used_at is not None:
        return "reset_token_used"
    if row.expires_at <= now:
        return "reset_token_expired"
    return None


def check_reset_token(*, session: Session, token: str) -> ResetTokenCheck:
    """For the reset page: is the link still good, and for which account."""
    row = _reset_row(session, token)
    if _reset_problem(row, clock.now()) is not None or row is None:
        return ResetTokenCheck(valid=False)
    user = _active_user(session, row.user_id)
    return ResetTokenCheck(valid=user is not None, email=user.email if user else "")


def reset_password(*, session: Session, data: ResetPasswordIn) -> None:
    """Set a new password with a reset token: single use, 1 hour; every session of the account ends."""
    now = clock.now()
    row = _reset_row(session, data.token)
    problem = _reset_problem(row, now)
    user = _active_user(session, row.user_id) if row is not None else None
    if problem is None and user is None:
        problem = "reset_token_invalid"
    if problem is not None or row is None or user is None:
        raise InvalidInput("This reset link cannot be used", code=problem, errors={"token": problem or ""})
    problems = account_rules.password_problems(data.password)
    if problems:
        raise InvalidInput(
            "Password must have at least 8 characters, with upper-case, lower-case letters and a digit",
            code="weak_password",
            errors={"password": ",".join(problems)},
        )
    # Atomic claim: of two concurrent uses of the same link only one wins.
    claimed = session.execute(
        update(PasswordReset)
        .where(col(PasswordReset.id) == row.id, col(PasswordReset.used_at).is_(None))
        .values(used_at=now)
    ).rowcount  # type: ignore[attr-defined]
    if not claimed:
        raise InvalidInput(
            "This reset link cannot be used", code="reset_token_used", errors={"token": "used"}
        )
    user.password_hash = security.hash_password(data.password)
    # Every other link of this account is spent, and whoever holds an old session is signed out.
    session.execute(
        update(PasswordReset)
        .where(col(PasswordReset.user_id) == user.id, col(PasswordReset.used_at).is_(None))
        .values(used_at=now)
    )
    session.execute(
        update(AuthSession)
        .where(col(AuthSession.user_id) == user.id, col(AuthSession.revoked_at).is_(None))
        .values(revoked_at=now, revoked_reason="password_reset")
    )


def password_reset_email(*, session: Session, reset_id: int, token: str) -> OutgoingEmail | None:
    row = session.get(PasswordReset, reset_id)
    if row is None or row.used_at is not None or row.token_hash != security.token_hash(token):
        return None
    if row.expires_at <= clock.now():
        return None
    user = _active_user(session, row.user_id)
    if user is None:
        return None
    minutes = int(RESET_TTL.total_seconds() // 60)
    return _email(
        user.email,
        "password_reset",
        user.language,
        name=user.full_name,
        minutes=minutes,
        action_url=_url(f"/reset-password?token={token}"),
    )


# ---------------------------------------------------------------- invitation


def invitation_email(*, session: Session, invitation_id: int, token: str) -> OutgoingEmail | None:
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or invitation.status != "pending" or invitation.expires_at <= clock.now():
        return None
    if invitation.token_hash != security.token_hash(token):
        return None
    workspace = session.get(Workspace, invitation.workspace_id)
    inviter = session.get(User, invitation.invited_by_id) if invitation.invited_by_id else None
    invitee = session.exec(
        select(User).where(func.lower(User.email) == account_rules.normalise_email(invitation.email))
    ).first()
    # The invitee's own language if they have an account, else the inviter's (same team, same language).
    lang = invitee.language if invitee else (inviter.language if inviter else None)
    return _email(
        invitation.email,
        "invitation",
        lang,
        inviter_name=inviter.full_name if inviter else "SnapLeads",
        workspace_name=workspace.name if workspace else "",
        role_label=t(f"role.{invitation.role}", lang),
        expires_days=get_settings().invitation_days,
        action_url=_url(f"/accept-invite?token={token}"),
    )


# ---------------------------------------------------------------- import finished


def import_finished_email(*, session: Session, job_id: int) -> OutgoingEmail | None:
    job = session.get(ImportJob, job_id)
    if job is None or job.status not in ("completed", "failed"):
        return None  # cancelled by the user: they know
    user = _active_user(session, job.created_by_id)
    if user is None or user.id is None:
        return None
    if _member(session, workspace_id=job.workspace_id, user_id=user.id) is None:
        return None
    if not wants(session=session, user_id=user.id, kind="import_finished"):
        return None
    workspace = session.get(Workspace, job.workspace_id)
    return _email(
        user.email,
        "import_finished",
        user.language,
        name=user.full_name,
        workspace_name=workspace.name if workspace else "",
        file_name=job.file_name or "",
        failed=job.status == "failed",
        error=job.error or "",
        total=job.total,
        created=job.created,
        updated=job.updated,
        duplicates=job.duplicates,
        errors=job.errors,
        action_url=_url(f"/imports?job={job.id}"),
        prefs_url=_url(PREFERENCES_PATH),
    )


# ---------------------------------------------------------------- lead assigned


def lead_display_name(lead: Lead) -> str:
    return lead.full_name or (f"@{lead.username}" if lead.username else f"#{lead.id}")


def lead_assigned_email(
    *, session: Session, lead_id: int, assignee_id: int, assigned_by_id: int | None
) -> OutgoingEmail | None:
    if assignee_id == assigned_by_id:
        return None  # you know what you assigned to yourself
    lead = session.get(Lead, lead_id)
    if lead is None or lead.deleted_at is not None or lead.assignee_id != assignee_id:
        return None  # deleted or re-assigned since
    user = _active_user(session, assignee_id)
    if user is None or _member(session, workspace_id=lead.workspace_id, user_id=assignee_id) is None:
        return None
    if not wants(session=session, user_id=assignee_id, kind="lead_assigned"):
        return None
    by = session.get(User, assigned_by_id) if assigned_by_id else None
    workspace = session.get(Workspace, lead.workspace_id)
    return _email(
        user.email,
        "lead_assigned",
        user.language,
        name=user.full_name,
        lead_name=lead_display_name(lead),
        lead_company=lead.company or "",
        assigned_by=by.full_name if by else "SnapLeads",
        workspace_name=workspace.name if workspace else "",
        action_url=_url(f"/leads?lead={lead.id}"),
        prefs_url=_url(PREFERENCES_PATH),
    )


# ---------------------------------------------------------------- new messages (batched)


@dataclass(frozen=True)
class MessageDecision:
    """What to do with one new-message notification: send `email` now, and/or flush at `flush_at`."""

    email: OutgoingEmail | None = None
    flush_at: datetime | None = None


def _batch_row(session: Session, *, user_id: int, conversation_id: int) -> MessageNotification | None:
    return session.exec(
        select(MessageNotification)
        .where(MessageNotification.user_id == user_id, MessageNotification.conversation_id == conversation_id)
        .with_for_update()
    ).first()


def _message_email(session: Session, row: MessageNotification, user: User) -> OutgoingEmail:
    items = list(row.pending)
    workspace = session.get(Workspace, row.workspace_id)
    return _email(
        user.email,
        "new_message",
        user.language,
        name=user.full_name,
        lead_name=items[-1]["lead_name"] if items else "",
        previews=[item["preview"] for item in items],
        count=row.pending_count,
        workspace_name=workspace.name if workspace else "",
        action_url=_url(conversation_path(row.conversation_id)),
        prefs_url=_url(PREFERENCES_PATH),
    )


def _send_batch(session: Session, row: MessageNotification, user: User, now: datetime) -> OutgoingEmail:
    email = _message_email(session, row, user)
    row.last_sent_at = now
    row.pending = []
    row.pending_count = 0
    row.flush_due_at = None
    return email


def new_message(
    *, session: Session, workspace_id: int, user_id: int, conversation_id: int, lead_name: str, preview: str
) -> MessageDecision:
    """A new message in a conversation assigned to `user_id`.

    Batching rule: at most one e-mail per (user, conversation) per 10 minutes. The first message after
    a quiet window is e-mailed at once; later ones inside the window are folded (count + the last
    previews) into ONE follow-up e-mail sent when the window closes — nothing is dropped unless the
    user turned the notification off or left the workspace.
    """
    user = _active_user(session, user_id)
    if user is None or _member(session, workspace_id=workspace_id, user_id=user_id) is None:
        return MessageDecision()
    if not wants(session=session, user_id=user_id, kind="new_message"):
        return MessageDecision()
    now = clock.now()
    row = _batch_row(session, user_id=user_id, conversation_id=conversation_id)
    if row is None:
        row = MessageNotification(user_id=user_id, workspace_id=workspace_id, conversation_id=conversation_id)
        session.add(row)
    item = {"lead_name": lead_name.strip()[:200], "preview": " ".join(preview.split())[:PREVIEW_CHARS]}
    row.pending = [*row.pending, item][-PREVIEWS_KEPT:]
    row.pending_count += 1
    if row.last_sent_at is None or now - row.last_sent_at >= MESSAGE_WINDOW:
        email = _send_batch(session, row, user, now)
        session.flush()
        return MessageDecision(email=email)
    schedule = row.flush_due_at is None  # one follow-up per window
    row.flush_due_at = row.last_sent_at + MESSAGE_WINDOW
    session.flush()
    return MessageDecision(flush_at=row.flush_due_at if schedule else None)


def flush_messages(*, session: Session, user_id: int, conversation_id: int) -> MessageDecision:
    """The window of a conversation closed: e-mail what was folded into it (once)."""
    row = _batch_row(session, user_id=user_id, conversation_id=conversation_id)
    if row is None or row.pending_count == 0:
        return MessageDecision()
    now = clock.now()
    if row.last_sent_at is not None and now - row.last_sent_at < MESSAGE_WINDOW:
        row.flush_due_at = row.last_sent_at + MESSAGE_WINDOW  # woke up early: come back at the end
        return MessageDecision(flush_at=row.flush_due_at)
    user = _active_user(session, user_id)
    if (
        user is None
        or _member(session, workspace_id=row.workspace_id, user_id=user_id) is None
        or not wants(session=session, user_id=user_id, kind="new_message")
    ):
        row.pending, row.pending_count, row.flush_due_at = [], 0, None
        return MessageDecision()
    return MessageDecision(email=_send_batch(session, row, user, now))

"""Extension support: the popup's context and the duplicate lookup behind "skipped as duplicates"."""

from __future__ import annotations

from sqlalchemy import tuple_
from sqlmodel import Session, col, select

from snapleads_app.core.context import Ctx
from snapleads_app.domain.accounts import rules as account_rules
from snapleads_app.domain.accounts import service as accounts
from snapleads_app.domain.extension.models import ExtensionContext, LookupIn, LookupOut
from snapleads_app.domain.leads.models import Lead
from snapleads_app.domain.leads.normalise import FieldProblem, canonical_profile
from snapleads_app.domain.tags import service as tags


def context(*, session: Session, ctx: Ctx) -> ExtensionContext:
    me = accounts.me(session=session, ctx=ctx)
    return ExtensionContext(
        user_email=me.user.email,
        user_name=me.user.full_name,
        workspace_id=me.workspace.id,
        workspace_name=me.workspace.name,
        role=me.role,
        can_import=account_rules.can(ctx.role, "leads.create"),
        tags=tags.list_tags(session=session, ctx=ctx),
        workspaces=me.workspaces,
    )


def lookup(*, session: Session, ctx: Ctx, data: LookupIn) -> LookupOut:
    """Which of these profiles the workspace already has (only the fact, never the lead: the import
    reports the same as its duplicates count, so no role learns more than by importing)."""
    keys: list[str | None] = []
    for ref in data.profiles:
        try:
            keys.append(canonical_profile(data.platform, ref.profile_url, ref.username).key)
        except FieldProblem:
            keys.append(None)
    wanted = sorted({(data.platform, k) for k in keys if k})
    found: set[str] = set()
    if wanted:
        stmt = select(Lead.profile_key).where(
            col(Lead.workspace_id) == ctx.workspace_id,
            col(Lead.deleted_at).is_(None),
            tuple_(col(Lead.platform), col(Lead.profile_key)).in_(wanted),
        )
        found = {key for key in session.exec(stmt) if key}
    return LookupOut(keys=keys, existing=[i for i, k in enumerate(keys) if k and k in found])

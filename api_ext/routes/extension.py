"""Chrome extension support: the popup's context and which captured profiles the CRM already has."""

from __future__ import annotations

from api_ext.deps import CurrentCtx
from api_ext.routes import api_router
from snapleads_app.core.db import unit_of_work
from snapleads_app.domain.extension import service as extension
from snapleads_app.domain.extension.models import ExtensionContext, LookupIn, LookupOut

router = api_router("/extension", tags=["extension"])


@router.get("/context")
def get_context(ctx: CurrentCtx) -> ExtensionContext:
    """The signed-in user, workspace, role (may it import?) and the workspace's tags for the picker."""
    with unit_of_work() as session:
        return extension.context(session=session, ctx=ctx)


@router.post("/lookup")
def lookup_profiles(body: LookupIn, ctx: CurrentCtx) -> LookupOut:
    """Which of up to 500 profiles (username and/or profile URL) the workspace already has."""
    with unit_of_work() as session:
        return extension.lookup(session=session, ctx=ctx, data=body)

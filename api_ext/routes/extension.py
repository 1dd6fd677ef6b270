"""Chrome extension support: the popup's context and which captured profiles the CRM already has."""

from __future__ import annotations

from fastapi import APIRouter

from api_ext.deps import CurrentCtx
from api_ext.problems import PROBLEM_RESPONSES
from api_ext.routes import API_PREFIX
from snapleads_app.core.db import unit_of_work
from snapleads_app.domain.extension import service as extension
from snapleads_app.domain.extension.models import ExtensionContext, LookupIn, LookupOut

router = APIRouter(prefix=f"{API_PREFIX}/extension", tags=["extension"], responses=PROBLEM_RESPONSES)


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

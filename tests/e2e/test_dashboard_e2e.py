"""Dashboard end to end on the demo workspace: KPI cards, the recharts charts and the funnel render
with the demo's totals; a lead added meanwhile updates the numbers live; /analytics shows the tables
(template performance included); Settings → Workspace sets the time zone.

Demo data (snapleads_app/cli.py): 40 leads created now — platforms cycle instagram ×2, linkedin,
facebook, tiktok (16/8/8/8); statuses cycle new ×3, contacted ×2, responded, qualified, scheduled,
closed, lost (12/8/4/4/4/4/4). Funnel reached (created straight into their stage, no history):
new 40, contacted 24, responded 16, qualified 12, scheduled 8, closed 4; lost 4.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from snapleads_app import cli
from tests.e2e.conftest import new_page
from tests.factories import make_lead, register_owner

pytestmark = pytest.mark.e2e


def _login_demo(page: Any, app_url: str) -> None:
    page.goto(f"{app_url}/login")
    page.fill("#email", cli.DEMO_EMAIL)
    page.fill("#password", cli.DEMO_PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(re.compile(rf"^{re.escape(app_url)}/?$"))


def test_dashboard_charts_render_demo_totals_and_update_live(app_url: str, browser: Any) -> None:
    from playwright.sync_api import expect

    cli.seed_demo()
    context, page = new_page(browser, width=1440, height=1000)
    try:
        _login_demo(page, app_url)
        expect(page.locator("#kpi-total .kpi-value")).to_have_text("40", timeout=20_000)  # first compile
        expect(page.locator("#kpi-new .kpi-value")).to_have_text("40")
        expect(page.locator("#kpi-scheduled .kpi-value")).to_have_text("4")
        expect(page.locator("#kpi-closed .kpi-value")).to_have_text("4")
        expect(page.locator("#chart-total")).to_contain_text("40")
        # recharts drew the area and one bar per platform/status.
        expect(page.locator("#timeline-chart .recharts-area-area")).to_have_count(1)
        expect(page.locator("#by-platform .recharts-bar-rectangle")).to_have_count(4)
        expect(page.locator("#by-status .recharts-bar-rectangle")).to_have_count(7)
        expect(page.locator("#by-platform [data-key=instagram]")).to_contain_text("16")
        funnel = page.locator("#funnel .funnel-row")
        expect(funnel).to_have_count(7)
        expect(funnel.nth(0)).to_contain_text("40")
        expect(funnel.nth(1)).to_contain_text("24")
        expect(funnel.nth(1)).to_contain_text("60,0%")  # the demo owner reads pt-BR
        expect(funnel.nth(5)).to_contain_text("4")
        expect(page.locator("#reps-table")).to_contain_text("Artur Agent")
        expect(page.locator("#recent-activity")).to_be_visible()

        # A lead arrives (another entry point): the cards update without a reload.
        _add_demo_lead(platform="linkedin")
        expect(page.locator("#kpi-total .kpi-value")).to_have_text("41")
        expect(page.locator("#by-platform [data-key=linkedin]")).to_contain_text("9")
        # …and a message from that lead opens a conversation: the conversations card follows live.
        before = int(page.locator("#kpi-conversations .kpi-value").inner_text().replace(".", ""))
        _message_from_live_lead()
        expect(page.locator("#kpi-conversations .kpi-value")).to_have_text(str(before + 1))

        # /analytics: the fuller tables and the CSV links.
        page.goto(f"{app_url}/analytics")
        expect(page.locator("#kpi-total .kpi-value")).to_have_text("41")
        expect(page.locator("#reps-table")).to_contain_text("Marina Manager")
        expect(page.locator("#export-funnel")).to_have_attribute(
            "href", re.compile(r"/api/v1/analytics/funnel\.csv\?")
        )
        # Template performance: the demo's three templates (not sent yet) and the CSV link.
        template_rows = page.locator("#templates-table tbody tr")
        expect(template_rows).to_have_count(3)
        expect(page.locator("#templates-table")).to_contain_text("Primeiro contato")
        expect(page.locator("#export-templates")).to_have_attribute(
            "href", re.compile(r"/api/v1/analytics/templates\.csv\?")
        )

        # Settings → Workspace: the time zone picker shows and sets the workspace's zone.
        page.goto(f"{app_url}/settings/workspace")
        picker = page.locator("#time-zone")
        expect(picker).to_have_value("America/Sao_Paulo")
        picker.select_option("America/Manaus")
        expect(page.locator("text=/Fuso horário definido como America\\/Manaus/")).to_be_visible()
        page.reload()
        expect(page.locator("#time-zone")).to_have_value("America/Manaus")
        page.locator("#time-zone").select_option("America/Sao_Paulo")
        expect(page.locator("text=/Fuso horário definido como America\\/Sao_Paulo/")).to_be_visible()
    finally:
        context.close()


def test_new_workspace_sees_the_empty_state(app_url: str, browser: Any) -> None:
    from playwright.sync_api import expect

    from tests.e2e.conftest import login

    owner = register_owner("nova@example.com", workspace="Nova")
    context, page = new_page(browser)
    try:
        login(page, app_url, owner.email)
        expect(
            page.locator("text=/Your numbers will show up here|Seus números aparecerão aqui/")
        ).to_be_visible()
        make_lead(owner)
        expect(page.locator("#kpi-total .kpi-value")).to_have_text("1")  # live: the empty state gives way
    finally:
        context.close()


def _demo_ctx(session: Any) -> Any:
    from sqlmodel import select

    from snapleads_app.core.context import Ctx
    from snapleads_app.domain.accounts.models import Membership, User

    user_id, workspace_id = session.exec(
        select(User.id, Membership.workspace_id)
        .join(Membership, Membership.user_id == User.id)  # type: ignore[arg-type]
        .where(User.email == cli.DEMO_EMAIL)
    ).one()
    return Ctx(user_id=user_id, workspace_id=workspace_id, role="owner", via="api")


def _message_from_live_lead() -> None:
    from snapleads_app.core.db import unit_of_work
    from snapleads_app.domain.inbox import service as inbox
    from snapleads_app.domain.inbox.models import InboundIn

    with unit_of_work() as session:
        ctx = _demo_ctx(session)
        data = InboundIn(lead={"platform": "linkedin", "username": "live.lead"}, body="Oi! Vi seu contato.")  # type: ignore[arg-type]
        inbox.receive_inbound(session=session, ctx=ctx, data=data)


def _add_demo_lead(platform: str) -> None:
    from snapleads_app.core.db import unit_of_work
    from snapleads_app.domain.leads import service as leads
    from snapleads_app.domain.leads.models import LeadCreate

    with unit_of_work() as session:
        ctx = _demo_ctx(session)
        leads.create_lead(
            session=session,
            ctx=ctx,
            data=LeadCreate(platform=platform, username="live.lead", full_name="Live Lead"),  # type: ignore[arg-type]
        )

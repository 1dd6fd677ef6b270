"""Two users in two browser contexts: the nav's unread badge follows the inbox live on any page, and
"… is viewing" appears in the thread header while the other user has the same conversation open — and
disappears when they move on or close their tab."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from snapleads_app.core.db import unit_of_work
from snapleads_app.domain.accounts import service as accounts
from snapleads_app.domain.inbox import service as inbox
from snapleads_app.domain.inbox.models import InboundIn
from tests.e2e.conftest import TIMEOUT, login, new_page
from tests.factories import add_member, make_lead, register_owner

pytestmark = pytest.mark.e2e


def _item(page: Any, name: str) -> Any:
    return page.locator("[data-testid=conversation-item]", has_text=name)


def _open(page: Any, name: str, first_body: str) -> None:
    _item(page, name).click()
    from playwright.sync_api import expect

    expect(page.locator("#thread [data-testid=message-body]").first).to_have_text(first_body)


def test_unread_badge_and_viewing_presence_across_two_users(app_url: str, browser: Any) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT)  # live updates on a busy 2-core machine: more than 5 s
    from reflex_base.config import get_config

    owner = register_owner("vera@example.com", workspace="Vera Vendas")
    manager = add_member(owner, "manager", "mauro@example.com")
    with unit_of_work() as session:
        accounts.set_language(session=session, ctx=owner.ctx, language="en")
    with unit_of_work() as session:
        accounts.set_language(session=session, ctx=manager.ctx, language="pt-BR")
    ana = make_lead(owner, full_name="Ana Souza")
    bruno = make_lead(owner, full_name="Bruno Lima")
    carla = make_lead(owner, full_name="Carla Dias")
    for lead, body in ((ana, "Oi, Ana aqui"), (bruno, "Bruno falando")):
        with unit_of_work() as session:
            inbox.receive_inbound(session=session, ctx=owner.ctx, data=InboundIn(lead_id=lead.id, body=body))

    ctx_a, page_a = new_page(browser, width=1440, height=900)
    ctx_b, page_b = new_page(browser, width=1440, height=900)
    try:
        login(page_a, app_url, owner.email)  # A stays on the dashboard: the badge lives in the nav
        badge_a = page_a.locator("[data-testid=nav-unread]")
        expect(badge_a).to_have_text("2")

        # B reads Ana's conversation: A's badge drops without a reload, on another page.
        login(page_b, app_url, manager.email)
        page_b.goto(f"{app_url}/inbox")
        _open(page_b, "Ana Souza", "Oi, Ana aqui")
        expect(badge_a).to_have_text("1")
        expect(page_b.locator("[data-testid=nav-unread]")).to_have_text("1")

        # A new conversation from the REST API (the extension's DM capture) raises it again.
        api = get_config().api_url.rstrip("/")
        posted = httpx.post(
            f"{api}/api/v1/conversations/inbound",
            headers=owner.auth,
            json={"lead_id": carla.id, "body": "Carla chegando", "external_id": "ig-carla-1"},
        )
        assert posted.status_code == 201, posted.text
        expect(badge_a).to_have_text("2")

        # A opens the conversation B is viewing: each sees the other, in their own language.
        page_a.click("a[href='/inbox']")
        _open(page_a, "Ana Souza", "Oi, Ana aqui")
        viewing_a = page_a.locator("#thread-viewers [data-testid=viewing]")
        viewing_b = page_b.locator("#thread-viewers [data-testid=viewing]")
        expect(viewing_a).to_have_text(["Manager is viewing"])
        expect(viewing_b).to_have_text(["Olivia Owner está vendo"])

        # B moves to another conversation: A's header empties; B sees nobody on Bruno's.
        _open(page_b, "Bruno Lima", "Bruno falando")
        expect(viewing_a).to_have_count(0)
        expect(viewing_b).to_have_count(0)
        expect(page_a.locator("[data-testid=nav-unread]")).to_have_text("1")  # Bruno's was read by B

        # B comes back, then leaves the inbox for another page (client-side): gone again.
        _open(page_b, "Ana Souza", "Oi, Ana aqui")
        expect(viewing_a).to_have_text(["Manager is viewing"])
        page_b.click("a[href='/leads']")
        expect(viewing_a).to_have_count(0)

        # Back once more, then B closes the tab: the entry goes away when the connection does.
        page_b.click("a[href='/inbox']")
        _open(page_b, "Ana Souza", "Oi, Ana aqui")
        expect(viewing_a).to_have_text(["Manager is viewing"])
        ctx_b.close()
        expect(viewing_a).to_have_count(0, timeout=30_000)
    finally:
        ctx_a.close()
        ctx_b.close()

"""Inbox end to end, two users in two browser contexts: the unread badge and new messages update live
(from the other browser and from the REST API), and after a forced reconnect nothing is missing or
doubled."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from snapleads_app.core.db import unit_of_work
from snapleads_app.domain.inbox import service as inbox
from snapleads_app.domain.inbox.models import InboundIn
from tests.e2e.conftest import login, new_page
from tests.factories import add_member, make_lead, register_owner

pytestmark = pytest.mark.e2e


def _item(page: Any, name: str) -> Any:
    return page.locator("[data-testid=conversation-item]", has_text=name)


def _bodies(page: Any) -> Any:
    return page.locator("#thread [data-testid=message-body]")


def test_two_users_see_messages_and_unread_live_and_resync_after_reconnect(
    app_url: str, browser: Any
) -> None:
    from playwright.sync_api import expect
    from reflex_base.config import get_config

    owner = register_owner("olga@example.com", workspace="Olga Vendas")
    manager = add_member(owner, "manager", "mario@example.com")
    ana = make_lead(owner, full_name="Ana Souza", platform="instagram", company="Padaria Sol")
    bruno = make_lead(owner, full_name="Bruno Lima", platform="linkedin", username="bruno")
    with unit_of_work() as session:
        inbox.receive_inbound(session=session, ctx=owner.ctx, data=InboundIn(lead_id=bruno.id, body="Olá!"))
    with unit_of_work() as session:
        inbox.receive_inbound(
            session=session,
            ctx=owner.ctx,
            data=InboundIn(lead_id=ana.id, body="Quero um orçamento", external_id="ig-1"),
        )

    ctx_a, page_a = new_page(browser, width=1440, height=900)
    ctx_b, page_b = new_page(browser, width=1440, height=900)
    try:
        login(page_a, app_url, owner.email)
        login(page_b, app_url, manager.email)
        page_a.goto(f"{app_url}/inbox")
        page_b.goto(f"{app_url}/inbox")
        expect(page_b.locator("[data-testid=conversation-item]")).to_have_count(2)
        expect(_item(page_b, "Ana Souza").locator("[data-testid=unread-badge]")).to_have_text("1")

        # A opens Ana's conversation: it is read, and B's badge disappears without a reload.
        _item(page_a, "Ana Souza").click()
        expect(_bodies(page_a)).to_have_text(["Quero um orçamento"])
        expect(_item(page_b, "Ana Souza").locator("[data-testid=unread-badge]")).to_have_count(0)

        # B opens it too; A answers with a template-free reply: it shows up once in both browsers.
        _item(page_b, "Ana Souza").click()
        expect(_bodies(page_b)).to_have_text(["Quero um orçamento"])
        page_a.fill("#composer", "Claro! Te mando hoje.")
        page_a.click("#send-message")
        expect(_bodies(page_a)).to_have_text(["Quero um orçamento", "Claro! Te mando hoje."])
        expect(_bodies(page_b)).to_have_text(["Quero um orçamento", "Claro! Te mando hoje."])
        # The stub-free manual channel records it as sent; the status reaches B live too.
        expect(page_b.locator("[data-direction=outbound] [data-status=sent]")).to_have_count(1)
        expect(_item(page_b, "Ana Souza").locator("[data-testid=conversation-preview]")).to_have_text(
            "Claro! Te mando hoje."
        )

        # A message posted to the REST API (the extension's DM capture) appears in both; B has Ana's
        # conversation open, so the unread badge appears on Bruno's only when his lead writes.
        api = get_config().api_url.rstrip("/")
        posted = httpx.post(
            f"{api}/api/v1/conversations/inbound",
            headers=owner.auth,
            json={"lead_id": bruno.id, "body": "Ainda está aí?", "external_id": "li-7"},
        )
        assert posted.status_code == 201, posted.text
        expect(_item(page_a, "Bruno Lima").locator("[data-testid=unread-badge]")).to_have_text("2")
        expect(_item(page_b, "Bruno Lima").locator("[data-testid=unread-badge]")).to_have_text("2")

        # Forced reconnect: B goes offline, misses two messages, comes back — resynced from the DB.
        ctx_b.set_offline(True)
        page_a.fill("#composer", "Primeira enquanto offline")
        page_a.click("#send-message")
        posted = httpx.post(
            f"{api}/api/v1/conversations/inbound",
            headers=owner.auth,
            json={"lead_id": ana.id, "body": "Segunda enquanto offline", "external_id": "ig-2"},
        )
        assert posted.status_code == 201, posted.text
        expect(_bodies(page_a)).to_have_count(4)
        page_b.wait_for_timeout(1500)
        expect(_bodies(page_b)).to_have_count(2)  # really disconnected: nothing arrived
        ctx_b.set_offline(False)
        expected = [
            "Quero um orçamento",
            "Claro! Te mando hoje.",
            "Primeira enquanto offline",
            "Segunda enquanto offline",
        ]
        expect(_bodies(page_b)).to_have_text(expected, timeout=30_000)
        # And a later live message still arrives exactly once.
        page_a.fill("#composer", "Depois da reconexão")
        page_a.click("#send-message")
        expect(_bodies(page_b)).to_have_text([*expected, "Depois da reconexão"])
        expect(_bodies(page_a)).to_have_text([*expected, "Depois da reconexão"])
    finally:
        ctx_a.close()
        ctx_b.close()


def test_template_picker_previews_variables_and_warns_on_missing_values(app_url: str, browser: Any) -> None:
    from playwright.sync_api import expect

    from snapleads_app.domain.templates import service as templates
    from snapleads_app.domain.templates.models import TemplateIn

    owner = register_owner("tina@example.com", workspace="Tina Vendas")
    lead = make_lead(owner, full_name="Carla Dias", platform="instagram")
    with unit_of_work() as session:
        templates.create_template(
            session=session,
            ctx=owner.ctx,
            data=TemplateIn(name="Intro", body="Oi {{first_name|tudo bem}}, vi a {{company}}!"),
        )
    with unit_of_work() as session:
        inbox.receive_inbound(session=session, ctx=owner.ctx, data=InboundIn(lead_id=lead.id, body="Oi"))

    context, page = new_page(browser, width=1440, height=900)
    try:
        login(page, app_url, owner.email)
        page.goto(f"{app_url}/inbox")
        _item(page, "Carla Dias").click()
        expect(_bodies(page)).to_have_text(["Oi"])
        page.click("#template-picker")
        page.get_by_role("option", name="Intro").click()
        expect(page.locator("#template-preview")).to_have_text("Oi Carla, vi a !")
        expect(page.locator("#missing-values")).to_contain_text("company")
        page.click("#use-template")
        expect(page.locator("#composer")).to_have_value("Oi Carla, vi a !")
        # Keyboard: e archives the open conversation (focus outside the composer).
        page.locator("#thread").click()
        page.keyboard.press("e")
        expect(page.locator("#inbox-archive")).to_have_attribute("data-status", "archived")
        # j/k move between conversations; r focuses the composer.
        page.keyboard.press("r")
        expect(page.locator("#composer")).to_be_focused()
    finally:
        context.close()

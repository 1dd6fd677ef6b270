"""Meetings in the browser: an e-mail link opens the lead, a meeting is scheduled from its drawer, the
lead moves to "scheduled" and the meeting shows on the dashboard; the Kanban card menu schedules one too."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import login, new_page
from tests.factories import make_lead, register_owner

pytestmark = pytest.mark.e2e


def test_schedule_from_the_drawer_and_see_it_on_the_dashboard(app_url: str, browser: Any) -> None:
    from playwright.sync_api import expect

    owner = register_owner("rita@example.com", workspace="Rita Vendas")
    lead = make_lead(owner, full_name="Sofia Ramos", company="Café Azul")
    context, page = new_page(browser, width=1440, height=900)
    try:
        login(page, app_url, owner.email)
        page.goto(f"{app_url}/leads?lead={lead.id}")  # the link of a "lead assigned" e-mail
        drawer = page.locator("#lead-drawer")
        expect(drawer.locator("#detail-name")).to_have_text("Sofia Ramos")

        drawer.locator("#schedule-meeting").click()
        page.fill("#meeting-starts", "2030-05-20T15:00")
        page.fill("#meeting-location", "https://meet.example.com/sofia")
        page.click("#meeting-save")
        item = drawer.locator("[data-testid=meeting-item]")
        expect(item).to_have_count(1)
        expect(item).to_contain_text("20/05/2030 15:00")
        expect(item).to_contain_text("https://meet.example.com/sofia")
        expect(drawer.locator("#detail-status")).to_contain_text("Agendado")

        # Reschedule it in the same dialog.
        item.locator("[data-testid=meeting-edit]").click()
        expect(page.locator("#meeting-starts")).to_have_value("2030-05-20T15:00")
        page.fill("#meeting-starts", "2030-05-21T10:30")
        page.click("#meeting-save")
        expect(item).to_have_count(1)
        expect(item).to_contain_text("21/05/2030 10:30")
        # The drawer's open state belongs to the tab, not to the page: close it before moving on.
        drawer.get_by_role("button", name="Fechar", exact=True).click()
        expect(drawer).to_have_count(0)

        page.goto(f"{app_url}/")
        expect(page.locator("#upcoming-meetings")).to_contain_text("Sofia Ramos")
        expect(page.locator("#upcoming-meetings")).to_contain_text("21/05/2030 10:30")

        page.goto(f"{app_url}/kanban")
        page.locator("[data-testid=kanban-card]", has_text="Sofia Ramos").locator(
            "[data-testid=card-menu]"
        ).click()
        page.locator("[data-testid=card-schedule]").click()
        dialog = page.get_by_role("dialog")
        expect(dialog).to_contain_text("Sofia Ramos")
        page.fill("#meeting-starts", "2030-06-03T09:15")
        page.fill("#meeting-location", "Escritório")
        page.click("#meeting-save")
        expect(dialog).to_have_count(0)

        # The card's meeting is the lead's second one: the dashboard lists both, soonest first.
        page.goto(f"{app_url}/")
        upcoming = page.locator("#upcoming-meetings")
        expect(upcoming).to_contain_text("03/06/2030 09:15")
        expect(upcoming).to_contain_text("21/05/2030 10:30")
    finally:
        context.close()

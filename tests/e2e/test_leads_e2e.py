"""Leads end to end: filter the table (platform + search), drag a card on the board, and a second
browser sees the move live; after a reload the card is still in its new column."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import login, new_page
from tests.factories import add_member, make_lead, register_owner

pytestmark = pytest.mark.e2e


def _column(page: Any, name: str) -> Any:
    return page.locator(f"[data-testid=kanban-column][aria-label='{name}']")


def test_filter_table_drag_card_and_see_it_live(app_url: str, browser: Any) -> None:
    from playwright.sync_api import expect

    owner = register_owner("vera@example.com", workspace="Vera Vendas")
    manager = add_member(owner, "manager", "wagner@example.com")
    make_lead(owner, platform="instagram", username="ana.souza", full_name="Ana Souza", company="Padaria Sol")
    make_lead(owner, platform="linkedin", username="bruno-lima", full_name="Bruno Lima")
    make_lead(owner, platform="instagram", username="carla.dias", full_name="Carla Dias")

    ctx_a, page_a = new_page(browser, width=1440, height=900)
    ctx_b, page_b = new_page(browser, width=1440, height=900)
    try:
        login(page_a, app_url, owner.email)
        page_a.goto(f"{app_url}/leads")
        rows = page_a.locator("[data-testid=lead-row]")
        expect(rows).to_have_count(3)

        # Platform filter (server side), then search-as-you-type within it.
        page_a.click("#filter-platform")
        page_a.locator("label[data-platform=instagram]").click()
        expect(rows).to_have_count(2)
        expect(page_a.locator("#leads-table")).not_to_contain_text("Bruno Lima")
        page_a.keyboard.press("Escape")
        page_a.fill("#leads-search", "carla")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("Carla Dias")

        # Board: drag Ana from "New" to "Contacted"; the second browser sees it without reloading.
        login(page_b, app_url, manager.email)
        page_b.goto(f"{app_url}/kanban")
        expect(_column(page_b, "New").locator("[data-testid=kanban-card]")).to_have_count(3)

        page_a.goto(f"{app_url}/kanban")
        card = _column(page_a, "New").locator("[data-testid=kanban-card]", has_text="Ana Souza")
        expect(card).to_be_visible()
        card.drag_to(_column(page_a, "Contacted"))
        expect(_column(page_a, "Contacted")).to_contain_text("Ana Souza")
        expect(_column(page_a, "New")).not_to_contain_text("Ana Souza")

        expect(_column(page_b, "Contacted")).to_contain_text("Ana Souza")
        expect(_column(page_b, "New").locator("[data-testid=kanban-card]")).to_have_count(2)
        expect(_column(page_b, "Contacted").locator("[data-testid=column-count]")).to_have_text("1")

        page_a.reload()
        expect(_column(page_a, "Contacted")).to_contain_text("Ana Souza")
        expect(_column(page_a, "New")).not_to_contain_text("Ana Souza")
    finally:
        ctx_a.close()
        ctx_b.close()

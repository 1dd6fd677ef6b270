"""A browser whose websocket drops resyncs when it comes back (fault injection in real Chromium).

Every websocket of the page goes through Playwright's `route_web_socket`, so the test can cut the
connection (the page sees a transport close) and refuse reconnections for a while. During the outage a
lead is created and another renamed; the page cannot hear about it. When connections are allowed
again, Reflex reconnects and rehydrates, the linked leads version differs and the table reloads: the
changes made meanwhile show, nothing appears twice, and live updates keep flowing afterwards.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from snapleads_app.core.db import unit_of_work
from snapleads_app.domain.leads import service as leads
from snapleads_app.domain.leads.models import LeadUpdate
from tests.e2e.conftest import login, new_page
from tests.factories import make_lead, register_owner

pytestmark = pytest.mark.e2e


class SocketSwitch:
    """Every websocket of the page goes through Playwright's `route_web_socket`. `cut()` closes the live
    ones (the page sees its transport close) and holds new ones unconnected, as a dead network would;
    `restore()` connects the held attempts to the server."""

    def __init__(self) -> None:
        self.up = True
        self.routes: list[Any] = []
        self.held: list[Any] = []

    def handle(self, route: Any) -> None:
        if self.up:
            route.connect_to_server()
            self.routes.append(route)
        else:
            self.held.append(route)

    def cut(self) -> None:
        self.up = False
        for route in self.routes:
            route.close(code=1011, reason="test outage")

    def restore(self) -> None:
        self.up = True
        held, self.held = self.held, []
        for route in held:
            route.connect_to_server()
            self.routes.append(route)


def test_a_dropped_websocket_resyncs_with_the_changes_made_meanwhile(app_url: str, browser: Any) -> None:
    from playwright.sync_api import expect

    owner = register_owner("rosa@example.com", workspace="Rosa Resync")
    ana = make_lead(owner, platform="instagram", username="ana.resync", full_name="Ana Antes")
    make_lead(owner, platform="linkedin", username="bia-resync", full_name="Bia Estavel")

    context, page = new_page(browser)
    switch = SocketSwitch()
    page.route_web_socket(re.compile(r".*/_event/.*"), switch.handle)
    try:
        login(page, app_url, owner.email)
        page.goto(f"{app_url}/leads")
        rows = page.locator("[data-testid=lead-row]")
        expect(rows).to_have_count(2)
        assert switch.routes, "the page's websocket must go through the switch"

        switch.cut()
        # Changes while the browser is offline: a new lead and a rename.
        make_lead(owner, platform="instagram", username="caio.novo", full_name="Caio Novo")
        with unit_of_work() as session:
            leads.update_lead(
                session=session, ctx=owner.ctx, lead_id=ana.id, data=LeadUpdate(full_name="Ana Depois")
            )
        page.wait_for_timeout(2000)  # the page would have updated by now if its socket were alive
        expect(rows).to_have_count(2)
        expect(page.locator("#leads-table")).not_to_contain_text("Caio Novo")

        assert switch.held, "the page must be trying to reconnect"
        switch.restore()
        expect(rows).to_have_count(3)
        table = page.locator("#leads-table")
        expect(table).to_contain_text("Caio Novo")
        expect(table).to_contain_text("Ana Depois")
        expect(table).not_to_contain_text("Ana Antes")
        expect(rows.filter(has_text="Caio Novo")).to_have_count(1)

        # The live path works again after the reconnection, still without doubles.
        make_lead(owner, platform="linkedin", username="duda-live", full_name="Duda Live")
        expect(rows).to_have_count(4)
        expect(rows.filter(has_text="Duda Live")).to_have_count(1)
        expect(rows.filter(has_text="Caio Novo")).to_have_count(1)
    finally:
        context.close()

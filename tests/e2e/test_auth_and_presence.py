"""The web UI end to end: register, HttpOnly session, logout/login, live presence between two users."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from tests.e2e.conftest import login, new_page
from tests.factories import PASSWORD, add_member, register_owner

pytestmark = pytest.mark.e2e


def test_register_logout_login_with_httponly_session(app_url: str, browser: Any) -> None:
    from playwright.sync_api import expect

    context, page = new_page(browser)
    try:
        page.goto(f"{app_url}/register")
        page.fill("#full_name", "Renata Souza")
        page.fill("#email", "renata@example.com")
        page.fill("#password", PASSWORD)
        page.fill("#workspace_name", "Souza Vendas")
        page.click("#register-submit")
        page.wait_for_url(re.compile(rf"^{re.escape(app_url)}/?$"))
        expect(page.locator("#welcome")).to_have_text("Welcome, Renata Souza!")
        expect(page.locator("#workspace-name")).to_have_text("Souza Vendas")

        # (b) the session cookie exists but JavaScript cannot read it.
        cookies = {c["name"]: c for c in context.cookies()}
        assert cookies["sl_session"]["httpOnly"] is True
        assert cookies["sl_session"]["sameSite"] == "Lax"
        assert "sl_session" not in page.evaluate("document.cookie")

        page.click("#user-menu")
        page.click("#logout")
        page.wait_for_url(re.compile(r"/login/?$"))
        assert "sl_session" not in {c["name"] for c in context.cookies()}

        # A data page without a session sends the browser back to the login.
        page.goto(f"{app_url}/settings/members")
        page.wait_for_url(re.compile(r"/login"))

        login(page, app_url, "renata@example.com")
        expect(page.locator("#welcome")).to_have_text("Welcome, Renata Souza!")
    finally:
        context.close()


def test_wrong_password_shows_a_translated_error(app_url: str, browser: Any) -> None:
    from playwright.sync_api import expect

    register_owner("tiago@example.com")
    context, page = new_page(browser)
    try:
        page.goto(f"{app_url}/login")
        page.fill("#email", "tiago@example.com")
        page.fill("#password", "Wrong1234")
        page.click("#login-submit")
        expect(page.locator("#form-error")).to_contain_text("Wrong e-mail or password.")
    finally:
        context.close()


def test_two_members_see_each_other_online(app_url: str, browser: Any) -> None:
    from playwright.sync_api import expect

    owner = register_owner("olga@example.com", workspace="Presence Co")
    agent = add_member(owner, "agent", "pedro@example.com")
    ctx_a, page_a = new_page(browser)
    ctx_b, page_b = new_page(browser)
    try:
        login(page_a, app_url, owner.email)
        login(page_b, app_url, agent.email)
        online_a = page_a.locator("#online-now [data-testid=presence-user]")
        online_b = page_b.locator("#online-now [data-testid=presence-user]")
        expect(online_a).to_have_count(2)
        expect(online_b).to_have_count(2)
        expect(page_a.locator("#online-now")).to_contain_text("Agent")

        started = time.monotonic()
        ctx_b.close()
        expect(online_a).to_have_count(1, timeout=15_000)  # within the presence TTL
        assert time.monotonic() - started < 15
        expect(page_a.locator("#online-now")).not_to_contain_text("Agent")
    finally:
        ctx_a.close()
        if ctx_b.pages:
            ctx_b.close()

"""Forgot password in the browser: ask for a link, read the e-mail the app really sent (a local SMTP
server), open the link, choose a new password, sign in with it."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from tests.e2e.conftest import new_page
from tests.factories import register_owner
from tests.smtp_inbox import Inbox, smtp_inbox_fixture  # noqa: F401 - the smtp_inbox fixture

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "Outra-Senha-2026"


def _wait_for_mail(inbox: Inbox, address: str, timeout: float = 15.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = inbox.to(address)
        if found:
            return found[-1]
        time.sleep(0.1)
    raise AssertionError(f"no e-mail for {address} within {timeout}s")


def test_forgot_password_email_link_new_password_login(app_url: str, browser: Any, smtp_inbox: Inbox) -> None:
    from playwright.sync_api import expect

    register_owner("helena@example.com")
    context, page = new_page(browser)
    try:
        page.goto(f"{app_url}/login")
        page.click("#forgot-link")
        page.wait_for_url(re.compile(r"/forgot-password/?$"))
        page.fill("#email", "helena@example.com")
        page.click("#forgot-submit")
        expect(page.locator("#reset-sent")).to_contain_text("helena@example.com")

        mail = _wait_for_mail(smtp_inbox, "helena@example.com")
        link = mail.link("/reset-password?token=")
        assert link.startswith(f"{app_url}/reset-password?token=")

        page.goto(link)
        expect(page.get_by_text("helena@example.com")).to_be_visible()
        page.fill("#password", NEW_PASSWORD)
        page.click("#reset-submit")
        expect(page.locator("#reset-done")).to_be_visible()

        page.click("#reset-login")
        page.wait_for_url(re.compile(r"/login/?$"))
        page.fill("#email", "helena@example.com")
        page.fill("#password", NEW_PASSWORD)
        page.click("#login-submit")
        page.wait_for_url(re.compile(rf"^{re.escape(app_url)}/?$"))
        expect(page.locator("#welcome")).to_contain_text("Olivia Owner")

        # The link was single use: opening it again says so.
        page.goto(link)
        expect(page.get_by_text(re.compile("invalid, expired|inválido, expirou"))).to_be_visible()
    finally:
        context.close()

"""/templates end to end: write a template with a fallback and a custom variable, watch the live preview
for a chosen lead (and the missing-value warning), save, edit, and pick it in the inbox composer."""

from __future__ import annotations

from typing import Any

import pytest

from snapleads_app.core.db import unit_of_work
from snapleads_app.domain.inbox import service as inbox
from snapleads_app.domain.inbox.models import InboundIn
from snapleads_app.domain.templates import service as templates
from tests.e2e.conftest import TIMEOUT, login, new_page
from tests.factories import make_lead, register_owner

pytestmark = pytest.mark.e2e

BODY = "Oi {{first_name|there}}, seu plano {{plan}} está ativo."


def _pick(page: Any, trigger: str, option: str) -> None:
    page.click(trigger)
    page.get_by_role("option", name=option, exact=True).click()


def test_template_editor_live_preview_save_edit_and_inbox_picker(app_url: str, browser: Any) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT)  # live updates on a busy 2-core machine: more than 5 s

    owner = register_owner("tereza@example.com", workspace="Tereza Vendas")
    make_lead(owner, full_name="Carla Dias", custom_fields={"plan": "Pro"})
    nameless = make_lead(owner, full_name=None, username="semnome")  # no first name, no plan
    with unit_of_work() as session:
        inbox.receive_inbound(session=session, ctx=owner.ctx, data=InboundIn(lead_id=nameless.id, body="Oi?"))

    context, page = new_page(browser, width=1440, height=900)
    try:
        login(page, app_url, owner.email)
        page.goto(f"{app_url}/templates")
        page.click("#template-new")
        page.fill("#template-name", "Boas-vindas")
        page.fill("#template-body", BODY)

        # Live preview for a chosen lead: the custom field fills in, the first name too.
        preview, missing = page.locator("#template-live-preview"), page.locator("#template-missing")
        _pick(page, "#preview-lead", "Carla Dias")
        expect(preview).to_have_text("Oi Carla, seu plano Pro está ativo.")
        expect(missing).to_have_count(0)
        # A lead without a name gets the fallback; without the custom field it is reported, never braces.
        _pick(page, "#preview-lead", "@semnome")
        expect(preview).to_have_text("Oi there, seu plano  está ativo.")
        expect(missing).to_contain_text("plan")

        page.click("#template-save")
        rows = page.locator("[data-testid=template-row]")
        expect(rows).to_have_count(1)
        expect(rows.first.locator("[data-testid=template-name]")).to_have_text("Boas-vindas")

        # Edit: rename and extend the body; the preview follows as it is typed.
        page.fill("#template-name", "Boas-vindas v2")
        page.fill("#template-body", BODY + " Até logo!")
        expect(preview).to_have_text("Oi there, seu plano  está ativo. Até logo!")
        page.click("#template-save")
        expect(rows).to_have_count(1)
        expect(rows.first.locator("[data-testid=template-name]")).to_have_text("Boas-vindas v2")
        with unit_of_work() as session:
            saved = templates.list_templates(session=session, ctx=owner.ctx)
        assert [(t.name, t.body) for t in saved] == [("Boas-vindas v2", BODY + " Até logo!")]

        # The inbox composer's picker offers it, previews it for this lead and warns about the gap.
        page.goto(f"{app_url}/inbox")
        page.locator("[data-testid=conversation-item]", has_text="semnome").click()
        expect(page.locator("#thread [data-testid=message-body]")).to_have_text(["Oi?"])
        _pick(page, "#template-picker", "Boas-vindas v2")
        expect(page.locator("#template-preview")).to_have_text("Oi there, seu plano  está ativo. Até logo!")
        expect(page.locator("#missing-values")).to_contain_text("plan")
        page.click("#use-template")
        expect(page.locator("#composer")).to_have_value("Oi there, seu plano  está ativo. Até logo!")
    finally:
        context.close()

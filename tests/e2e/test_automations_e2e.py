"""Automations in the browser: build "new Instagram lead → tag + assign" in the builder (a nested
condition group, the actions reordered by dragging), import leads (an extension batch through the real
worker), see the tags on the leads and the runs arrive in the log by themselves (realtime)."""

from __future__ import annotations

from typing import Any

import pytest

from snapleads_app.core.db import unit_of_work
from snapleads_app.domain.automations import service as automations
from snapleads_app.domain.imports import service as imports
from snapleads_app.domain.imports.models import BatchImportIn
from snapleads_app.domain.tags import service as tags
from snapleads_app.domain.tags.models import TagIn
from tests.e2e.conftest import login, new_page
from tests.factories import add_member, register_owner

pytestmark = pytest.mark.e2e


def _pick(page: Any, trigger: Any, option: str) -> None:
    trigger.click()
    page.get_by_role("option", name=option, exact=True).click()


def test_build_automation_import_and_see_tags_and_run_log(app_url: str, browser: Any) -> None:
    from playwright.sync_api import expect

    owner = register_owner("alice.auto@example.com", workspace="Auto Vendas")
    agent = add_member(owner, "agent", "bia.auto@example.com")
    with unit_of_work() as session:
        tags.create_tag(session=session, ctx=owner.ctx, data=TagIn(name="Veio do Insta"))

    context, page = new_page(browser, locale="pt-BR", height=1000)
    try:
        login(page, app_url, owner.email)
        page.goto(f"{app_url}/automations")
        expect(page.get_by_text("Nenhuma automação ainda")).to_be_visible()
        page.click("#new-automation")
        page.fill("#automation-name", "Novo lead do Instagram")
        _pick(page, page.locator("#automation-platform"), "Instagram")
        # Saving with an incomplete action shows the problem on its row and saves nothing.
        page.click("#save-automation")
        expect(page.locator("[data-testid=action-row] [role=alert]")).to_be_visible()
        expect(page.locator("[data-testid=automation-row]")).to_have_count(0)
        actions = page.locator("[data-testid=action-row]")
        _pick(page, actions.nth(0).locator("#action-param"), "Veio do Insta")
        page.click("#add-action")
        _pick(page, actions.nth(1).locator("#action-type"), "Atribuir a")
        _pick(page, actions.nth(1).locator("#action-param"), "Agent")
        # Drag "assign" above "tag" by its handle: the order shown, saved and run is the new one.
        actions.nth(1).locator("[data-sort-handle]").drag_to(
            actions.nth(0), target_position={"x": 40, "y": 4}
        )
        expect(actions.nth(0).locator("#action-type")).to_contain_text("Atribuir a")
        expect(actions.nth(1).locator("#action-type")).to_contain_text("Adicionar tag")
        # A nested group: ALL of [ ANY of [platform = Instagram, followers > 1,000,000] ].
        page.locator("[data-testid=condition-group][data-path=''] [data-testid=add-group]").click()
        group = page.locator("[data-testid=condition-group][data-path='0']")
        expect(group).to_be_visible()
        group.get_by_role("radio", name="Qualquer uma").click()
        _pick(
            page, page.locator("[data-testid=condition-row][data-path='0.0'] #condition-value"), "Instagram"
        )
        group.locator("[data-testid=add-condition]").click()
        nested = page.locator("[data-testid=condition-row][data-path='0.1']")
        _pick(page, nested.locator("#condition-field"), "Seguidores")
        _pick(page, nested.locator("#condition-operator"), "maior que")
        nested.get_by_role("textbox").fill("1000000")
        page.click("#save-automation")
        row = page.locator("[data-testid=automation-row]")
        expect(row).to_have_count(1)
        expect(row).to_contain_text("Novo lead do Instagram")
        expect(row).to_contain_text("Lead criado")
        with unit_of_work() as session:
            [saved] = automations.list_automations(session=session, ctx=owner.ctx)
        assert [a["type"] for a in saved.actions] == ["assign", "add_tag"]
        assert saved.conditions == {"op": "and", "items": [{"op": "or", "items": [
            {"field": "platform", "operator": "equals", "value": "instagram"},
            {"field": "followers", "operator": "gt", "value": 1000000},
        ]}]}  # fmt: skip

        # Leads arrive through an extension batch: the import and the automation run in the worker.
        batch = [
            {"platform": "instagram", "username": f"insta.{i}", "full_name": f"Insta {i}"} for i in range(3)
        ]
        batch.append({"platform": "linkedin", "profile_url": "https://www.linkedin.com/in/outra-pessoa"})
        with unit_of_work() as session:
            imports.create_batch_job(
                session=session,
                ctx=owner.ctx,
                data=BatchImportIn.model_validate({"leads": batch, "source": "extension"}),
            )

        # No reload, no refresh click: the runs arrive through the realtime relay.
        runs = page.locator("[data-testid=run-row]")
        expect(runs).to_have_count(3, timeout=90_000)  # the worker shares 2 busy cores with the app
        expect(runs.filter(has_text="Sucesso")).to_have_count(3, timeout=30_000)
        expect(runs.first).to_contain_text("Sucesso")
        expect(row.locator("[data-testid=automation-stats]")).to_contain_text("3")
        runs.first.get_by_role("button", name="Detalhes").click()
        steps = page.locator("[data-testid=run-step]")
        expect(steps).to_have_count(2)
        expect(steps.nth(0)).to_contain_text("Atribuir a")
        expect(steps.nth(1)).to_contain_text("Adicionar tag")

        page.goto(f"{app_url}/leads")
        insta = page.locator("tr", has_text="Insta 1")
        expect(insta).to_contain_text("Veio do Insta")
        expect(page.locator("tr", has_text="outra-pessoa")).not_to_contain_text("Veio do Insta")
    finally:
        context.close()
    assert agent.user_id

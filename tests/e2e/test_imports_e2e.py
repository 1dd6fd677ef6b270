"""Import wizard end to end: upload a pt-BR CSV, check the detected format and the mapping, start, watch
the live progress reach 100 % with the exact counts, and find the job in the history."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import login, new_page
from tests.factories import make_lead, register_owner

pytestmark = pytest.mark.e2e

# ";" separated, Windows-1252 (an Excel export): Ana twice (in-file duplicate), Bruno's e-mail is invalid,
# Carla already exists in the workspace (duplicate against the database, skipped).
CSV_PT = (
    "Nome completo;E-mail;Telefone;Empresa;Instagram\n"
    "Ana Souza;ana@exemplo.com.br;(11) 98765-4321;Padaria São Jorge;@ana.souza\n"
    "Bruno Lima;bruno@@exemplo;(21) 99876-5432;Lima & Cia;@bruno.lima\n"
    "Carla Dias;carla@exemplo.com;11 3456-7890;Açaí Bom;@carla.dias\n"
    "Ana Souza;ana@exemplo.com.br;(11) 98765-4321;Padaria São Jorge;@ana.souza\n"
    "Diego Alves;diego@exemplo.com;;Oficina Dez;@diego.alves\n"
)


def test_upload_map_import_and_see_live_progress(app_url: str, browser: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    owner = register_owner("ivo@example.com", workspace="Ivo Vendas")
    make_lead(owner, platform="instagram", username="carla.dias", full_name="Carla Dias")
    csv_file = tmp_path / "clientes.csv"
    csv_file.write_bytes(CSV_PT.encode("cp1252"))

    # The account's language is pt-BR (the default): the page is asserted in Portuguese.
    context, page = new_page(browser, locale="pt-BR", height=900)
    try:
        login(page, app_url, owner.email)
        page.get_by_role("link", name="Importar").first.click()
        page.wait_for_url(f"{app_url}/imports")
        expect(page.locator("#history-empty")).to_be_visible()

        # Step 1: choose the file (the dropzone's hidden input); upload, then inspection.
        page.locator("#csv-upload input[type=file]").set_input_files(str(csv_file))

        # Step 2: detected format, preview and the proposed mapping.
        expect(page.locator("#file-name")).to_have_text("clientes.csv")
        expect(page.locator("#detected-separator")).to_have_text("Ponto e vírgula (;)")
        expect(page.locator("#detected-rows")).to_have_text("5")
        expect(page.locator("#preview-table")).to_contain_text("Açaí Bom")
        rows = page.locator("[data-testid=mapping-row]")
        expect(rows).to_have_count(5)

        def target(header: str) -> Any:
            return page.locator(f"[data-testid=mapping-row][data-header='{header}'] button[role=combobox]")

        expect(target("E-mail")).to_have_text("E-mail")
        expect(target("Nome completo")).to_have_text("Nome completo")
        expect(target("Empresa")).to_have_text("Empresa")
        expect(page.locator("[data-testid=mapping-row][data-header='Instagram']")).to_contain_text(
            "bruno.lima"
        )
        # Fix one target by keyboard: the phone is not wanted.
        phone = target("Telefone")
        expect(phone).to_have_text("Telefone")
        phone.focus()
        page.keyboard.press("Enter")
        page.get_by_role("option", name="Não importar").click()
        expect(phone).to_have_text("Não importar")
        page.fill("#import-tags", "Feira 2025")

        # Step 3: start; progress reaches 100 % live, then the result screen with exact counts.
        page.click("#start-import")
        expect(page.locator("#import-result")).to_be_visible()
        expect(page.locator("#result-title")).to_have_text("Importação concluída")
        expect(page.locator("#progress-pct")).to_have_text("100%")
        expect(page.locator("#count-created")).to_have_text("2")  # Ana, Diego
        expect(page.locator("#count-updated")).to_have_text("0")
        expect(page.locator("#count-duplicates")).to_have_text("2")  # Ana again, Carla
        expect(page.locator("#count-errors")).to_have_text("1")  # Bruno

        # Rejected rows: a CSV naming the row and the column.
        with page.expect_download() as download_info:
            page.click("#download-rejected")
        rejected = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
        assert "bruno@@exemplo" in rejected and "E-mail: invalid e-mail" in rejected

        # History: the job with its counts and who ran it (also after coming back to the page).
        history = page.locator("[data-testid=history-row]")
        expect(history).to_have_count(1)
        expect(history.first).to_contain_text("clientes.csv")
        expect(history.first).to_contain_text("Concluída")
        expect(history.first).to_contain_text("Olivia Owner")
        page.goto(f"{app_url}/leads")
        expect(page.locator("[data-testid=lead-row]")).to_have_count(3)
        page.goto(f"{app_url}/imports")
        expect(page.locator("[data-testid=history-row]")).to_have_count(1)
        expect(page.locator("#import-result")).to_be_visible()  # the tab's last result is still shown
        page.click("#import-another")
        expect(page.locator("#csv-upload")).to_be_visible()
    finally:
        context.close()

"""CSV imports end to end on the real database: the whole awkward corpus, then specific files in detail."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from snapleads_app.core.db import unit_of_work
from snapleads_app.domain.imports import runner
from snapleads_app.domain.imports import service as imports
from snapleads_app.domain.imports.models import ImportOptions
from snapleads_app.domain.leads import service as leads
from snapleads_app.domain.leads.models import LeadFilter
from tests.factories import register_owner

CORPUS = Path(__file__).resolve().parents[1] / "data" / "csv"
EXPECTED = json.loads((CORPUS / "expected.json").read_text())


def _import(member, name: str, tmp_path: Path, **options):
    copy = tmp_path / name
    shutil.copy(CORPUS / name, copy)
    inspection = imports.inspect_csv(copy)
    with unit_of_work() as session:
        job = imports.create_csv_job(
            session=session,
            ctx=member.ctx,
            upload=copy,
            file_name=name,
            options=ImportOptions(**options),
            mapping=inspection.mapping,
            layout=inspection.layout,
            total=inspection.estimated_rows,
        )
    runner.run(job.id, chunk_rows=2)
    with unit_of_work() as session:
        return imports.get_job(session=session, ctx=member.ctx, job_id=job.id)


def _leads(member, **filters):
    with unit_of_work() as session:
        return leads.list_leads(
            session=session, ctx=member.ctx, filters=LeadFilter(**filters), limit=100
        ).data


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_corpus_file_is_read_or_refused_clearly(name, tmp_path):
    expected = EXPECTED[name]
    if expected.get("error"):
        with pytest.raises(imports.ImportFileError) as err:
            imports.inspect_csv(CORPUS / name)
        assert err.value.code == expected["error"]
        return
    owner = register_owner()
    job = _import(owner, name, tmp_path, platform="instagram")
    assert job.status == "completed", job.error
    records = expected["rows"] + len(expected["bad_rows"])  # well-formed rows + malformed ones
    assert job.total == records and job.progress == 100.0
    assert job.created + job.updated + job.duplicates + job.errors == records
    assert job.errors >= len(expected["bad_rows"])
    assert len(_leads(owner)) == job.created


def test_brazilian_excel_export(tmp_path):
    owner = register_owner()
    job = _import(owner, "ptbr_excel_cp1252.csv", tmp_path, platform="other", tags=["Feira"])
    assert (job.created, job.errors) == (2, 1)  # "Zé Ninguém" has no e-mail, phone or profile
    rows = {lead.email: lead for lead in _leads(owner)}
    assert rows["joao@exemplo.com.br"].phone == "+5511987654321"
    assert rows["maria@exemplo.com"].phone == "+551134567890"
    assert rows["joao@exemplo.com.br"].full_name == "João da Silva"
    with unit_of_work() as session:
        rejected = "".join(imports.rejected_rows_csv(session=session, ctx=owner.ctx, job_id=job.id))
    assert "Zé Ninguém" in rejected and "needs a profile URL, username, e-mail or phone" in rejected
    assert (
        rejected.splitlines()[0]
        == "\ufeffrow,Nome,E-mail,Telefone,Empresa,Seguidores,Data de cadastro,Ticket médio,error"
    )
    assert all(lead.tag_ids for lead in rows.values())
    assert any(lead.company == "Padaria São Jorge – Matriz" for lead in rows.values())
    assert any(lead.custom_fields.get("ticket_medio") == "1.234,56" for lead in rows.values())


def test_instagram_export_counts_and_flags(tmp_path):
    owner = register_owner()
    _import(owner, "instagram_export.csv", tmp_path)
    by_name = {lead.username: lead for lead in _leads(owner)}
    assert by_name["ana.silva"].followers == 12500 and by_name["ana.silva"].verified is True
    assert by_name["beto_fit"].followers == 1200 and by_name["beto_fit"].verified is False
    assert by_name["ana.silva"].platform == "instagram" and by_name["ana.silva"].source == "csv"


def test_duplicates_within_the_file_and_reimport(tmp_path):
    owner = register_owner()
    first = _import(owner, "duplicate_rows.csv", tmp_path, platform="other")
    assert (first.created, first.duplicates) == (1, 2)
    again = _import(owner, "duplicate_rows.csv", tmp_path, platform="other")
    assert (again.created, again.duplicates) == (0, 3)  # the same file twice never duplicates
    assert len(_leads(owner)) == 1


def test_rejected_rows_name_the_row_and_column_and_are_formula_safe(tmp_path):
    owner = register_owner()
    job = _import(owner, "ragged_rows.csv", tmp_path, platform="instagram")
    assert job.errors >= 2
    with unit_of_work() as session:
        text = "".join(imports.rejected_rows_csv(session=session, ctx=owner.ctx, job_id=job.id))
    assert text.startswith("\ufeffrow,")
    assert "wrong number of columns" in text


def test_a_file_that_vanished_fails_the_job_with_a_reason(tmp_path):
    owner = register_owner()
    copy = tmp_path / "x.csv"
    shutil.copy(CORPUS / "utf8_bom.csv", copy)
    inspection = imports.inspect_csv(copy)
    with unit_of_work() as session:
        job = imports.create_csv_job(
            session=session,
            ctx=owner.ctx,
            upload=copy,
            file_name="x.csv",
            options=ImportOptions(),
            mapping=inspection.mapping,
            layout=inspection.layout,
            total=2,
        )
    Path(imports.UPLOAD_DIR / f"job-{job.id}.csv").unlink()
    runner.run(job.id)
    with unit_of_work() as session:
        failed = imports.get_job(session=session, ctx=owner.ctx, job_id=job.id)
    assert failed.status == "failed" and failed.error


def test_mapping_is_checked():
    from snapleads_app.core.errors import InvalidInput

    with pytest.raises(InvalidInput) as twice:
        imports.check_mapping({"Nome": "full_name", "Outro": "full_name"}, ["Nome", "Outro"])
    assert (
        twice.value.errors["mapping.Outro"] == "duplicate_target" and "mapping.Nome" not in twice.value.errors
    )
    assert "Outro" in twice.value.errors["mapping"]  # the summary stays for older clients
    with pytest.raises(InvalidInput) as ghost:
        imports.check_mapping({"Ghost": "email"}, ["Nome"])
    assert ghost.value.errors["mapping.Ghost"] == "unknown_column"
    imports.check_mapping({"Nome": "full_name", "Email": "email"}, ["Nome", "Email"])

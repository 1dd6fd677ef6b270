"""Big lead exports run as a job: file written by the worker's service, progress, a secret download link;
small ones stay synchronous; the requester's visibility and role apply."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlmodel import select

from snapleads_app.core.db import unit_of_work
from snapleads_app.core.errors import NotFound, PermissionDenied
from snapleads_app.domain.accounts.models import Membership
from snapleads_app.domain.exports import service as exports
from snapleads_app.domain.exports.models import ExportJob
from snapleads_app.domain.leads.models import LeadFilter
from tests.factories import add_member, make_lead, register_owner


@pytest.fixture
def small_limit(monkeypatch):
    monkeypatch.setattr(exports, "SYNC_LIMIT", 1)
    monkeypatch.setattr(exports, "BATCH_ROWS", 2)


def _plan(member, **filters):
    with unit_of_work() as session:
        return exports.plan_export(session=session, ctx=member.ctx, filters=LeadFilter(**filters))


def _rows(path):
    text = path.read_text(encoding="utf-8")
    assert text.startswith("\ufeff")  # Excel reads UTF-8 with a BOM
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_small_exports_stay_synchronous_big_ones_become_a_job_with_a_download_link(small_limit, jobs):
    owner = register_owner()
    other = register_owner()
    make_lead(owner, full_name="=HYPERLINK(1)")
    assert _plan(owner) is None  # 1 lead ≤ the limit: streamed in the response
    make_lead(owner, full_name="Bia")
    make_lead(owner, full_name="Caio", platform="linkedin")
    job = _plan(owner)
    assert job is not None and job.status == "queued" and job.total == 3 and job.download_url is None
    assert [j for j in jobs if j[0] == "exports.run"] == [("exports.run", {"job_id": job.id})]
    exports.run(job.id)
    with unit_of_work() as session:
        done = exports.get_export(session=session, ctx=owner.ctx, job_id=job.id)
        assert done.status == "completed" and done.progress == 100.0 and done.processed == 3
        assert done.download_url is not None
        token = done.download_url.split("token=", 1)[1]
        path, filename = exports.download_file(session=session, job_id=job.id, token=token)
        with pytest.raises(NotFound):
            exports.download_file(session=session, job_id=job.id, token=token[:-1] + "x")
        with pytest.raises(NotFound):  # another workspace's export: 404
            exports.get_export(session=session, ctx=other.ctx, job_id=job.id)
    rows = _rows(path)
    assert sorted(r["full_name"] for r in rows) == ["'=HYPERLINK(1)", "Bia", "Caio"]  # formula escaped
    assert filename.endswith(".csv")
    exports.run(job.id)  # a duplicate message after completion does nothing
    assert len(_rows(path)) == 3


def test_the_requesters_visibility_and_current_role_apply(small_limit, jobs):
    owner = register_owner()
    manager = add_member(owner, "manager")
    viewer = add_member(owner, "viewer")
    for name in ("Ana", "Bia", "Caio"):
        make_lead(owner, full_name=name, status="qualified" if name != "Ana" else "new")
    with pytest.raises(PermissionDenied):
        _plan(viewer)
    job = _plan(manager, status=["qualified"])
    assert job is not None and job.total == 2
    with unit_of_work() as session:  # another member cannot see or poll it
        with pytest.raises(NotFound):
            exports.get_export(session=session, ctx=owner.ctx, job_id=job.id)
        membership = session.exec(select(Membership).where(Membership.user_id == manager.user_id)).one()
        membership.role = "viewer"  # demoted before the worker ran
    exports.run(job.id)
    with unit_of_work() as session:
        failed = session.get(ExportJob, job.id)
        assert failed is not None and failed.status == "failed" and failed.file_path is None
    # Restored: a new export of the filter holds only the filtered leads.
    with unit_of_work() as session:
        membership = session.exec(select(Membership).where(Membership.user_id == manager.user_id)).one()
        membership.role = "manager"
    again = _plan(manager, status=["qualified"])
    assert again is not None
    exports.run(again.id)
    with unit_of_work() as session:
        written = session.get(ExportJob, again.id)
        path = written.file_path if written else None
    assert path is not None
    assert sorted(r["full_name"] for r in _rows(Path(path))) == ["Bia", "Caio"]

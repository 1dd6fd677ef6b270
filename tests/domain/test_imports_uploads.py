"""Upload housekeeping: `incoming-*` files no import job took over are deleted after a day."""

from __future__ import annotations

import io
import os
import time

from snapleads_app.domain.imports import service as imports


def _file(name: str, age_hours: float) -> os.PathLike[str]:
    imports.UPLOAD_DIR.mkdir(parents=True, exist_ok=True)
    path = imports.UPLOAD_DIR / name
    path.write_text("a,b\n1,2\n")
    stamp = time.time() - age_hours * 3600
    os.utime(path, (stamp, stamp))
    return path


def test_abandoned_uploads_older_than_a_day_are_purged_and_job_files_are_kept():
    old = _file("incoming-old-test.csv", 25)
    fresh = _file("incoming-fresh-test.csv", 23)
    job_file = _file("job-999999.csv", 72)
    removed = imports.purge_abandoned_uploads()
    assert removed >= 1
    assert not os.path.exists(old)
    assert os.path.exists(fresh) and os.path.exists(job_file)
    # A day later the fresh one goes too.
    assert imports.purge_abandoned_uploads(now=time.time() + 2 * 3600) >= 1
    assert not os.path.exists(fresh) and os.path.exists(job_file)
    os.remove(job_file)


def test_a_new_upload_sweeps_old_ones_at_most_once_an_hour(monkeypatch):
    monkeypatch.setattr(imports, "_last_purge", {})
    first_old = _file("incoming-first-test.csv", 30)
    stored = imports.store_upload(io.BytesIO(b"x,y\n1,2\n"))
    assert stored.name.startswith("incoming-") and stored.read_bytes() == b"x,y\n1,2\n"
    assert not os.path.exists(first_old)
    second_old = _file("incoming-second-test.csv", 30)
    imports.store_upload(io.BytesIO(b"x\n1\n")).unlink()
    assert os.path.exists(second_old)  # swept an instant ago: not again within the hour
    monkeypatch.setattr(imports, "_last_purge", {"at": time.monotonic() - 2 * 3600})
    imports.store_upload(io.BytesIO(b"x\n1\n")).unlink()
    assert not os.path.exists(second_old)
    stored.unlink()

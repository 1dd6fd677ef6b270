"""`make extension` builds zips that Chromium loads as they are: the unpacked one keeps the pinned id
(the CRM's CORS origin); the Web Store one has no `key` (the store refuses it)."""

from __future__ import annotations

import importlib.util
import json
import tempfile
import zipfile
from pathlib import Path

import pytest

from tests.extension.conftest import CHROMIUM, EXTENSION_DIR, EXTENSION_ID, launch

pytestmark = pytest.mark.e2e


def _build() -> list[Path]:
    spec = importlib.util.spec_from_file_location("extension_build", EXTENSION_DIR / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build()


def test_built_zip_loads_unpacked_with_the_pinned_id(tmp_path: Path) -> None:
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed")
    built, store = _build()
    with zipfile.ZipFile(store) as archive:
        assert "key" not in json.loads(archive.read("manifest.json"))
        assert not [n for n in archive.namelist() if n.startswith(("test/", "node_modules/"))]
    unpacked = Path(tempfile.mkdtemp(prefix="snapleads-unpacked-"))
    with zipfile.ZipFile(built) as archive:
        archive.extractall(unpacked)

    ext = launch(tempfile.mkdtemp(prefix="snapleads-zip-"), {}, extension_dir=unpacked)
    try:
        assert ext.worker.url == f"chrome-extension://{EXTENSION_ID}/src/background/service_worker.js"
        popup = ext.open("src/popup/popup.html")
        assert popup.locator("#login-submit").is_visible()
    finally:
        ext.context.close()

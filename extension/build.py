"""Build the extension's zips into dist/extension/ (git-ignored): `make extension`.

- snapleads-extension-<version>.zip: ready for "Load unpacked" (unzip, then chrome://extensions →
  Developer mode → Load unpacked) — keeps the manifest `key`, so the id (and the CRM's CORS origin) is
  the pinned one.
- snapleads-extension-<version>-webstore.zip: for the Chrome Web Store, which assigns its own key and
  refuses a `key` field in uploads.

Only runtime files go in (manifest, _locales, icons, src): no tests, fixtures or node_modules.
"""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "dist" / "extension"
RUNTIME = ("_locales", "icons", "src")


def _files() -> list[Path]:
    files = [p for folder in RUNTIME for p in sorted((HERE / folder).rglob("*")) if p.is_file()]
    return [p for p in files if p.name != ".DS_Store"]


def _zip(path: Path, manifest: dict[str, object]) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
        for file in _files():
            archive.write(file, file.relative_to(HERE).as_posix())


def build() -> list[Path]:
    manifest = json.loads((HERE / "manifest.json").read_text(encoding="utf-8"))
    for script in [s for cs in manifest["content_scripts"] for s in cs["js"]] + [
        manifest["background"]["service_worker"]
    ]:
        if not (HERE / script).is_file():
            raise SystemExit(f"manifest names a missing file: {script}")
    OUT.mkdir(parents=True, exist_ok=True)
    version = manifest["version"]
    unpacked = OUT / f"snapleads-extension-{version}.zip"
    store = OUT / f"snapleads-extension-{version}-webstore.zip"
    _zip(unpacked, manifest)
    _zip(store, {k: v for k, v in manifest.items() if k != "key"})
    return [unpacked, store]


if __name__ == "__main__":
    for built in build():
        print(f"{built.relative_to(HERE.parent)}  {built.stat().st_size // 1024} KB")
    sys.exit(0)

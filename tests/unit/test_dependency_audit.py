"""scripts/audit.sh against advisory services served by the test on 127.0.0.1 (real pip-audit, real npm).

pip-audit queries OSV (`--osv-url` comes from AUDIT_OSV_URL) once per package locked in uv.lock; npm audit
posts to the registry's bulk advisory endpoint (`npm_config_registry`) and reads the packuments of the
flagged packages. Each case runs the real tools as child processes; nothing of theirs is replaced.
The cases do not depend on the database backend, so they run once, in the embedded phase.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parents[1] / "data" / "audit"
NOT_AUDITED = "advisory service unreachable ("

pytestmark = pytest.mark.skipif(
    os.environ.get("SNAPLEADS_TEST_BACKEND", "embedded") == "postgres",
    reason="backend-independent: runs in the embedded phase",
)


class Advisories:
    """What the local service answers: a status for every request, or OSV vulns / npm advisories."""

    def __init__(self) -> None:
        self.status = 200
        self.osv: dict[str, list[dict[str, Any]]] = {}
        self.npm: dict[str, list[dict[str, Any]]] = {}
        self.packuments: dict[str, dict[str, Any]] = {}
        self.queries: list[tuple[str, str]] = []
        self.lock = threading.Lock()


def _handler(adv: Advisories) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
            return

        def _answer(self, status: int, body: object | None = None) -> None:
            raw = b"" if body is None else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if self.headers.get("Content-Encoding") == "gzip":
                raw = gzip.decompress(raw)
            if adv.status != 200:
                return self._answer(adv.status)
            body = json.loads(raw or b"{}")
            if self.path == "/v1/query":  # OSV
                name, version = body["package"]["name"], body["version"]
                with adv.lock:
                    adv.queries.append((name, version))
                vulns = adv.osv.get(name)
                return self._answer(200, {"vulns": vulns} if vulns else {})
            if self.path.endswith("/-/npm/v1/security/advisories/bulk"):
                return self._answer(200, {name: adv.npm[name] for name in body if name in adv.npm})
            return self._answer(404, {"error": "not found"})

        def do_GET(self) -> None:
            name = self.path.strip("/")
            if adv.status != 200 or name not in adv.packuments:
                return self._answer(adv.status if adv.status != 200 else 404, {"error": "not found"})
            return self._answer(200, adv.packuments[name])

    return Handler


@pytest.fixture
def service() -> Iterator[tuple[Advisories, str]]:
    adv = Advisories()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(adv))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield adv, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run(
    args: list[str], env: dict[str, str] | None = None, *, strict: bool = False
) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k != "AUDIT_STRICT"}
    full_env.update(env or {}, AUDIT_PYTHON=sys.executable, AUDIT_TIMEOUT="120")
    if strict:
        full_env["AUDIT_STRICT"] = "1"
    return subprocess.run(  # noqa: S603 - our own script, fixed arguments
        ["/usr/bin/env", "bash", str(ROOT / "scripts" / "audit.sh"), *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def _locked_versions() -> dict[str, str]:
    import tomllib

    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    return {p["name"]: p["version"] for p in lock["package"] if "version" in p and p["name"] != "snapleads"}


def _osv_vuln(name: str, fixed: str | None) -> dict[str, Any]:
    events: list[dict[str, str]] = [{"introduced": "0"}]
    if fixed:
        events.append({"fixed": fixed})
    return {
        "id": f"GHSA-test-{name}",
        "aliases": [f"CVE-2099-{len(name)}"],
        "summary": f"test advisory for {name}",
        "affected": [
            {
                "package": {"name": name, "ecosystem": "PyPI"},
                "ranges": [{"type": "ECOSYSTEM", "events": events}],
            }
        ],
    }


# ---- Python (pip-audit + OSV) -----------------------------------------------------------------------


def test_python_locked_package_with_a_fixed_vulnerability_fails(service: tuple[Advisories, str]) -> None:
    adv, url = service
    adv.osv["jinja2"] = [_osv_vuln("jinja2", "99.0.0")]
    run = _run(["python"], {"AUDIT_OSV_URL": f"{url}/v1/query"})
    assert run.returncode == 1, run.stdout + run.stderr
    # pip-audit names a vulnerability by its CVE alias when it has one
    assert (
        "audit: python VULNERABLE — jinja2 3.1.6: CVE-2099-6, GHSA-test-jinja2 (fixed in 99.0.0)"
        in run.stdout
    )
    assert "audit: python FAILED — 1 known vulnerabilities with a fix in 1 locked packages" in run.stdout


def test_python_clean_lock_passes_and_every_locked_version_was_asked(service: tuple[Advisories, str]) -> None:
    adv, url = service
    adv.osv["jinja2"] = [_osv_vuln("jinja2", None)]  # known, but nothing to upgrade to: reported, not failing
    run = _run(["python"], {"AUDIT_OSV_URL": f"{url}/v1/query"})
    assert run.returncode == 0, run.stdout + run.stderr
    assert "audit: python note — jinja2 3.1.6: CVE-2099-6, GHSA-test-jinja2 (no fixed version" in run.stdout
    locked = _locked_versions()
    asked = dict(adv.queries)
    assert len(adv.queries) == len(asked)  # one query per package
    assert asked == {name: locked[name] for name in asked}  # exactly the locked versions
    assert {"jinja2", "pip-audit", "reflex", "fastapi"} <= set(asked)
    assert f"audit: python ok — {len(asked)} locked packages, no known vulnerability with a fix" in run.stdout
    assert NOT_AUDITED not in run.stdout


def test_python_unreachable_service_is_not_audited_unless_strict() -> None:
    url = f"http://127.0.0.1:{_closed_port()}/v1/query"
    run = _run(["python"], {"AUDIT_OSV_URL": url})
    assert run.returncode == 0, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    assert lines == [
        f"audit: python advisory service unreachable (cannot connect to {url.split('/')[2]}) — not audited"
    ]

    strict = _run(["python"], {"AUDIT_OSV_URL": url}, strict=True)
    assert strict.returncode == 1
    assert strict.stdout.splitlines()[0] == lines[0]


def test_python_service_answering_an_error_is_not_audited(service: tuple[Advisories, str]) -> None:
    adv, url = service
    adv.status = 503
    run = _run(["python"], {"AUDIT_OSV_URL": f"{url}/v1/query"})
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"(HTTP 503 from {url.split('/')[2]}) — not audited" in run.stdout
    assert _run(["python"], {"AUDIT_OSV_URL": f"{url}/v1/query"}, strict=True).returncode == 1


# ---- npm (npm audit against a local registry) -------------------------------------------------------


def _npm_project(tmp_path: Path, version: str = "1.3.0") -> Path:
    project = tmp_path / "proj"
    project.mkdir()
    (project / "package.json").write_text(
        json.dumps(
            {"name": "proj", "version": "1.0.0", "private": True, "dependencies": {"left-pad": version}}
        )
    )
    lock = {
        "name": "proj",
        "version": "1.0.0",
        "lockfileVersion": 3,
        "requires": True,
        "packages": {
            "": {"name": "proj", "version": "1.0.0", "dependencies": {"left-pad": version}},
            "node_modules/left-pad": {
                "version": version,
                "resolved": f"https://registry.npmjs.org/left-pad/-/left-pad-{version}.tgz",
                "integrity": "sha512-" + "A" * 86 + "==",
            },
        },
    }
    (project / "package-lock.json").write_text(json.dumps(lock))
    return project


def _npm_env(tmp_path: Path, registry: str) -> dict[str, str]:
    return {"npm_config_registry": registry, "npm_config_cache": str(tmp_path / "npm-cache")}


needs_npm = pytest.mark.skipif(shutil.which("npm") is None, reason="npm not installed")


@needs_npm
def test_npm_high_advisory_fails_and_is_named(service: tuple[Advisories, str], tmp_path: Path) -> None:
    adv, url = service
    adv.npm["left-pad"] = [
        {
            "id": 9001,
            "url": "https://example.invalid/advisories/9001",
            "title": "test advisory",
            "severity": "high",
            "vulnerable_versions": "<1.4.0",
            "cwe": ["CWE-400"],
            "cvss": {"score": 7.5, "vectorString": None},
        }
    ]
    versions = {v: {"name": "left-pad", "version": v} for v in ("1.3.0", "1.4.0")}
    adv.packuments["left-pad"] = {"name": "left-pad", "dist-tags": {"latest": "1.4.0"}, "versions": versions}
    project = _npm_project(tmp_path)
    run = _run(["npm", str(project)], _npm_env(tmp_path, url + "/"))
    assert run.returncode == 1, run.stdout + run.stderr
    assert f"audit: npm VULNERABLE — {project}/: left-pad (high" in run.stdout
    assert "1 packages with high/critical advisories" in run.stdout


@needs_npm
def test_npm_no_advisory_passes(service: tuple[Advisories, str], tmp_path: Path) -> None:
    _, url = service
    run = _run(["npm", str(_npm_project(tmp_path))], _npm_env(tmp_path, url + "/"))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 production dependencies, no high/critical advisory" in run.stdout


@needs_npm
@pytest.mark.parametrize("status", [405, 500])
def test_npm_advisory_endpoint_error_is_not_audited(
    service: tuple[Advisories, str], tmp_path: Path, status: int
) -> None:
    adv, url = service
    adv.status = status
    project = _npm_project(tmp_path)
    run = _run(["npm", str(project)], _npm_env(tmp_path, url + "/"))
    assert run.returncode == 0, run.stdout + run.stderr
    host = url.split("/")[2]
    assert run.stdout.splitlines() == [
        f"audit: npm advisory service unreachable ({project}/: HTTP {status} from {host}'s advisory endpoint) — not audited"
    ]
    assert _run(["npm", str(project)], _npm_env(tmp_path, url + "/"), strict=True).returncode == 1


@needs_npm
def test_npm_refused_connection_is_not_audited(tmp_path: Path) -> None:
    project = _npm_project(tmp_path)
    run = _run(["npm", str(project)], _npm_env(tmp_path, f"http://127.0.0.1:{_closed_port()}/"))
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.startswith(f"audit: npm advisory service unreachable ({project}/: ")
    assert "ECONNREFUSED" in run.stdout and run.stdout.rstrip().endswith("— not audited")


def test_npm_registry_answer_seen_on_this_machine_is_unreachable() -> None:
    """`npm audit --json` in tools/ here: the registry answers its bulk advisory endpoint with 405."""
    saved = DATA / "npm_audit_405.json"
    classify = [
        sys.executable,
        str(ROOT / "scripts" / "audit_report.py"),
        "classify-npm",
        str(saved),
        "tools/",
    ]
    run = subprocess.run(  # noqa: S603 - this interpreter, our own script
        classify, capture_output=True, text=True, check=False, env=dict(os.environ, AUDIT_STRICT="")
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout == (
        "audit: npm advisory service unreachable (tools/: HTTP 405 from registry.npmjs.org's advisory endpoint)"
        " — not audited\n"
    )
    strict = subprocess.run(  # noqa: S603 - this interpreter, our own script
        classify, capture_output=True, text=True, check=False, env=dict(os.environ, AUDIT_STRICT="1")
    )
    assert strict.returncode == 1


def test_npm_missing_lock_is_a_failure_not_unreachable(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text('{"name": "x", "version": "1.0.0"}')
    run = _run(["npm", str(tmp_path)])
    assert run.returncode == 1
    assert "no package-lock.json" in run.stdout and NOT_AUDITED not in run.stdout

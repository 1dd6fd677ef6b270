"""Extension end-to-end: the unpacked MV3 extension in headless Debian Chromium (Playwright), fake social
pages served on their real hostnames through `context.route()`, and the real REST API (uvicorn in a
thread, with the in-process Dramatiq worker on the embedded default or Redis + a worker thread on
PostgreSQL) behind a tiny proxy that a test can make answer 503 for a while.

Runs in its own pytest process (`python -m pytest tests/extension`). Each test gets a fresh browser
profile, so the extension's storage starts empty.
"""

from __future__ import annotations

import http.client
import os
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXTENSION_DIR = ROOT / "extension"
EXTENSION_ID = "pokhdakblhgafpmbhgfhnjcmckamkmbd"  # pinned by the manifest's `key`
TIMEOUT = 20_000
CHROMIUM = next((p for p in ("/usr/lib/chromium/chromium", "/usr/bin/chromium") if Path(p).exists()), None)
LAUNCH_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    # The capture runs in the social tab while the popup (opened as a tab) is in front.
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
]
# Fast but still jittered pacing for tests (the defaults are 1.2–3.2 s per scroll step).
TEST_PACING = {"minDelayMs": 60, "maxDelayMs": 140, "pauseChance": 0, "idleRounds": 4}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ------------------------------------------------------------------ the CRM API


@pytest.fixture(scope="session")
def api_url(database: str) -> Iterator[str]:
    """The real REST API on a loopback port, jobs run by a worker in this process."""
    import uvicorn

    from api_ext import build_api
    from workers.broker import setup_broker, shutdown_broker

    setup_broker(in_process_worker=True)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(build_api(), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the API did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=5)
    shutdown_broker()


@dataclass
class Proxy:
    """Forwards to the API; `fail_imports(n)` makes the next n import POSTs answer 503 + Retry-After."""

    url: str
    failures_left: int = 0
    retry_after: str = "1"
    import_attempts: list[int] = field(default_factory=list)  # status answered to each import POST

    def fail_imports(self, count: int, retry_after: str = "1") -> None:
        self.failures_left = count
        self.retry_after = retry_after


@pytest.fixture(scope="session")
def proxy(api_url: str) -> Iterator[Proxy]:
    target = api_url.removeprefix("http://")
    port = _free_port()
    state = Proxy(url=f"http://127.0.0.1:{port}")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _forward(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            is_import = self.command == "POST" and self.path.startswith("/api/v1/leads/import")
            if is_import and state.failures_left > 0:
                state.failures_left -= 1
                state.import_attempts.append(503)
                self.send_response(503)
                self.send_header("Retry-After", state.retry_after)
                self.send_header("Content-Type", "application/problem+json")
                payload = b'{"title":"Service Unavailable","status":503}'
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                return
            conn = http.client.HTTPConnection(target, timeout=30)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in {"host", "connection"}}
            conn.request(self.command, self.path, body=body or None, headers=headers)
            upstream = conn.getresponse()
            data = upstream.read()
            if is_import:
                state.import_attempts.append(upstream.status)
            self.send_response(upstream.status)
            for key, value in upstream.getheaders():
                if key.lower() not in {"transfer-encoding", "connection", "content-length"}:
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            conn.close()

        do_GET = do_POST = do_PATCH = do_DELETE = do_OPTIONS = _forward

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()


@pytest.fixture(autouse=True)
def _reset_proxy(request: pytest.FixtureRequest) -> None:
    if "proxy" in request.fixturenames:
        state: Proxy = request.getfixturevalue("proxy")
        state.failures_left = 0
        state.import_attempts.clear()


# ------------------------------------------------------------------ the browser with the extension


@dataclass
class Extension:
    context: Any
    worker: Any
    profile_dir: str
    pages: dict[str, str] = field(default_factory=dict)  # URL (no query) → HTML served for it

    @property
    def base(self) -> str:
        return f"chrome-extension://{EXTENSION_ID}"

    def storage(self, key: str) -> Any:
        return self.worker.evaluate(f"async () => (await chrome.storage.local.get('{key}'))['{key}']")

    def set_storage(self, values: dict[str, Any]) -> None:
        self.worker.evaluate("async (values) => { await chrome.storage.local.set(values); }", values)

    def open(self, path: str) -> Any:
        page = self.context.new_page()
        page.goto(f"{self.base}/{path}")
        page.bring_to_front()
        page.wait_for_selector("body[data-ready='1']")
        return page

    def visit(self, url: str) -> Any:
        page = self.context.new_page()
        page.goto(url)
        return page


def _serve(pages: dict[str, str]) -> Any:
    def handler(route: Any) -> None:
        url = route.request.url.split("?", 1)[0].split("#", 1)[0]
        html = pages.get(url) or pages.get(url.rstrip("/") + "/")
        if route.request.resource_type == "document" and html is not None:
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)
        elif route.request.resource_type == "document":
            route.fulfill(status=404, content_type="text/html", body="<h1>Not found</h1>")
        else:
            route.fulfill(status=204, body="")  # images etc.: nothing leaves the machine

    return handler


def launch(profile_dir: str, pages: dict[str, str], extension_dir: Path = EXTENSION_DIR) -> Extension:
    from playwright.sync_api import sync_playwright

    pw = _playwright_holder.get("pw") or sync_playwright().start()
    _playwright_holder["pw"] = pw
    context = pw.chromium.launch_persistent_context(
        profile_dir,
        executable_path=CHROMIUM,
        headless=False,
        args=[
            *LAUNCH_ARGS,
            f"--disable-extensions-except={extension_dir}",
            f"--load-extension={extension_dir}",
        ],
        viewport={"width": 1200, "height": 800},
    )
    context.set_default_timeout(TIMEOUT)
    for host in (
        "https://www.instagram.com/**",
        "https://www.facebook.com/**",
        "https://www.linkedin.com/**",
    ):
        context.route(host, _serve(pages))
    worker = (
        context.service_workers[0] if context.service_workers else context.wait_for_event("serviceworker")
    )
    assert EXTENSION_ID in worker.url, f"unexpected extension id: {worker.url}"
    return Extension(context=context, worker=worker, profile_dir=profile_dir, pages=pages)


_playwright_holder: dict[str, Any] = {}


@pytest.fixture(scope="session", autouse=True)
def _playwright() -> Iterator[None]:
    yield
    pw = _playwright_holder.pop("pw", None)
    if pw is not None:
        pw.stop()


@pytest.fixture
def extension() -> Iterator[Extension]:
    """A fresh browser profile with the unpacked extension (empty extension storage)."""
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (apt-get install -y chromium)")
    profile = tempfile.mkdtemp(prefix="snapleads-ext-")
    ext = launch(profile, {})
    ext.set_storage({"pacing": TEST_PACING})
    yield ext
    ext.context.close()


os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")

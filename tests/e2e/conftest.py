"""Browser tests: the real app in `reflex.testing.AppHarness` + headless Debian Chromium (Playwright).

Run in their own pytest process (`python -m pytest tests/e2e`): stopping the harness unregisters the
states. tests/conftest.py already points DATABASE_URL at a fresh SQLite file (migrated to head) and
unsets REDIS_URL (in-process bus and presence). Frontend and backend are both reached as `localhost`
so the HttpOnly cookie set by the backend is sent with the websocket; the frontend port is chosen
here so PUBLIC_URL (CORS / websocket origin, REST redirects) is known before the settings load.
"""

from __future__ import annotations

import os
import re
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 20_000  # ms, the default for every Playwright wait in these tests
CHROMIUM = next((p for p in ("/usr/lib/chromium/chromium", "/usr/bin/chromium") if Path(p).exists()), None)
LAUNCH_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


FRONTEND_PORT = _free_port()
os.environ["PUBLIC_URL"] = f"http://localhost:{FRONTEND_PORT}"
os.environ.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
os.environ.setdefault("REFLEX_CHECK_LATEST_VERSION", "false")
os.environ["PATH"] = f"{ROOT / 'tools' / 'node_modules' / '.bin'}:{os.environ.get('PATH', '')}"


def _harness_class() -> type:
    import reflex.utils.build
    import reflex.utils.prerequisites
    import reflex.utils.processes
    from reflex.testing import FRONTEND_POPEN_ARGS, AppHarness, chdir
    from reflex.utils import js_runtimes
    from reflex.utils.exec import _with_development_condition
    from reflex_base.config import get_config

    class LocalhostHarness(AppHarness):
        """AppHarness with the frontend on FRONTEND_PORT and the backend addressed as localhost."""

        def _start_frontend(self) -> None:
            with chdir(self.app_path):
                config = get_config()
                _, backend_port = self._poll_for_servers(timeout=30).getsockname()[:2]
                config.api_url = f"http://localhost:{backend_port}"
                reflex.utils.build.setup_frontend(self.app_path)
            self.frontend_process = reflex.utils.processes.new_process(
                [*js_runtimes.get_js_package_executor(raise_on_none=True)[0], "run", "dev"],
                cwd=self.app_path / reflex.utils.prerequisites.get_web_dir(),
                env=_with_development_condition({**os.environ, "PORT": str(FRONTEND_PORT), "NO_COLOR": "1"}),
                **FRONTEND_POPEN_ARGS,
            )

    return LocalhostHarness


@pytest.fixture(scope="session")
def app_url(database: str) -> Iterator[str]:
    """Start the real app once for the browser tests; yields the frontend URL (no trailing slash)."""
    harness_cls = _harness_class()
    with harness_cls.create(root=ROOT, app_name="snapleads_app") as harness:
        assert harness.frontend_url is not None
        yield f"http://localhost:{FRONTEND_PORT}"


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()


def new_page(browser: Any, *, locale: str = "en-US", width: int = 1280, height: int = 800) -> tuple[Any, Any]:
    """A fresh browser context (own cookies) with the default timeout; returns (context, page)."""
    context = browser.new_context(locale=locale, viewport={"width": width, "height": height})
    context.set_default_timeout(TIMEOUT)
    return context, context.new_page()


def login(page: Any, app_url: str, email: str) -> None:
    """Sign in through the login form with the factories' password and wait for the dashboard."""
    page.goto(f"{app_url}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(re.compile(rf"^{re.escape(app_url)}/?$"))

"""Inbox realtime latency: the real app (Reflex prod build, 2 backend workers on Redis + PostgreSQL, a
dramatiq worker) and real headless Chromium browsers.

    .venv/bin/python bench/inbox_bench.py [--messages 100] [--clients 200] [--port 3013] [--redis-db 13]

Figures (printed; the latest copy is kept in bench/results/inbox_latest.txt):

1. browser → browser: user A sends from the composer, user B (another member, same conversation open)
   shows it. Latency = B's `Date.now()` when the message's text enters its DOM (MutationObserver) −
   A's `Date.now()` just before clicking Send (both pages in one browser: one clock).
2. REST → browser: `POST /api/v1/conversations/inbound` (what the extension's DM capture does) →
   visible in B; t0 = the client's wall clock just before the request.
3. broadcast: N tabs (one context, the manager's cookie; each tab is its own Reflex client) on /inbox,
   linked to the workspace; one inbound message; how many tabs received it and when the last one did.

Sends are paced (the product's limit is 60 messages/min per user). Needs PostgreSQL (127.0.0.1:5432,
trust), Redis (127.0.0.1:6379) and /usr/bin/chromium; builds the frontend once (≈ 1–2 min).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
DB_NAME = "snapleads_inbox_bench"
PASSWORD = "Secret123"  # noqa: S105 - the factories' test password
CHROMIUM = next((p for p in ("/usr/lib/chromium/chromium", "/usr/bin/chromium") if Path(p).exists()), "")
OBSERVER_JS = """
() => {
  window.__seen = window.__seen || {};
  if (window.__observer) return;
  const scan = () => {
    for (const el of document.querySelectorAll('[data-testid=message-body]')) {
      const text = el.textContent;
      if (!(text in window.__seen)) window.__seen[text] = Date.now();
    }
  };
  window.__observer = new MutationObserver(scan);
  window.__observer.observe(document.body, {childList: true, subtree: true, characterData: true});
  scan();
}
"""


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def summary(name: str, values: list[float]) -> str:
    if not values:
        return f"{name}: no samples"
    return (
        f"{name}: n={len(values)} p50={statistics.median(values):.1f} ms p95={pct(values, 95):.1f} ms "
        f"p99={pct(values, 99):.1f} ms max={max(values):.1f} ms"
    )


def setup_database(env: dict[str, str]) -> dict[str, Any]:
    """Fresh database at head; an owner, a manager, a lead with an open conversation."""
    from sqlalchemy import create_engine, text

    admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{DB_NAME}"'))
    admin.dispose()
    subprocess.run([str(ROOT / ".venv/bin/alembic"), "upgrade", "head"], cwd=ROOT, env=env, check=True)  # noqa: S603
    os.environ.update(env)
    from snapleads_app.core import tasks
    from snapleads_app.core.db import unit_of_work
    from snapleads_app.domain.inbox import service as inbox
    from snapleads_app.domain.inbox.models import InboundIn
    from tests.factories import add_member, make_lead, register_owner

    tasks.install_sender(lambda job, kwargs: None)
    owner = register_owner("bench.owner@example.com", workspace="Bench")
    manager = add_member(owner, "manager", "bench.manager@example.com")
    extra = add_member(owner, "manager", "bench.api@example.com")
    lead = make_lead(owner, full_name="Bench Lead", platform="instagram")
    with unit_of_work() as session:
        got = inbox.receive_inbound(
            session=session, ctx=owner.ctx, data=InboundIn(lead_id=lead.id, body="start")
        )
    return {
        "owner": owner,
        "manager": manager,
        "extra": extra,
        "lead_id": lead.id,
        "conv_id": got.conversation_id,
    }


def wait_http(url: str, timeout: float) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code < 500:
                return
        time.sleep(1)
    raise RuntimeError(f"{url} not ready after {timeout} s")


def login(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(f"{base}/")


def open_thread(page: Any, base: str, conv_id: int) -> None:
    page.goto(f"{base}/inbox?c={conv_id}")
    page.wait_for_selector("#composer", timeout=60_000)
    page.wait_for_selector("[data-testid=message-body]", timeout=60_000)
    page.evaluate(OBSERVER_JS)


def browser_to_browser(page_a: Any, page_b: Any, n: int, pace: float) -> list[float]:
    samples = []
    for i in range(n):
        text = f"bench a→b {i} {time.time_ns()}"
        page_a.fill("#composer", text)
        page_a.wait_for_function("() => !document.getElementById('send-message').disabled")
        t0 = page_a.evaluate(
            "() => { const t = Date.now(); document.getElementById('send-message').click(); return t; }"
        )
        page_b.wait_for_function("(t) => window.__seen && t in window.__seen", arg=text, timeout=30_000)
        seen = page_b.evaluate("(t) => window.__seen[t]", text)
        samples.append(float(seen - t0))
        time.sleep(pace)
    return samples


def rest_to_browser(page_b: Any, base: str, member: Any, lead_id: int, n: int, pace: float) -> list[float]:
    import httpx

    samples = []
    with httpx.Client(base_url=base, headers=member.auth, timeout=30) as client:
        for i in range(n):
            text = f"bench rest→b {i} {time.time_ns()}"
            t0 = time.time() * 1000
            response = client.post(
                "/api/v1/conversations/inbound",
                json={"lead_id": lead_id, "body": text, "external_id": f"b-{i}-{t0}"},
            )
            response.raise_for_status()
            page_b.wait_for_function("(t) => window.__seen && t in window.__seen", arg=text, timeout=30_000)
            seen = page_b.evaluate("(t) => window.__seen[t]", text)
            samples.append(float(seen - t0))
            time.sleep(pace)
    return samples


def broadcast(browser: Any, base: str, data: dict[str, Any], clients: int) -> str:
    import httpx

    context = browser.new_context(viewport={"width": 1000, "height": 700})
    context.set_default_timeout(120_000)
    login(context.new_page(), base, data["manager"].email)
    pages = []
    started = time.monotonic()
    for _ in range(clients):
        page = context.new_page()
        page.goto(f"{base}/inbox?c={data['conv_id']}", wait_until="commit")
        pages.append(page)
    for page in pages:
        page.wait_for_selector("[data-testid=message-body]", timeout=180_000)
        page.evaluate(OBSERVER_JS)
    ready = time.monotonic() - started
    time.sleep(3)  # let every tab finish linking
    text = f"broadcast {time.time_ns()}"
    t0 = time.time() * 1000
    httpx.post(
        f"{base}/api/v1/conversations/inbound",
        headers=data["owner"].auth,
        json={"lead_id": data["lead_id"], "body": text, "external_id": f"bc-{t0}"},
        timeout=30,
    ).raise_for_status()
    deadline = time.monotonic() + 60
    times: list[float] = []
    while time.monotonic() < deadline:
        times = [t for t in (p.evaluate("(t) => (window.__seen || {})[t] || null", text) for p in pages) if t]
        if len(times) == len(pages):
            break
        time.sleep(0.5)
    context.close()
    lat = [t - t0 for t in times]
    line = f"broadcast: {len(times)}/{clients} tabs received it (tabs ready in {ready:.0f} s)"
    if lat:
        line += f"; first {min(lat):.0f} ms, p50 {statistics.median(lat):.0f} ms, last {max(lat):.0f} ms"
    return line


def push_lines(logs: Path, min_sockets: int) -> list[str]:
    """The server's own figure for the broadcast: each process's one Socket.IO emit to its sockets."""
    import re

    found = re.findall(
        r"push (\S+) delivered to (\d+) sockets in ([\d.]+) ms", logs.read_text(errors="replace")
    )
    big = [(ch, int(n), float(ms)) for ch, n, ms in found if int(n) >= min_sockets]
    return [
        f"server side of the broadcast: push {ch} emitted to {n} sockets of one process in {ms:.1f} ms"
        for ch, n, ms in big[-4:]
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=100)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--port", type=int, default=3013)
    parser.add_argument("--redis-db", type=int, default=13)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    base = f"http://localhost:{args.port}"
    redis_url = f"redis://127.0.0.1:6379/{args.redis_db}"
    env = {
        **os.environ,
        "DATABASE_URL": PG_SERVER.rsplit("/", 1)[0] + f"/{DB_NAME}",
        "REDIS_URL": redis_url,
        "ENVIRONMENT": "development",
        "BCRYPT_ROUNDS": "4",
        "ACCESS_TOKEN_MINUTES": "240",  # a 200-tab run outlasts the default 15 min of the tokens it mints
        "LOG_LEVEL": "INFO",  # the relay's "push … delivered to N sockets in X ms" lines
        "LOG_FORMAT": "text",
        "PUBLIC_URL": base,
        "API_URL": base,
        "REFLEX_API_URL": base,
        "REFLEX_DEPLOY_URL": base,
        "GRANIAN_WORKERS": str(args.workers),
        "REFLEX_TELEMETRY_ENABLED": "false",
        "REFLEX_CHECK_LATEST_VERSION": "false",
        "PATH": f"{ROOT / 'tools/node_modules/.bin'}:{ROOT / '.venv/bin'}:{os.environ.get('PATH', '')}",
    }
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    data = setup_database(env)
    logs = ROOT / "bench" / "results" / "inbox_server.log"
    server = subprocess.Popen(  # noqa: S603 - our own executables
        [
            str(ROOT / ".venv/bin/reflex"),
            "run",
            "--env",
            "prod",
            "--frontend-port",
            str(args.port),
            "--backend-port",
            str(args.port),
        ],
        cwd=ROOT,
        env=env,
        stdout=logs.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    worker = subprocess.Popen(  # noqa: S603
        [
            str(ROOT / ".venv/bin/dramatiq"),
            "workers.actors",
            "--processes",
            "1",
            "--threads",
            "2",
            "--queues",
            "default",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    lines = [
        f"inbox_bench {time.strftime('%Y-%m-%d %H:%M')}: reflex prod, GRANIAN_WORKERS={args.workers}, Redis db {args.redis_db}, "
        f"PostgreSQL {DB_NAME}, 1 dramatiq worker; Chromium headless; 1-min load before: {os.getloadavg()[0]:.2f}"
    ]
    try:
        t_build = time.monotonic()
        wait_http(f"{base}/ping", timeout=600)
        wait_http(f"{base}/login", timeout=120)
        lines.append(f"server ready in {time.monotonic() - t_build:.0f} s (frontend build included)")
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM,
                args=[
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--no-first-run",
                    "--disable-sync",
                    "--renderer-process-limit=8",
                    "--disable-background-timer-throttling",
                    "--disable-renderer-backgrounding",
                ],
            )
            ctx_a, ctx_b = browser.new_context(), browser.new_context()
            for c in (ctx_a, ctx_b):
                c.set_default_timeout(60_000)
            page_a, page_b = ctx_a.new_page(), ctx_b.new_page()
            login(page_a, base, data["owner"].email)
            login(page_b, base, data["manager"].email)
            open_thread(page_a, base, data["conv_id"])
            open_thread(page_b, base, data["conv_id"])
            browser_to_browser(page_a, page_b, 5, 1.05)  # warm-up
            a_to_b = browser_to_browser(page_a, page_b, args.messages, 1.05)
            lines.append(summary("browser A sends → browser B shows", a_to_b) + "   (target p95 ≤ 100 ms)")
            rest = rest_to_browser(page_b, base, data["extra"], data["lead_id"], args.messages, 1.05)
            lines.append(summary("REST inbound → browser B shows", rest) + "   (target p95 ≤ 100 ms)")
            ctx_a.close()
            ctx_b.close()
            if args.clients:
                lines.append(broadcast(browser, base, data, args.clients))
            browser.close()
    finally:
        for proc in (server, worker):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in (server, worker):
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=20)
    lines.extend(push_lines(logs, min_sockets=max(2, args.clients // 4)))
    lines.append(f"1-min load after: {os.getloadavg()[0]:.2f}")
    report = "\n".join(lines)
    print(report)
    (ROOT / "bench" / "results" / "inbox_latest.txt").write_text(report + "\n")


if __name__ == "__main__":
    main()

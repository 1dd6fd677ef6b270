"""Nav unread badge and "… is viewing" presence on the full topology: the real app (Reflex prod build,
2 backend workers on Redis + PostgreSQL) and real headless Chromium, two users in two contexts.

    .venv/bin/python bench/inbox_presence_bench.py [--rounds 20] [--port 3027] [--redis-db 7]

Figures (printed; the latest copy is kept in bench/results/inbox_presence_latest.txt):

1. REST inbound on a new conversation → the nav badge of user A (on the dashboard) shows the new count.
   t0 = the client's wall clock before the request; t1 = A's `Date.now()` when the badge text changes
   (MutationObserver). Same machine, one clock.
2. B opens / leaves the conversation A has open → A's header shows / drops "Manager is viewing".
   t0 = B's `Date.now()` before the click, t1 = A's observer (both pages in one browser).
3. B closes its tab → A's header drops the entry (disconnect detection: heartbeat 5 s + 2 s grace).
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
DB_NAME = "snapleads_inboxui_presence"
PASSWORD = "Secret123"  # noqa: S105 - the factories' test password
CHROMIUM = next((p for p in ("/usr/lib/chromium/chromium", "/usr/bin/chromium") if Path(p).exists()), "")
OBSERVER_JS = """
() => {
  if (window.__obs) return;
  window.__badge = {}; window.__viewing = [];
  const scan = () => {
    const b = document.querySelector('[data-testid=nav-unread]');
    const text = b ? b.textContent : '0';
    if (!(text in window.__badge)) window.__badge[text] = Date.now();
    const n = document.querySelectorAll('#thread-viewers [data-testid=viewing]').length;
    const last = window.__viewing.length ? window.__viewing[window.__viewing.length - 1][1] : -1;
    if (n !== last) window.__viewing.push([Date.now(), n]);
  };
  window.__obs = new MutationObserver(scan);
  window.__obs.observe(document.body, {childList: true, subtree: true, characterData: true});
  scan();
}
"""


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def summary(name: str, values: list[float]) -> str:
    if not values:
        return f"{name}: no samples"
    return (
        f"{name}: n={len(values)} p50={statistics.median(values):.1f} ms p95={pct(values, 95):.1f} ms "
        f"max={max(values):.1f} ms"
    )


def setup_database(env: dict[str, str], rounds: int) -> dict[str, Any]:
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
    from snapleads_app.domain.accounts import service as accounts
    from snapleads_app.domain.inbox import service as inbox
    from snapleads_app.domain.inbox.models import InboundIn
    from tests.factories import add_member, make_lead, register_owner

    tasks.install_sender(lambda job, kwargs: None)
    owner = register_owner("presence.owner@example.com", workspace="Presence")
    manager = add_member(owner, "manager", "presence.manager@example.com")
    with unit_of_work() as session:
        accounts.set_language(session=session, ctx=owner.ctx, language="en")
    convs = []
    for name in ("Ana Souza", "Bruno Lima"):
        lead = make_lead(owner, full_name=name)
        with unit_of_work() as session:
            convs.append(
                inbox.receive_inbound(
                    session=session, ctx=owner.ctx, data=InboundIn(lead_id=lead.id, body="oi")
                )
            )
    # Read both (the badge starts at 0); fresh leads for the badge rounds.
    for got in convs:
        with unit_of_work() as session:
            inbox.mark_read(session=session, ctx=owner.ctx, conversation_id=got.conversation_id)
    fresh = [make_lead(owner, full_name=f"Novo {i}").id for i in range(rounds)]
    return {
        "owner": owner,
        "manager": manager,
        "conv_ids": [c.conversation_id for c in convs],
        "fresh": fresh,
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


def badge_rounds(page_a: Any, base: str, data: dict[str, Any]) -> list[float]:
    import httpx

    samples = []
    with httpx.Client(base_url=base, headers=data["owner"].auth, timeout=30) as client:
        for i, lead_id in enumerate(data["fresh"]):
            expected = str(i + 1) if i < 99 else "99+"
            t0 = time.time() * 1000
            client.post(
                "/api/v1/conversations/inbound",
                json={"lead_id": lead_id, "body": f"novo {i}", "external_id": f"p-{i}-{t0}"},
            ).raise_for_status()
            page_a.wait_for_function("(t) => t in window.__badge", arg=expected, timeout=30_000)
            samples.append(float(page_a.evaluate("(t) => window.__badge[t]", expected) - t0))
            time.sleep(0.3)
    return samples


def viewing_rounds(page_a: Any, page_b: Any, rounds: int) -> tuple[list[float], list[float]]:
    appear, vanish = [], []
    items = page_b.locator("[data-testid=conversation-item]")
    ana, bruno = items.filter(has_text="Ana Souza"), items.filter(has_text="Bruno Lima")
    for _ in range(rounds):
        for target, want, into in ((ana, 1, appear), (bruno, 0, vanish)):
            seen = page_a.evaluate("() => window.__viewing.length")
            t0 = page_b.evaluate("() => Date.now()")
            target.click()
            page_a.wait_for_function(
                "([n, want]) => window.__viewing.slice(n).some(([, c]) => c === want)", arg=[seen, want]
            )
            at = page_a.evaluate(
                "([n, want]) => window.__viewing.slice(n).find(([, c]) => c === want)[0]", [seen, want]
            )
            into.append(float(at - t0))
            time.sleep(0.3)
    return appear, vanish


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--port", type=int, default=3027)
    parser.add_argument("--redis-db", type=int, default=7)
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
        "LOG_LEVEL": "WARNING",
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
    data = setup_database(env, args.rounds)
    logs = ROOT / "bench" / "results" / "inbox_presence_server.log"
    server = subprocess.Popen(  # noqa: S603 - our own executables
        [str(ROOT / ".venv/bin/reflex"), "run", "--env", "prod", "--frontend-port", str(args.port),
         "--backend-port", str(args.port)],
        cwd=ROOT, env=env, stdout=logs.open("w"), stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    lines = [
        f"inbox_presence_bench {time.strftime('%Y-%m-%d %H:%M')}: reflex prod, GRANIAN_WORKERS={args.workers}, "
        f"Redis db {args.redis_db}, PostgreSQL {DB_NAME}; Chromium headless; 1-min load before: "
        f"{os.getloadavg()[0]:.2f}"
    ]
    try:
        wait_http(f"{base}/ping", timeout=600)
        wait_http(f"{base}/login", timeout=120)
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM,
                args=["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                      "--disable-component-update", "--no-first-run", "--disable-sync",
                      "--disable-background-timer-throttling", "--disable-renderer-backgrounding"],
            )  # fmt: skip
            ctx_a, ctx_b = browser.new_context(), browser.new_context()
            for c in (ctx_a, ctx_b):
                c.set_default_timeout(60_000)
            page_a, page_b = ctx_a.new_page(), ctx_b.new_page()
            login(page_a, base, data["owner"].email)
            page_a.wait_for_selector("a[href='/inbox']")
            page_a.evaluate(OBSERVER_JS)
            badge = badge_rounds(page_a, base, data)
            lines.append(summary("REST inbound → nav badge of A (dashboard) updated", badge))
            print(lines[-1], flush=True)

            login(page_b, base, data["manager"].email)
            page_a.goto(f"{base}/inbox?c={data['conv_ids'][0]}")
            page_a.wait_for_selector("#thread-viewers", state="attached", timeout=60_000)
            page_a.evaluate(OBSERVER_JS)
            page_b.goto(f"{base}/inbox")
            page_b.wait_for_selector("[data-testid=conversation-item]", timeout=60_000)
            appear, vanish = viewing_rounds(page_a, page_b, args.rounds)
            lines.append(summary("B opens A's conversation → A shows 'is viewing'", appear))
            lines.append(summary("B opens another one → A drops it", vanish))

            page_b.locator("[data-testid=conversation-item]").filter(has_text="Ana Souza").click()
            page_a.wait_for_selector("#thread-viewers [data-testid=viewing]")
            t0 = time.time() * 1000
            ctx_b.close()
            page_a.wait_for_selector(
                "#thread-viewers [data-testid=viewing]", state="detached", timeout=60_000
            )
            lines.append(f"B closes its tab → A drops it after {time.time() * 1000 - t0:.0f} ms")
            ctx_a.close()
            browser.close()
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(timeout=20)
    report = "\n".join(lines)
    print(report)
    (ROOT / "bench" / "results" / "inbox_presence_latest.txt").write_text(report + "\n")


if __name__ == "__main__":
    main()

"""Mixed load on the production topology: several backend processes + a Dramatiq worker, PostgreSQL + Redis.

    .venv/bin/python bench/load_bench.py                       # full size: 60 s, 50 users, 200 websockets
    .venv/bin/python bench/load_bench.py --duration 15 --users 20 --websockets 50 --leads 2000 --workers 2

What it does (one run):
1. A private database `snapleads_load` on the shared PostgreSQL (dropped and re-created, `alembic upgrade
   head`) and a private Redis db (5 by default: only that db is flushed).
2. The Reflex backend as in production (bench/support/load_server.py: granian, `--workers` processes,
   Redis state manager, the REST router inside; rate limits OFF, see there) and one `dramatiq` worker
   process (`--worker-threads` threads, queues default + bulk).
3. Seed through the API: `--workspaces` owners register; each imports `--leads` leads in 1,000-lead
   batches, which the worker ingests.
4. `--websockets` Socket.IO clients connect to the backend's `/_event` endpoint (Engine.IO v4 over a
   websocket, the browser's protocol, a fresh session token each) and stay connected, answering pings,
   for the whole load phase. Reported: how many connected and how many were still open at the end.
5. Meanwhile locust (bench/support/locustfile.py, headless, `--users` users, no think time) drives the
   mixed REST load for `--duration` seconds: list 40 · search 25 · lead update 20 · import batch of 50
   leads 5 · message send 10 (to 50 conversations per workspace, seeded by inbound messages). Reported:
   requests/s, p50/p95/p99
   per request type and overall, error count; then the import jobs the load queued and how many the
   worker finished.
Writes bench/results/load_latest.txt. A benchmark, not a test: it never fails on a missed target.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform as pyplatform
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg
import redis
import websocket
from psycopg import sql

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "load_latest.txt"
ADMIN_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
PASSWORD = "Load-Bench-Password-2026"  # noqa: S105 - throwaway users of a throwaway database
FIRST = ["ana", "bruno", "carla", "diego", "eduarda", "felipe", "gabriela", "heitor", "isabela", "joao"]
LAST = ["silva", "santos", "oliveira", "souza", "lima", "pereira", "costa", "rodrigues", "almeida", "nunes"]
TARGET_ERRORS = 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _say(message: str) -> None:
    print(f"[load] {message}", flush=True)


# ----------------------------------------------------------------------------------------- setup


def _fresh_database(name: str) -> str:
    with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def _env(args: argparse.Namespace, database_url: str, port: int) -> dict[str, str]:
    env = dict(os.environ)
    env |= {
        "DATABASE_URL": database_url,
        "REDIS_URL": f"redis://127.0.0.1:6379/{args.redis_db}",
        "ENVIRONMENT": "production",
        "JWT_SECRET": "load-bench-" + uuid.uuid4().hex + uuid.uuid4().hex,
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "API_URL": f"http://127.0.0.1:{port}",
        "REFLEX_TELEMETRY_ENABLED": "false",
        "REFLEX_CHECK_LATEST_VERSION": "false",
        "PATH": f"{ROOT / 'tools' / 'node_modules' / '.bin'}:{os.environ.get('PATH', '')}",
        "PYTHONUNBUFFERED": "1",
    }
    return env


def _start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603 - this interpreter, our own scripts, fixed arguments
        command, cwd=ROOT, env=env, start_new_session=True, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def _wait_healthy(base_url: str, server: subprocess.Popen[bytes], timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the backend exited during start-up (see its log)")
        try:
            if httpx.get(f"{base_url}/api/v1/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise TimeoutError("the backend did not become healthy")


def _seed(client: httpx.Client, args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(11)
    workspaces = []
    for w in range(args.workspaces):
        email = f"owner{w}-{uuid.uuid4().hex[:6]}@load.example.com"
        response = client.post(
            "/api/v1/auth/register",
            json={
                "email": email,
                "password": PASSWORD,
                "full_name": f"Owner {w}",
                "workspace_name": f"Load {w}",
            },
        )
        response.raise_for_status()
        auth = {"Authorization": f"Bearer {response.json()['access_token']}"}
        jobs = []
        for start in range(0, args.leads, 1000):
            leads = []
            for i in range(start, min(start + 1000, args.leads)):
                first, last = rng.choice(FIRST), rng.choice(LAST)
                leads.append(
                    {"username": f"{first}.{last}.{w}.{i}", "full_name": f"{first.title()} {last.title()}"}
                )
            accepted = client.post(
                "/api/v1/leads/import", json={"platform": "instagram", "leads": leads}, headers=auth
            )
            accepted.raise_for_status()
            jobs.append(accepted.json()["job_id"])
        workspaces.append({"auth": auth, "token": auth["Authorization"][7:], "jobs": jobs, "terms": LAST})
    deadline = time.monotonic() + max(120, args.leads * args.workspaces / 200)
    for workspace in workspaces:
        for job_id in workspace.pop("jobs"):
            while True:
                status = client.get(f"/api/v1/leads/import/{job_id}", headers=workspace["auth"]).json()[
                    "status"
                ]
                if status in {"completed", "failed", "cancelled"}:
                    break
                if time.monotonic() > deadline:
                    raise TimeoutError("seed imports did not finish")
                time.sleep(0.5)
        page = client.get("/api/v1/leads?limit=100", headers=workspace["auth"]).json()["data"]
        workspace["lead_ids"] = [row["id"] for row in page]
        workspace["conversation_ids"] = _seed_conversations(
            client, workspace["auth"], workspace["lead_ids"][:CONVERSATIONS]
        )
        # One account per simulated user: SPEC's 60 messages/min is per user, and a real team sends from
        # many accounts (the owner's token alone would turn most sends into 429s).
        members = -(-args.users // args.workspaces) - 1
        workspace["tokens"] = [workspace["token"], *_seed_members(client, workspace["auth"], members)]
        workspace.pop("auth")
    return {"workspaces": workspaces}


def _seed_members(client: httpx.Client, auth: dict[str, str], count: int) -> list[str]:
    """Managers (they may send in every conversation) invited and accepted through the API."""
    tokens = []
    for _ in range(count):
        email = f"rep-{uuid.uuid4().hex[:8]}@load.example.com"
        invited = client.post("/api/v1/invitations", json={"email": email, "role": "manager"}, headers=auth)
        invited.raise_for_status()
        accepted = client.post(
            "/api/v1/invitations/accept",
            json={"token": invited.json()["token"], "full_name": "Rep", "password": PASSWORD},
        )
        accepted.raise_for_status()
        tokens.append(accepted.json()["access_token"])
    return tokens


CONVERSATIONS = 50  # per workspace: the leads the message-send task talks to


def _seed_conversations(client: httpx.Client, auth: dict[str, str], lead_ids: list[int]) -> list[int]:
    """One conversation per lead, opened by an inbound message (the extension's DM capture path)."""
    conversation_ids = []
    for lead_id in lead_ids:
        response = client.post(
            "/api/v1/conversations/inbound",
            json={"lead_id": lead_id, "channel": "manual", "body": "Oi! Vi o seu perfil."},
            headers=auth,
        )
        response.raise_for_status()
        conversation_ids.append(response.json()["conversation_id"])
    return conversation_ids


# ------------------------------------------------------------------------------------ websockets


class SocketHolders:
    """N Socket.IO clients (Engine.IO v4, websocket transport) held open on the Reflex event namespace."""

    def __init__(self, port: int, count: int, origin: str) -> None:
        self.url = f"ws://127.0.0.1:{port}/_event/?EIO=4&transport=websocket"
        self.count = count
        self.origin = origin
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.connected = 0
        self.held = 0
        self.errors: dict[str, int] = {}
        self.connect_ms: list[float] = []
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(count)]

    def _error(self, exc: BaseException) -> None:
        with self.lock:
            key = type(exc).__name__
            self.errors[key] = self.errors.get(key, 0) + 1

    def _run(self) -> None:
        started = time.perf_counter()
        try:
            ws = websocket.create_connection(
                f"{self.url}&token={uuid.uuid4()}", origin=self.origin, timeout=30
            )
        except Exception as exc:  # noqa: BLE001 - counted and reported
            self._error(exc)
            return
        try:
            opened = ws.recv()  # '0{"sid": ..., "pingInterval": ...}'
            if not str(opened).startswith("0"):
                raise ConnectionError(f"unexpected open packet {str(opened)[:40]}")
            ws.send("40/_event,")
            ack = str(ws.recv())
            while ack == "2":  # a ping may come first
                ws.send("3")
                ack = str(ws.recv())
            if not ack.startswith("40/_event"):
                raise ConnectionError(f"namespace refused: {ack[:60]}")
            with self.lock:
                self.connected += 1
                self.connect_ms.append((time.perf_counter() - started) * 1000)
            ws.settimeout(1)
            while not self.stop.is_set():
                try:
                    message = ws.recv()
                except websocket.WebSocketTimeoutException:
                    continue
                if message == "2":
                    ws.send("3")
                elif message == "" or not ws.connected:
                    raise ConnectionError("closed by the server")
            if ws.connected:
                with self.lock:
                    self.held += 1
        except Exception as exc:  # noqa: BLE001 - counted and reported
            self._error(exc)
        finally:
            ws.close()

    def start(self, batch: int = 20) -> None:
        for i, thread in enumerate(self.threads):
            thread.start()
            if i % batch == batch - 1:
                time.sleep(0.2)  # a gentle ramp: browsers do not all connect in the same millisecond

    def wait_connected(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if self.connected + sum(self.errors.values()) >= self.count:
                    return
            time.sleep(0.2)

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=10)


# ---------------------------------------------------------------------------------------- locust


def _run_locust(args: argparse.Namespace, base_url: str, fixture: Path, out: Path) -> list[dict[str, str]]:
    locust = Path(sys.executable).with_name("locust")
    command = [
        str(locust),
        "-f",
        str(ROOT / "bench" / "support" / "locustfile.py"),
        "--headless",
        "--users",
        str(args.users),
        "--spawn-rate",
        str(args.users),
        "--run-time",
        f"{args.duration}s",
        "--host",
        base_url,
        "--csv",
        str(out / "locust"),
        "--only-summary",
        "--stop-timeout",
        "10",
        "--loglevel",
        "WARNING",
    ]
    env = {**os.environ, "LOAD_BENCH_FIXTURE": str(fixture)}
    subprocess.run(command, cwd=ROOT, env=env, check=False, timeout=args.duration + 120)  # noqa: S603
    with (out / "locust_stats.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _count_imports(database_url: str, since: datetime) -> tuple[int, int]:
    dsn = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE status = 'completed') FROM import_job WHERE created_at >= %s",
            (since,),
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


# ---------------------------------------------------------------------------------------- report


def _report(
    args: argparse.Namespace, stats: list[dict[str, str]], holders: SocketHolders, extra: dict[str, Any]
) -> str:
    lines = [
        f"Load benchmark — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {pyplatform.node()}, {os.cpu_count()} cores, "
        f"1-min load before/after {extra['load_before']:.1f}/{os.getloadavg()[0]:.1f}",
        f"backend: Reflex prod (granian) × {args.workers} processes, Redis state manager; "
        f"worker: dramatiq 1 process × {args.worker_threads} threads; PostgreSQL db {args.database}, Redis db {args.redis_db}",
        "rate limits OFF (bench/support/load_app.py); everything on loopback, locust on the same machine",
        f"seed: {args.workspaces} workspaces × {args.leads} leads (through the import API and the worker)",
        f"REST load: locust {args.users} users, no think time, {args.duration} s; "
        f"message send: {extra['messages']}",
        "",
        f"{'request':<34} {'count':>7} {'errors':>6} {'req/s':>8} {'p50':>6} {'p95':>6} {'p99':>6}  (ms)",
    ]
    for row in stats:
        lines.append(
            f"{row['Name'] if row['Name'] != 'Aggregated' else 'ALL':<34} {row['Request Count']:>7} "
            f"{row['Failure Count']:>6} {float(row['Requests/s']):>8.1f} {row['50%']:>6} {row['95%']:>6} {row['99%']:>6}"
        )
    total = next((r for r in stats if r["Name"] == "Aggregated"), None)
    errors = int(total["Failure Count"]) if total else -1
    lines += [
        "",
        f"errors: {errors} (target {TARGET_ERRORS}: {'met' if errors == TARGET_ERRORS else 'NOT met'})",
        f"import jobs queued by the load: {extra['imports_total']}, completed by the worker at the end: "
        f"{extra['imports_done']} (+{extra['imports_done_later']} within 30 s after)",
        f"websockets: {holders.count} clients, {holders.connected} connected, {holders.held} still open after the "
        f"load; connect p50 {extra['ws_p50']:.0f} ms, max {extra['ws_max']:.0f} ms; errors {holders.errors or 0}",
        f"backend RSS after the run (all processes): {extra['rss_mb']:.0f} MB",
    ]
    return "\n".join(lines)


def _tree_rss_mb(pid: int) -> float:
    try:
        import psutil

        root = psutil.Process(pid)
        return sum(p.memory_info().rss for p in [root, *root.children(recursive=True)]) / 2**20
    except Exception:  # noqa: BLE001 - a figure, not a requirement
        return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--websockets", type=int, default=200)
    parser.add_argument("--workers", type=int, default=4, help="backend processes")
    parser.add_argument("--worker-threads", type=int, default=2)
    parser.add_argument("--workspaces", type=int, default=2)
    parser.add_argument("--leads", type=int, default=20_000, help="leads per workspace")
    parser.add_argument("--database", default="snapleads_load")
    parser.add_argument("--redis-db", type=int, default=5)
    args = parser.parse_args()
    if args.redis_db == 0:
        parser.error("--redis-db 0 is shared: use a db of its own")

    load_before = os.getloadavg()[0]
    work = Path(tempfile.mkdtemp(prefix="snapleads-load-"))
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    _say(f"database {args.database}, redis db {args.redis_db}, backend on {base_url}, logs in {work}")
    database_url = _fresh_database(args.database)
    redis.Redis.from_url(f"redis://127.0.0.1:6379/{args.redis_db}").flushdb()  # our own db only
    env = _env(args, database_url, port)
    subprocess.run(  # noqa: S603 - our own alembic
        [sys.executable, "-m", "alembic", "upgrade", "head"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    server = _start(
        [sys.executable, str(ROOT / "bench" / "support" / "load_server.py"), str(port), str(args.workers)],
        env,
        work / "backend.log",
    )
    worker = _start(
        [
            sys.executable,
            "-m",
            "dramatiq",
            "workers.actors",
            "--processes",
            "1",
            "--threads",
            str(args.worker_threads),
        ]
        + ["--queues", "default", "bulk"],
        env,
        work / "worker.log",
    )
    try:
        _wait_healthy(base_url, server)
        _say("backend healthy; seeding")
        with httpx.Client(base_url=base_url, timeout=60) as client:
            started = time.monotonic()
            fixture = _seed(client, args)
            _say(f"seeded in {time.monotonic() - started:.1f} s")
            paths = client.get("/api/v1/openapi.json").json()["paths"]
        conversations = sum(len(w["conversation_ids"]) for w in fixture["workspaces"])
        messages = f"weight 10, over {conversations} seeded conversations (manual channel)"
        if not any(p.startswith("/api/v1/conversations/{") for p in paths):
            messages = "skipped (no /api/v1/conversations on this build)"
        fixture_path = work / "fixture.json"
        fixture_path.write_text(json.dumps(fixture))

        holders = SocketHolders(port, args.websockets, base_url)
        holders.start()
        holders.wait_connected()
        _say(f"websockets connected: {holders.connected}/{args.websockets}; REST load for {args.duration} s")
        load_started = datetime.now(UTC)
        stats = _run_locust(args, base_url, fixture_path, work)
        holders.finish()
        imports_total, imports_done = _count_imports(database_url, load_started)
        deadline = time.monotonic() + 30
        later = imports_done
        while later < imports_total and time.monotonic() < deadline:
            time.sleep(1)
            later = _count_imports(database_url, load_started)[1]
        connect = sorted(holders.connect_ms) or [float("nan")]
        extra = {
            "load_before": load_before,
            "messages": messages,
            "imports_total": imports_total,
            "imports_done": imports_done,
            "imports_done_later": later - imports_done,
            "ws_p50": connect[len(connect) // 2],
            "ws_max": connect[-1],
            "rss_mb": _tree_rss_mb(server.pid),
        }
        report = _report(args, stats, holders, extra)
        print("\n" + report, flush=True)
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(report + "\n", encoding="utf-8")
        _say(f"written {RESULTS.relative_to(ROOT)}")
    finally:
        _stop(worker)
        _stop(server)
        with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(args.database))
            )
        redis.Redis.from_url(f"redis://127.0.0.1:6379/{args.redis_db}").flushdb()
        _say(f"logs kept in {work}")


if __name__ == "__main__":
    main()

"""Private PostgreSQL and Redis servers and app/worker processes for fault-injection tests.

The machine's shared PostgreSQL (5432) and Redis (6379) serve every engineer's tests: fault tests never
stop them. They start their own throw-away servers on free ports and break those instead.

`initdb` refuses to run as root: when the tests run as root, the cluster is created and run as the
`postgres` system user (`runuser -u postgres`), in a temporary directory that user owns.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path("/usr/lib/postgresql/15/bin")
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_port(port: int, *, timeout: float = 30.0, process: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before port {port} opened")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


def stop_process(process: subprocess.Popen[bytes], *, sig: int = signal.SIGTERM, timeout: float = 15) -> None:
    """Signal the process group we started (start_new_session=True), then kill it if it lingers."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


class PrivateRedis:
    """A redis-server without persistence on a free port; `stop()`/`start()` simulate an outage."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - fixed arguments, our own binaries
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ]
            + ["--dir", str(self.workdir), "--logfile", str(self.workdir / "redis.log")],
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_port(self.port, timeout=10, process=self.process)

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process, sig=signal.SIGKILL)  # an abrupt outage, not a clean shutdown
            self.process = None


class PrivatePostgres:
    """A throw-away PostgreSQL 15 cluster (trust auth, fsync off) on a free port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="snapleads-faults-pg-"))
        self.data = self.dir / "data"
        self.as_postgres = os.geteuid() == 0
        self.options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.dir} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=16MB"
        )

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str | Path) -> None:
        command = [str(a) for a in args]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)  # noqa: S603 - fixed arguments

    def init(self) -> None:
        if self.as_postgres:
            shutil.chown(self.dir, user="postgres", group="postgres")
        self._run(
            PG_BIN / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"
        )

    def start(self) -> None:
        self._run(
            PG_BIN / "pg_ctl", "-D", self.data, "-o", self.options, "-l", self.dir / "pg.log", "-w", "start"
        )

    def stop(self, mode: str = "fast") -> None:
        self._run(PG_BIN / "pg_ctl", "-D", self.data, "-m", mode, "-w", "stop")

    def create_database(self, name: str) -> None:
        import psycopg
        from psycopg import sql

        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True
        ) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
            self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


def service_env(*, database_url: str, redis_url: str | None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}}
    env |= {
        "DATABASE_URL": database_url,
        "ENVIRONMENT": "test",
        "LOG_FORMAT": "text",
        "PYTHONUNBUFFERED": "1",
    }
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def migrate(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "head"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )


def start_api(env: dict[str, str], log_path: Path) -> tuple[subprocess.Popen[bytes], str]:
    """The REST API (`build_api()` + `setup_broker()`, rate limits on) under uvicorn, one process."""
    port = free_port()
    log = log_path.open("wb")
    process = subprocess.Popen(  # noqa: S603 - this interpreter, our own script
        [sys.executable, str(Path(__file__).with_name("api_server.py")), str(port)],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    wait_port(port, timeout=60, process=process)
    return process, f"http://127.0.0.1:{port}"


def start_worker(env: dict[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    log = log_path.open("wb")
    return subprocess.Popen(  # noqa: S603 - this interpreter, the dramatiq CLI
        [sys.executable, "-m", "dramatiq", "workers.actors", "--processes", "1", "--threads", "2"]
        + ["--queues", "default", "bulk"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


@contextlib.contextmanager
def running(*processes: subprocess.Popen[bytes]) -> Iterator[None]:
    try:
        yield
    finally:
        for process in processes:
            stop_process(process)


def register(client: httpx.Client, email: str) -> dict[str, str]:
    response = client.post(
        "/api/v1/auth/register",
        json={
            "email": email,
            "password": "a-Long-pass-123",
            "full_name": "Fault Tester",
            "workspace_name": email,
        },
    )
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def wait_until(predicate, *, timeout: float, interval: float = 0.2, what: str = "condition"):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"{what} not reached in {timeout} s (last: {last!r})")

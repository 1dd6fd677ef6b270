"""The REST API under uvicorn for bench/leads_bench.py (started as a subprocess; not a benchmark itself).

Differences from production, on purpose and printed by the benchmark:
- rate limits off: `api_ext.middleware.RATE_LIMIT_RULES = ()` (100 req/min would throttle the run);
- the FastAPI app runs alone under uvicorn (1 worker), not mounted inside the Reflex backend;
- an outer bench middleware adds `X-Bench-DB: <ms>;n=<statements>`: the time spent inside the
  database driver's execute (SQLAlchemy before/after_cursor_execute events) during the request, so
  the server time can be split into "database" and "everything else" (auth, ORM, pydantic, JSON);
- the jobs a request enqueues after commit (a card move's reactions) are kept in a list and never run:
  no worker here (production pushes each to Redis, one round trip). Without a sender every move logged
  a "no task queue installed" traceback inside its own server time.

Usage: DATABASE_URL=... python bench/support/leads_server.py <port>
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from collections import deque  # noqa: E402

import uvicorn  # noqa: E402
from sqlalchemy import event  # noqa: E402

import api_ext.middleware  # noqa: E402
from api_ext.app import build_api  # noqa: E402
from snapleads_app.core import tasks  # noqa: E402
from snapleads_app.core.db import get_engine  # noqa: E402

api_ext.middleware.RATE_LIMIT_RULES = ()

# Requests are sent one at a time by the benchmark, so one global accumulator is enough.
_DB = {"ms": 0.0, "n": 0}
_STARTED: dict[int, float] = {}


def _install_db_timer() -> None:
    engine = get_engine()

    @event.listens_for(engine, "before_cursor_execute")
    def _before(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        _STARTED[id(cursor)] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def _after(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        started = _STARTED.pop(id(cursor), None)
        if started is not None:
            _DB["ms"] += (time.perf_counter() - started) * 1000
            _DB["n"] += 1


class BenchDbTiming:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        _DB["ms"] = 0.0
        _DB["n"] = 0

        async def send_with_db(message: Any) -> None:
            if message["type"] == "http.response.start":
                value = f"{_DB['ms']:.3f};n={_DB['n']}"
                message["headers"] = [*message.get("headers", []), (b"x-bench-db", value.encode())]
            await send(message)

        await self.app(scope, receive, send_with_db)


def main() -> None:
    port = int(sys.argv[1])
    enqueued: deque[str] = deque(maxlen=1000)
    tasks.install_sender(lambda job, kwargs: enqueued.append(job))
    _install_db_timer()
    app = BenchDbTiming(build_api())
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()

"""The REST API under uvicorn for bench/imports_bench.py (started as a subprocess; not a benchmark itself).

Differences from production, on purpose and printed by the benchmark:
- rate limits off: `api_ext.middleware.RATE_LIMIT_RULES = ()` (5 imports/min would throttle the run);
- the FastAPI app runs alone under uvicorn (1 worker), not mounted inside the Reflex backend;
- `workers.broker.setup_broker()` is called here (the Reflex app module does it in production) so the
  202 enqueues `imports.run` on the Redis broker of REDIS_URL, which the benchmark's worker consumes.

Usage: DATABASE_URL=... REDIS_URL=... python bench/support/imports_server.py <port>
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import uvicorn  # noqa: E402

import api_ext.middleware  # noqa: E402
from api_ext.app import build_api  # noqa: E402
from workers.broker import setup_broker  # noqa: E402

api_ext.middleware.RATE_LIMIT_RULES = ()


def main() -> None:
    port = int(sys.argv[1])
    setup_broker()
    uvicorn.run(build_api(), host="127.0.0.1", port=port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()

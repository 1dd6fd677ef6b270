"""The production Reflex backend (granian, several workers, Redis state manager) for bench/load_bench.py.

Same target and server as `reflex run --env prod --backend-only` (granian ASGI, factory `app()`), with
one difference, on purpose and printed by the benchmark: rate limits are off
(`api_ext.middleware.RATE_LIMIT_RULES = ()`) — a few users sending hundreds of requests per second
would otherwise measure the limiter's 429s.

Usage: DATABASE_URL=... REDIS_URL=... python bench/support/load_server.py <port> <workers>
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> None:
    from granian.constants import Interfaces
    from granian.server import Server

    port, workers = int(sys.argv[1]), int(sys.argv[2])
    os.environ["REFLEX_ENV_MODE"] = "prod"
    os.environ["REFLEX_SKIP_COMPILE"] = "true"  # backend only: the frontend build is not served here
    os.environ["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(Path(__file__).resolve().parent)])
    Server(
        target="load_app:app",
        factory=True,
        address="127.0.0.1",
        port=port,
        interface=Interfaces.ASGI,
        workers=workers,
        log_level="warning",  # type: ignore[arg-type]
    ).serve()


if __name__ == "__main__":
    main()

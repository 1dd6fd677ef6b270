"""The REST API under uvicorn for the fault-injection tests (a subprocess; rate limits ON, as in production).

`setup_broker()` is what the Reflex app module does at import in production: with REDIS_URL it installs
the Redis sender and the parked-job relay. Usage: DATABASE_URL=... REDIS_URL=... python api_server.py <port>
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import uvicorn  # noqa: E402

from api_ext.app import build_api  # noqa: E402
from workers.broker import setup_broker  # noqa: E402


def main() -> None:
    setup_broker()
    uvicorn.run(build_api(), host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False)


if __name__ == "__main__":
    main()

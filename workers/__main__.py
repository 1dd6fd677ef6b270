"""`python -m workers [dramatiq options]`: the dramatiq CLI on workers.actors, both queues.

Equivalent to `dramatiq workers.actors [options] --queues default bulk`; needs REDIS_URL.
"""

from __future__ import annotations

import sys

from dramatiq.cli import main

QUEUES = ("default", "bulk")  # same as workers.broker.QUEUES, without importing the broker here


def run(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not {"--queues", "-Q"} & set(argv):
        argv += ["--queues", *QUEUES]
    sys.argv = ["dramatiq", "workers.actors", *argv]
    return main() or 0


if __name__ == "__main__":
    sys.exit(run())

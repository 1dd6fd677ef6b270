"""Job metrics (prometheus_client, default registry): how many jobs ended how, per actor.

Exposition is the host process's business (the app's /metrics route, or a scrape of the worker). With
several `dramatiq` worker processes each keeps its own counters unless PROMETHEUS_MULTIPROC_DIR is set.
"""

from __future__ import annotations

from typing import Literal

from prometheus_client import Counter

Outcome = Literal["success", "retry", "failure", "skipped"]

# prometheus_client exposes a Counter named "x" as "x_total"; the sample name is snapleads_jobs_total.
JOBS_TOTAL = Counter(
    "snapleads_jobs",
    "Background jobs processed, by actor and outcome (success, retry, failure, skipped).",
    ["actor", "outcome"],
)


def count_job(actor: str, outcome: Outcome) -> None:
    JOBS_TOTAL.labels(actor=actor, outcome=outcome).inc()

"""Dramatiq broker setup: Redis when REDIS_URL is set, otherwise a stub broker with an in-process worker.

- Full topology (REDIS_URL set): `RedisBroker`; the app processes only send, separate
  `dramatiq workers.actors --queues default bulk` processes consume.
- Embedded default (REDIS_URL unset): a `StubBroker` plus ONE `dramatiq.Worker` (2 threads) inside this
  process, so `make run` executes jobs without another process. Jobs are lost if the process dies.

`setup_broker()` also installs the sender of the domain's task queue port (`snapleads_app.core.tasks`),
so services keep naming jobs by string ("accounts.after_signup") and never import dramatiq.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
import threading
from dataclasses import dataclass
from typing import Any, Literal, cast

import dramatiq
import redis
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker
from dramatiq.common import dq_name
from dramatiq.errors import ActorNotFound, BrokerConnectionError
from dramatiq.middleware import (
    AgeLimit,
    Callbacks,
    CurrentMessage,
    Middleware,
    Pipelines,
    Retries,
    ShutdownNotifications,
    TimeLimit,
)

from snapleads_app.core import parked_jobs, tasks
from snapleads_app.core.settings import get_settings
from workers.metrics import count_job

log = logging.getLogger(__name__)

BrokerKind = Literal["redis", "in-process"]

#: Queues are named by latency, not by feature: `default` for short jobs, `bulk` for imports/exports.
QUEUES: tuple[str, ...] = ("default", "bulk")

#: Modules that declare actors; `setup_broker()` imports them so every process that sends also knows
#: every job name (the web process only calls `setup_broker()`).
ACTOR_MODULES: tuple[str, ...] = ("workers.actors",)

#: Retry budget for actors that do not set their own (Dramatiq's default is 20 retries over a week).
DEFAULT_MAX_RETRIES = 3
MIN_BACKOFF_MS = 1_000
MAX_BACKOFF_MS = 5 * 60_000
TIME_LIMIT_MS = 10 * 60_000

IN_PROCESS_WORKER_THREADS = 2
#: How often idle consumers wake up (also how late a due retry can start on the stub broker).
IN_PROCESS_WORKER_TIMEOUT_MS = 100
#: The stub broker keeps dead-lettered messages in memory: keep only the last few per queue.
DEAD_LETTERS_KEPT = 100


class UnknownJobError(LookupError):
    """`enqueue()` named a job for which no actor is declared."""


class BrokerConfigError(RuntimeError):
    """The broker cannot work in this process as configured."""


class JobOutcomes(Middleware):
    """Counts how each processed message ended in `snapleads_jobs_total{actor,outcome}`.

    Added just before `Retries`: `after_*` hooks run in reverse order, so by the time this one runs
    `Retries` has already decided between a retry and a failure (`message.failed`).
    """

    def after_process_message(
        self,
        broker: dramatiq.Broker,
        message: Any,
        *,
        result: Any = None,
        exception: BaseException | None = None,
    ) -> None:
        if message.failed:  # retries exhausted, a `throws` exception, or an expired message
            outcome = "failure"
        elif exception is None:
            outcome = "success"
        else:
            outcome = "retry"
        count_job(message.actor_name, outcome)

    def after_skip_message(self, broker: dramatiq.Broker, message: Any) -> None:
        count_job(message.actor_name, "skipped")


class _RememberActors(Middleware):
    """Remembers every declared actor so a rebuilt broker (tests, after a fork) re-declares them."""

    def after_declare_actor(self, broker: dramatiq.Broker, actor: dramatiq.Actor[Any, Any]) -> None:
        _actors[actor.actor_name] = actor


class _BoundedDeadLetters(Middleware):
    """The stub broker keeps every failed message forever; bound that in a long-running app process."""

    def after_nack(self, broker: dramatiq.Broker, message: Any) -> None:
        letters = getattr(broker, "dead_letters_by_queue", {}).get(message.queue_name)
        if letters is not None and len(letters) > DEAD_LETTERS_KEPT:
            del letters[:-DEAD_LETTERS_KEPT]


@dataclass
class _Runtime:
    broker: dramatiq.Broker
    kind: BrokerKind
    pid: int
    namespace: str
    in_process_worker: bool | None
    worker: dramatiq.Worker | None = None
    status_client: redis.Redis | None = None
    relay: parked_jobs.Relay | None = None


_lock = threading.RLock()
_runtime: _Runtime | None = None
_actors: dict[str, dramatiq.Actor[Any, Any]] = {}


def _middleware() -> list[Middleware]:
    """Dramatiq's default middleware, with our retry policy and the outcome counters."""
    return [
        AgeLimit(),
        TimeLimit(time_limit=TIME_LIMIT_MS),
        ShutdownNotifications(),
        Callbacks(),
        Pipelines(),
        JobOutcomes(),
        Retries(max_retries=DEFAULT_MAX_RETRIES, min_backoff=MIN_BACKOFF_MS, max_backoff=MAX_BACKOFF_MS),
        _RememberActors(),
        CurrentMessage(),  # actors that need their attempt number (inbox.deliver's last attempt)
    ]


def _under_dramatiq_cli() -> bool:
    """True inside `dramatiq ...` worker processes (the CLI runs its own Worker)."""
    return "dramatiq.cli" in sys.modules


def setup_broker(*, namespace: str = "dramatiq", in_process_worker: bool | None = None) -> dramatiq.Broker:
    """Build the broker once per process, make it Dramatiq's global broker, declare the actors of
    `ACTOR_MODULES` and install the job sender (and `queue_status`) into `snapleads_app.core.tasks`.

    Idempotent: later calls return the same broker (call `shutdown_broker()` first to rebuild it with new
    settings). `in_process_worker=None` starts the in-process worker only for the stub broker; True also
    starts one next to a Redis broker (a single-process deployment that still wants Redis).
    `namespace` prefixes the Redis keys (tests use their own).
    """
    global _runtime
    with _lock:
        if _runtime is not None and _runtime.pid == os.getpid():
            return _runtime.broker
        # None, or inherited through fork(): the parent's worker threads do not exist in this process.
        _runtime = None

        url = get_settings().redis_url
        runtime: _Runtime
        if url:
            client = redis.Redis.from_url(
                url, socket_connect_timeout=5, socket_timeout=30, health_check_interval=30
            )
            settings = get_settings()
            broker: dramatiq.Broker = RedisBroker(
                client=client,
                namespace=namespace,
                middleware=_middleware(),
                heartbeat_timeout=settings.worker_heartbeat_timeout_ms,
                maintenance_chance=settings.worker_maintenance_chance,
            )
            status_client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
            runtime = _Runtime(
                broker, "redis", os.getpid(), namespace, in_process_worker, status_client=status_client
            )
        else:
            if _under_dramatiq_cli():
                raise BrokerConfigError(
                    "REDIS_URL is not set: a separate `dramatiq` worker process cannot see jobs sent by the app. "
                    "Set REDIS_URL, or run the app alone (it runs jobs in-process without Redis)."
                )
            broker = StubBroker(middleware=[*_middleware(), _BoundedDeadLetters()])
            runtime = _Runtime(broker, "in-process", os.getpid(), namespace, in_process_worker)

        for queue_name in QUEUES:
            broker.declare_queue(queue_name)
        for actor in list(_actors.values()):  # actors declared on a previous broker of this process
            actor.broker = broker
            broker.declare_actor(actor)
        dramatiq.set_broker(broker)

        start_worker = in_process_worker if in_process_worker is not None else runtime.kind == "in-process"
        if start_worker:
            broker.emit_after("process_boot")  # starts the TimeLimit watchdog, as the CLI does
            worker = dramatiq.Worker(
                broker, worker_threads=IN_PROCESS_WORKER_THREADS, worker_timeout=IN_PROCESS_WORKER_TIMEOUT_MS
            )
            worker.start()  # consumer and worker threads are daemon threads
            runtime.worker = worker

        _runtime = runtime
        tasks.install_sender(_send, queue_status)
        tasks.install_delayed_sender(_send_later)
        for module in ACTOR_MODULES:  # they call setup_broker() at import: it returns this broker
            importlib.import_module(module)
        log.info("dramatiq broker ready: %s%s", runtime.kind, " + in-process worker" if start_worker else "")
        return broker


def _current() -> _Runtime:
    """The runtime of this process, rebuilt with the same options if we are a forked child."""
    runtime = _runtime
    if runtime is not None and runtime.pid == os.getpid():
        return runtime
    if runtime is None:
        raise BrokerConfigError("the broker is not set up: call workers.broker.setup_broker() first")
    setup_broker(namespace=runtime.namespace, in_process_worker=runtime.in_process_worker)
    return cast(_Runtime, _runtime)


def _ensure_relay(runtime: _Runtime) -> None:
    """Start this process's parked-job relay (Redis broker only) on first use, never at import.

    Started lazily, from a send or a health check, so it never runs in a process that later forks
    (granian and the dramatiq CLI fork after importing the app): a thread holding a pool lock at fork
    time would leave that lock held forever in the child.
    """
    if runtime.kind != "redis" or runtime.relay is not None or runtime.pid != os.getpid():
        return
    with _lock:
        if runtime.relay is None:
            runtime.relay = parked_jobs.Relay(_send)
            runtime.relay.start()


def _send(job: str, kwargs: dict[str, Any]) -> None:
    runtime = _current()
    _ensure_relay(runtime)
    broker = runtime.broker
    try:
        actor = broker.get_actor(job)
    except ActorNotFound:
        known = ", ".join(sorted(broker.get_declared_actors())) or "none"
        raise UnknownJobError(
            f"unknown job {job!r}: no actor with that name is declared (known: {known}); "
            "is workers.actors imported in this process?"
        ) from None
    try:
        actor.send(**kwargs)
    except (redis.RedisError, BrokerConnectionError) as exc:
        raise tasks.BrokerUnavailable(f"{type(exc).__name__}: {exc}") from exc


def _send_later(job: str, kwargs: dict[str, Any], delay_ms: int) -> None:
    _current().broker.get_actor(job).send_with_options(kwargs=kwargs, delay=delay_ms)


def get_broker() -> dramatiq.Broker:
    return _current().broker


def get_worker() -> dramatiq.Worker | None:
    """The in-process worker, if this process runs one."""
    return _current().worker


def broker_kind() -> BrokerKind:
    return _current().kind


def queue_status() -> dict[str, Any]:
    """Queue depths for the health endpoint; never raises (ok False when Redis is down).

    `queues` counts messages waiting to start, `delayed` retries/deferred messages not yet due,
    `dead` dead-lettered messages (kept 7 days on Redis, the last few on the stub broker).
    """
    if _runtime is None:
        return {"broker": "none", "ok": False, "queues": {}, "error": "broker not set up"}
    runtime = _runtime
    try:
        runtime = _current()  # a forked web worker (granian) rebuilds its broker and in-process worker
        _ensure_relay(runtime)  # health checks start it in processes that never send a job
        if runtime.kind == "in-process":
            return _stub_status(runtime)
        return _redis_status(runtime)
    except Exception as exc:  # a health probe reports, it does not crash
        log.warning("queue status failed: %s", exc)
        return {"broker": runtime.kind, "ok": False, "queues": {}, "error": type(exc).__name__}


def _stub_status(runtime: _Runtime) -> dict[str, Any]:
    broker = cast(StubBroker, runtime.broker)
    names = sorted(set(broker.queues) - broker.delay_queues)
    worker = runtime.worker
    worker_alive = worker is not None and bool(worker.workers) and all(t.is_alive() for t in worker.workers)
    return {
        "broker": "in-process",
        "ok": worker_alive and runtime.pid == os.getpid(),
        "queues": {name: broker.queues[name].qsize() for name in names},
        "delayed": {name: broker.queues[dq_name(name)].unfinished_tasks for name in names},
        "dead": {name: len(broker.dead_letters_by_queue.get(name, ())) for name in names},
    }


def _redis_status(runtime: _Runtime) -> dict[str, Any]:
    client = runtime.status_client
    assert client is not None  # noqa: S101 - set for every redis runtime
    names = sorted(runtime.broker.get_declared_queues())
    ns = runtime.namespace
    try:
        pipe = client.pipeline(transaction=False)
        for name in names:
            pipe.llen(f"{ns}:{name}")  # message ids waiting to be fetched
            pipe.hlen(f"{ns}:{dq_name(name)}.msgs")  # delayed messages not yet moved back
            pipe.zcard(f"{ns}:{name}.XQ")  # dead letters
        values = pipe.execute()
    except redis.RedisError as exc:
        return {"broker": "redis", "ok": False, "queues": {}, "error": type(exc).__name__}
    counts = [int(v) for v in values]
    return {
        "broker": "redis",
        "ok": True,
        "queues": {name: counts[3 * i] for i, name in enumerate(names)},
        "delayed": {name: counts[3 * i + 1] for i, name in enumerate(names)},
        "dead": {name: counts[3 * i + 2] for i, name in enumerate(names)},
    }


def forget_actor(actor_name: str) -> None:
    """Undeclare an actor (tests declare temporary actors)."""
    with _lock:
        _actors.pop(actor_name, None)
        if _runtime is not None:
            _runtime.broker.actors.pop(actor_name, None)


def shutdown_broker(*, timeout_ms: int = 5_000) -> None:
    """Stop the in-process worker, close the broker and uninstall the sender (tests, shutdown hooks).

    Declared actors are remembered and re-declared by the next `setup_broker()`.
    """
    global _runtime
    with _lock:
        runtime, _runtime = _runtime, None
        tasks.install_sender(None)
        tasks.install_delayed_sender(None)
    if runtime is None or runtime.pid != os.getpid():
        return
    if runtime.relay is not None:
        runtime.relay.stop()
    if runtime.worker is not None:
        runtime.worker.stop(timeout=timeout_ms)
    runtime.broker.close()
    if isinstance(runtime.broker, RedisBroker):
        runtime.broker.client.close()
    if runtime.status_client is not None:
        runtime.status_client.close()

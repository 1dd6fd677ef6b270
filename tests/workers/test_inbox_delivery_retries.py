"""inbox.deliver on real Redis (RedisBroker + a real dramatiq Worker, as `dramatiq workers.actors` runs it)
against a local SMTP server (aiosmtpd): transient failures (4xx, unreachable) are retried with backoff
and the message stays `pending` meanwhile; it ends `failed` with the reason only after the last attempt;
a permanent failure (5xx recipient) fails at once without a retry."""

from __future__ import annotations

import email
import email.message
import socket
import time
from collections.abc import Callable, Iterator
from typing import Any

import dramatiq
import pytest
from aiosmtpd.controller import Controller
from sqlmodel import SQLModel

from snapleads_app.core.db import get_engine, unit_of_work

JOIN_MS = 20_000
# Short enough for a test, long enough to tell a backoff from an immediate retry.
FAST_DELAYS_MS = (300, 600, 50, 50, 50)


class _FlakyInbox:
    """Answers `451` to the first `transient` RCPTs (greylisting), `550` to ghost@, accepts the rest."""

    def __init__(self) -> None:
        self.transient = 0
        self.rcpt_at: list[float] = []
        self.messages: list[email.message.Message] = []

    async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
        self.rcpt_at.append(time.monotonic())
        if address.startswith("ghost@"):
            return "550 5.1.1 no such user"
        if self.transient > 0:
            self.transient -= 1
            return "451 4.7.1 greylisted, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        raw = envelope.content if isinstance(envelope.content, bytes) else envelope.content.encode()
        self.messages.append(email.message_from_bytes(raw))
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp() -> Iterator[tuple[_FlakyInbox, int]]:
    port = _free_port()
    inbox = _FlakyInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def fast_backoff(monkeypatch: pytest.MonkeyPatch) -> tuple[int, ...]:
    from snapleads_app.domain.inbox import delivery

    assert len(FAST_DELAYS_MS) == len(delivery.RETRY_DELAYS_MS)  # same retry budget as production
    monkeypatch.setattr(delivery, "RETRY_DELAYS_MS", FAST_DELAYS_MS)
    return FAST_DELAYS_MS


@pytest.fixture
def worker(redis_broker: Any) -> Iterator[dramatiq.Worker]:
    import workers.actors  # noqa: F401 - declares inbox.deliver on this broker

    started = dramatiq.Worker(redis_broker, queues={"default"}, worker_threads=1, worker_timeout=100)
    started.start()
    yield started
    started.stop(timeout=5_000)


def _owner_with_smtp(port: int) -> Any:
    import snapleads_app.domain.models_registry  # noqa: F401
    from snapleads_app.domain.accounts.models import Workspace
    from tests.factories import register_owner

    SQLModel.metadata.create_all(get_engine())
    owner = register_owner("ana@example.com", workspace="Agência Sol")
    with unit_of_work() as session:
        ws = session.get(Workspace, owner.workspace_id)
        assert ws is not None
        ws.settings = {"email_channel": {"host": "127.0.0.1", "port": port, "security": "none"}}
        session.add(ws)
    return owner


def _send(owner: Any, lead_email: str) -> Any:
    from snapleads_app.domain.inbox import service as inbox
    from tests.factories import make_lead

    lead = make_lead(owner, email=lead_email, full_name="Bruno Lima")
    with unit_of_work() as session:
        return inbox.send_to_lead(
            session=session, ctx=owner.ctx, lead_id=lead.id, body="Oi!", channel="email"
        )


def _status(owner: Any, message: Any) -> Any:
    from snapleads_app.domain.inbox import service as inbox

    with unit_of_work() as session:
        found = inbox.get_messages_by_id(
            session=session, ctx=owner.ctx, conversation_id=message.conversation_id, ids=[message.id]
        )
    return found[0]


def _wait_for(check: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError("condition not reached in time")


def test_actor_retry_budget_matches_the_backoff_schedule(redis_broker: Any, worker: Any) -> None:
    from snapleads_app.domain.inbox import delivery

    actor = redis_broker.get_actor("inbox.deliver")
    assert actor.options["max_retries"] == len(delivery.RETRY_DELAYS_MS) == 5
    assert [delivery.retry_delay_ms(a) for a in range(7)] == [
        5_000, 30_000, 120_000, 600_000, 1_800_000, 1_800_000, 1_800_000,
    ]  # fmt: skip


def test_greylisted_4xx_is_retried_with_backoff_then_sent(
    redis_broker: Any, worker: Any, smtp: tuple[_FlakyInbox, int], fast_backoff: tuple[int, ...]
) -> None:
    inbox, port = smtp
    owner = _owner_with_smtp(port)
    inbox.transient = 2
    queued = _send(owner, "bruno@example.com")

    _wait_for(lambda: len(inbox.rcpt_at) >= 1)
    time.sleep(0.1)
    assert _status(owner, queued).status == "pending"  # not failed while a retry is due

    _wait_for(lambda: _status(owner, queued).status == "sent")
    assert len(inbox.rcpt_at) == 3 and len(inbox.messages) == 1
    gaps = [b - a for a, b in zip(inbox.rcpt_at, inbox.rcpt_at[1:], strict=False)]
    # Dramatiq's delayed queue: each retry waits at least its backoff.
    assert gaps[0] >= fast_backoff[0] / 1000 - 0.05 and gaps[1] >= fast_backoff[1] / 1000 - 0.05
    sent = _status(owner, queued)
    assert sent.error is None and sent.external_id == f"<snapleads-msg-{queued.id}@snapleads.local>"


def test_unreachable_server_fails_only_after_the_last_retry_with_the_reason(
    redis_broker: Any, worker: Any, fast_backoff: tuple[int, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    from snapleads_app.domain.inbox import delivery

    attempts: list[float] = []
    real_deliver = delivery.deliver

    def counting(message_id: int, *, final_attempt: bool = True) -> str | None:
        attempts.append(time.monotonic())
        return real_deliver(message_id, final_attempt=final_attempt)

    monkeypatch.setattr(delivery, "deliver", counting)
    owner = _owner_with_smtp(_free_port())  # nothing listens there: connection refused
    queued = _send(owner, "bruno@example.com")

    _wait_for(lambda: _status(owner, queued).status == "failed")
    failed = _status(owner, queued)
    assert "unreachable" in (failed.error or "")
    assert len(attempts) == 1 + len(fast_backoff)  # the first run and every retry
    assert attempts[1] - attempts[0] >= fast_backoff[0] / 1000 - 0.05


def test_refused_recipient_5xx_fails_at_once_without_retry(
    redis_broker: Any, worker: Any, smtp: tuple[_FlakyInbox, int], fast_backoff: tuple[int, ...]
) -> None:
    inbox, port = smtp
    owner = _owner_with_smtp(port)
    queued = _send(owner, "ghost@example.com")

    _wait_for(lambda: _status(owner, queued).status == "failed")
    failed = _status(owner, queued)
    assert "refused" in (failed.error or "") and "550" in (failed.error or "")
    time.sleep(0.8)  # longer than the first backoff: a wrong retry would have reached the server
    assert len(inbox.rcpt_at) == 1 and inbox.messages == []

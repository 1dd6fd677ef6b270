"""Notification e-mails through a real Dramatiq worker (the embedded default's stub broker + in-process
worker, as `make run` runs them) against a local SMTP server (aiosmtpd): a temporary refusal (451) is
retried and the e-mail arrives once; a permanent one (550) is not retried."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import SQLModel

from snapleads_app.core.db import get_engine, unit_of_work
from tests.smtp_inbox import Inbox, smtp_inbox_fixture  # noqa: F401 - the smtp_inbox fixture

JOIN_MS = 20_000
RESET = "notifications.password_reset"


@pytest.fixture
def app_broker(smtp_inbox: Inbox, stub_broker: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The stub broker with the notification actors declared, on a fresh SQLite file, fast backoff."""
    import snapleads_app.domain.models_registry  # noqa: F401 - every table
    import workers.actors  # noqa: F401 - declares the notification actors on the current broker

    SQLModel.metadata.create_all(get_engine())
    actor = stub_broker.get_actor(RESET)
    monkeypatch.setitem(actor.options, "min_backoff", 50)  # 1 s … 5 min in production
    monkeypatch.setitem(actor.options, "max_backoff", 100)
    return stub_broker


def _ask_for_a_reset(email: str) -> None:
    from snapleads_app.domain.notifications import service as notifications
    from tests.factories import register_owner

    register_owner(email=email)
    with unit_of_work() as session:
        notifications.request_password_reset(session=session, email=email)  # enqueued after commit


def test_every_notification_actor_retries_with_a_budget() -> None:
    import dramatiq

    import workers.actors as module

    actors = [a for a in vars(module).values() if isinstance(a, dramatiq.Actor)]
    notification_actors = {a.actor_name: a for a in actors if a.actor_name.startswith("notifications.")}
    assert set(notification_actors) == {
        "notifications.invitation",
        "notifications.password_reset",
        "notifications.import_finished",
        "notifications.lead_assigned",
        "notifications.new_message",
        "notifications.flush_messages",
    }
    assert {a.options["max_retries"] for a in notification_actors.values()} == {module.NOTIFY_RETRIES}
    assert module.NOTIFY_RETRIES >= 3


def test_a_greylisted_email_is_retried_by_the_worker_and_arrives_once(
    app_broker: Any, smtp_inbox: Inbox, jobs_count: Callable[[str, str], float]
) -> None:
    before = {outcome: jobs_count(RESET, outcome) for outcome in ("retry", "success", "failure")}
    smtp_inbox.transient = 2
    _ask_for_a_reset("grey@example.com")
    app_broker.join("default", timeout=JOIN_MS)

    assert smtp_inbox.attempts == 3  # two 451s, then accepted
    [mail] = smtp_inbox.messages
    assert mail.to == ["grey@example.com"] and mail.link("/reset-password?token=")
    assert jobs_count(RESET, "retry") - before["retry"] == 2
    assert jobs_count(RESET, "success") - before["success"] == 1
    assert jobs_count(RESET, "failure") == before["failure"]


def test_a_refused_recipient_is_not_retried(
    app_broker: Any, smtp_inbox: Inbox, jobs_count: Callable[[str, str], float]
) -> None:
    before = jobs_count(RESET, "retry")
    _ask_for_a_reset(f"gone@{smtp_inbox.refuse_domain}")
    app_broker.join("default", timeout=JOIN_MS)

    assert smtp_inbox.attempts == 1 and smtp_inbox.messages == []  # 550: given up (logged mail.bounced)
    assert jobs_count(RESET, "retry") == before

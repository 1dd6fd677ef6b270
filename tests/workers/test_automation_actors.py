"""The automation/scoring/webhook actors on the embedded default (stub broker + in-process worker):
a lead created through the service is scored, tagged by an automation and announced to a webhook by
real Dramatiq workers; a failed webhook attempt becomes a Dramatiq retry with the backoff delay."""

from __future__ import annotations

import importlib
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import dramatiq
import pytest
from sqlmodel import SQLModel

from snapleads_app.core.db import get_engine, unit_of_work
from snapleads_app.core.settings import get_settings


@pytest.fixture
def app(stub_broker: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    importlib.import_module("snapleads_app.domain.models_registry")
    import workers.actors as actors

    SQLModel.metadata.create_all(get_engine())
    monkeypatch.setattr(get_settings(), "webhooks_allow_private", True)
    return actors


class _Receiver:
    def __init__(self, fail_first: int) -> None:
        self.bodies: list[bytes] = []
        self.fail = fail_first
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                owner.bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
                self.send_response(500 if owner.fail > 0 else 204)
                owner.fail -= 1
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/in"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def _until(predicate: Any, timeout: float = 20) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_lead_created_runs_scoring_automation_and_webhook_in_the_worker(app):
    from snapleads_app.domain.automations import service as automations
    from snapleads_app.domain.automations.models import AutomationIn, RunFilter
    from snapleads_app.domain.leads import service as leads
    from snapleads_app.domain.scoring import service as scoring
    from snapleads_app.domain.webhooks import service as webhooks
    from snapleads_app.domain.webhooks.models import WebhookIn
    from tests.domain.automation_support import make_tag
    from tests.factories import make_lead, register_owner

    receiver = _Receiver(fail_first=0)
    try:
        owner = register_owner()
        tag_id = make_tag(owner, "Worker")
        with unit_of_work() as session:
            webhooks.create_webhook(
                session=session, ctx=owner.ctx, data=WebhookIn(url=receiver.url, events=["lead.created"])
            )
            automations.create_automation(session=session, ctx=owner.ctx, data=AutomationIn(
                name="Tag", trigger="lead_created", actions=[{"type": "add_tag", "tag_id": tag_id}]))  # fmt: skip
        lead = make_lead(owner, email="w@example.com")

        def runs() -> list[Any]:
            with unit_of_work() as session:
                return automations.list_runs(session=session, ctx=owner.ctx, filters=RunFilter())

        assert _until(lambda: [r.status for r in runs()] == ["success"])
        assert _until(lambda: len(receiver.bodies) == 1)
        with unit_of_work() as session:
            assert leads.get_lead(session=session, ctx=owner.ctx, lead_id=lead.id).tag_ids == [tag_id]
            assert scoring.explanation(session=session, ctx=owner.ctx, lead_id=lead.id).score > 0
    finally:
        receiver.server.shutdown()


def test_failed_delivery_is_retried_with_the_backoff_delay(app):
    from snapleads_app.domain.webhooks import service as webhooks
    from snapleads_app.domain.webhooks.models import WebhookIn
    from tests.factories import register_owner

    receiver = _Receiver(fail_first=1)
    try:
        owner = register_owner()
        with unit_of_work() as session:
            hook = webhooks.create_webhook(
                session=session, ctx=owner.ctx, data=WebhookIn(url=receiver.url, events=["lead.created"])
            )
            delivery = webhooks.send_test(session=session, ctx=owner.ctx, webhook_id=hook.id)

        # the worker may already have taken the first attempt: wait until it is recorded (not only
        # received, or the two attempts race), then call the actor's function for the next ones
        def recorded_attempts() -> int:
            with unit_of_work() as session:
                [entry] = webhooks.list_deliveries(session=session, ctx=owner.ctx, webhook_id=hook.id)
            return entry.attempts

        _until(lambda: recorded_attempts() >= 1, 10)
        try:
            app.deliver_webhook.fn(delivery.id)
        except dramatiq.Retry as retry:  # only if the queued attempt had not run yet
            assert retry.delay == 10_000
            app.deliver_webhook.fn(delivery.id)
        with unit_of_work() as session:
            [logged] = webhooks.list_deliveries(session=session, ctx=owner.ctx, webhook_id=hook.id)
        assert (logged.status, logged.attempts) == ("success", 2)
    finally:
        receiver.server.shutdown()

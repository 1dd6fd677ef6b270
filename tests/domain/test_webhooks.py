"""Webhooks: subscriptions, signed deliveries to a local receiver, retries/backoff, the log, SSRF guard."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from snapleads_app.core.db import unit_of_work
from snapleads_app.core.errors import InvalidInput, NotFound, PermissionDenied
from snapleads_app.core.settings import get_settings
from snapleads_app.domain.webhooks import rules
from snapleads_app.domain.webhooks import service as webhooks
from snapleads_app.domain.webhooks.models import WebhookIn, WebhookUpdate
from tests.domain.automation_support import drain, make_automation, make_tag
from tests.factories import add_member, make_lead, register_owner


class Receiver:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.fail_next = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"headers": dict(self.headers), "body": body})
                status = 500 if receiver.fail_next > 0 else 200
                receiver.fail_next -= 1
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok" if status == 200 else b"boom")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    monkeypatch.setattr(get_settings(), "webhooks_allow_private", True)  # the development setting
    server = Receiver()
    yield server
    server.server.shutdown()


def _deliver_all(jobs) -> list[int | None]:
    outcomes = []
    for name, kwargs in list(jobs):
        if name == webhooks.DELIVER_JOB:
            jobs.remove((name, kwargs))
            with unit_of_work() as session:
                outcomes.append(webhooks.deliver(session=session, **kwargs))
    return outcomes


def _hook(member, url, events):
    with unit_of_work() as session:
        return webhooks.create_webhook(
            session=session, ctx=member.ctx, data=WebhookIn(url=url, events=events)
        )


def test_lead_created_is_delivered_signed(jobs, receiver):
    owner = register_owner()
    hook = _hook(owner, receiver.url, ["lead.created"])
    lead = make_lead(owner, full_name="Ana Souza")
    drain(jobs)
    assert _deliver_all(jobs) == [None]
    [request] = receiver.requests
    headers, body = request["headers"], request["body"]
    assert rules.verify(hook.secret, headers[rules.TIMESTAMP_HEADER], body, headers[rules.SIGNATURE_HEADER])
    assert not rules.verify(
        "another-secret", headers[rules.TIMESTAMP_HEADER], body, headers[rules.SIGNATURE_HEADER]
    )
    payload = json.loads(body)
    assert payload["event"] == "lead.created" and payload["data"]["lead"]["id"] == lead.id
    assert headers[rules.EVENT_HEADER] == "lead.created"
    with unit_of_work() as session:
        [delivery] = webhooks.list_deliveries(session=session, ctx=owner.ctx, webhook_id=hook.id)
        [listed] = webhooks.list_webhooks(session=session, ctx=owner.ctx)
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("success", 1, 200)
    assert listed.last_status == "success"


def test_failures_retry_with_backoff_then_succeed_or_give_up(jobs, receiver):
    owner = register_owner()
    hook = _hook(owner, receiver.url, ["lead.updated"])
    with unit_of_work() as session:
        delivery = webhooks.send_test(session=session, ctx=owner.ctx, webhook_id=hook.id)
    receiver.fail_next = 2
    with unit_of_work() as session:
        assert webhooks.deliver(session=session, delivery_id=delivery.id) == 10
    with unit_of_work() as session:
        assert webhooks.deliver(session=session, delivery_id=delivery.id) == 40
    with unit_of_work() as session:
        assert webhooks.deliver(session=session, delivery_id=delivery.id) is None
    with unit_of_work() as session:
        assert webhooks.deliver(session=session, delivery_id=delivery.id) is None  # redelivered: no 4th call
        [logged] = webhooks.list_deliveries(session=session, ctx=owner.ctx, webhook_id=hook.id)
    assert (logged.status, logged.attempts, logged.event) == ("success", 3, "test")
    assert len(receiver.requests) == 3
    receiver.fail_next = 100
    with unit_of_work() as session:
        again = webhooks.send_test(session=session, ctx=owner.ctx, webhook_id=hook.id)
    for _ in range(webhooks.MAX_ATTEMPTS):
        with unit_of_work() as session:
            webhooks.deliver(session=session, delivery_id=again.id)
    with unit_of_work() as session:
        latest = webhooks.list_deliveries(session=session, ctx=owner.ctx, webhook_id=hook.id)[0]
    assert (latest.status, latest.attempts, latest.error) == ("failed", webhooks.MAX_ATTEMPTS, "HTTP 500")


def test_private_targets_are_refused_without_the_development_setting(jobs):
    owner = register_owner()
    assert get_settings().webhooks_allow_private is False
    hook = _hook(owner, "http://127.0.0.1:9/hook", ["lead.created"])
    with unit_of_work() as session:
        delivery = webhooks.send_test(session=session, ctx=owner.ctx, webhook_id=hook.id)
    with unit_of_work() as session:
        assert webhooks.deliver(session=session, delivery_id=delivery.id) is None  # no retry: never allowed
        [logged] = webhooks.list_deliveries(session=session, ctx=owner.ctx, webhook_id=hook.id)
    assert (logged.status, logged.error) == ("failed", "private_address_refused")
    for address, public in [("10.1.2.3", False), ("169.254.169.254", False), ("::1", False),
                            ("::ffff:127.0.0.1", False), ("8.8.8.8", True)]:  # fmt: skip
        assert rules.is_public_address(address) is public


def test_validation_roles_and_tenancy(jobs):
    owner, other = register_owner(), register_owner(workspace="Other")
    manager = add_member(owner, "manager")
    for url in ("ftp://example.com/x", "file:///etc/passwd", "https://user:pw@example.com/"):
        with pytest.raises(InvalidInput), unit_of_work() as session:
            webhooks.create_webhook(
                session=session, ctx=owner.ctx, data=WebhookIn(url=url, events=["lead.created"])
            )
    with pytest.raises(PermissionDenied), unit_of_work() as session:
        webhooks.list_webhooks(session=session, ctx=manager.ctx)
    theirs = _hook(other, "https://example.com/hook", ["lead.created"])
    with pytest.raises(NotFound), unit_of_work() as session:
        webhooks.update_webhook(
            session=session, ctx=owner.ctx, webhook_id=theirs.id, data=WebhookUpdate(enabled=False)
        )
    with pytest.raises(NotFound), unit_of_work() as session:
        webhooks.send_test(session=session, ctx=owner.ctx, webhook_id=theirs.id)
    make_lead(owner)
    drain(jobs)
    assert not [j for j in jobs if j[0] == webhooks.DELIVER_JOB]  # another workspace's hook heard nothing


def test_automation_webhook_action_and_run_event(jobs, receiver):
    owner = register_owner()
    hook = _hook(owner, receiver.url, ["automation.run"])
    tag_id = make_tag(owner, "T")
    make_automation(
        owner, name="Call out", trigger="lead_created",
        actions=[{"type": "add_tag", "tag_id": tag_id}, {"type": "webhook", "webhook_id": hook.id}],
    )  # fmt: skip
    make_lead(owner)
    drain(jobs)
    _deliver_all(jobs)
    events = sorted(json.loads(r["body"])["event"] for r in receiver.requests)
    assert events == ["automation.action", "automation.run"]

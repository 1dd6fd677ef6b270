"""Helpers for the automations/scoring/webhooks tests: a stub inbox channel, a recorder of delayed jobs,
and running the recorded `reactions.process` jobs the way the worker would."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest

from snapleads_app.core import tasks
from snapleads_app.core.db import unit_of_work
from snapleads_app.domain import reactions
from snapleads_app.domain.automations import ports
from snapleads_app.domain.automations import service as automations
from snapleads_app.domain.automations.models import AutomationIn
from snapleads_app.domain.tags import service as tags
from snapleads_app.domain.tags.models import TagIn


@dataclass
class StubChannel:
    """The inbox as the automations see it: records sends, answers replies/stats from its fields."""

    replied: bool = False
    inbound: int = 0
    sent: list[tuple[int, int, str | None]] = field(default_factory=list)

    def send_template_to_lead(self, *, session, ctx, lead_id, template_id, channel=None) -> object:
        self.sent.append((lead_id, template_id, channel))
        return {"ok": True}

    def lead_replied_since(self, *, session, workspace_id, lead_id, since: datetime | None) -> bool:
        return self.replied

    def lead_message_stats(self, *, session, workspace_id, lead_id) -> tuple[int, int, bool]:
        return (self.inbound, len(self.sent), self.replied)

    def engagement_sql(self) -> str | None:
        return None


@pytest.fixture
def channel() -> Iterator[StubChannel]:
    stub = StubChannel()
    ports.use_messaging(stub)
    yield stub
    ports.use_messaging(None)


@pytest.fixture
def delayed() -> Iterator[list[tuple[str, dict[str, Any], int]]]:
    sent: list[tuple[str, dict[str, Any], int]] = []
    previous = tasks._delayed_sender
    tasks.install_delayed_sender(lambda job, kwargs, delay_ms: sent.append((job, kwargs, delay_ms)))
    yield sent
    tasks.install_delayed_sender(previous)


def drain(jobs: list[tuple[str, dict[str, Any]]], *, limit: int = 50) -> int:
    """Run every recorded reactions job (and those they cause) like the worker; returns how many ran."""
    ran = 0
    while ran < limit:
        pending = [(i, kw) for i, (name, kw) in enumerate(jobs) if name == reactions.JOB]
        if not pending:
            return ran
        index, kwargs = pending[0]
        del jobs[index]
        reactions.process(**kwargs)
        ran += 1
    raise AssertionError("reactions never settled (loop?)")


def make_tag(member, name: str) -> int:
    with unit_of_work() as session:
        return tags.create_tag(session=session, ctx=member.ctx, data=TagIn(name=name)).id


def make_automation(member, **data: Any):
    with unit_of_work() as session:
        return automations.create_automation(session=session, ctx=member.ctx, data=AutomationIn(**data))

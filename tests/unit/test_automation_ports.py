"""The inbox port: NoInbox until the inbox exists; the inbox service is picked up and delegated to."""

from __future__ import annotations

import sys
import types
from datetime import UTC, datetime

import pytest

from snapleads_app.core.errors import InvalidInput
from snapleads_app.domain.automations import ports


def test_without_an_inbox_nothing_was_said_and_nothing_can_be_sent(monkeypatch):
    monkeypatch.setattr(ports.importlib.util, "find_spec", lambda name: None)
    impl = ports._default_messaging()
    assert isinstance(impl, ports.NoInbox)
    assert impl.lead_message_stats(session=None, workspace_id=1, lead_id=1) == (0, 0, False)  # type: ignore[arg-type]
    assert impl.lead_replied_since(session=None, workspace_id=1, lead_id=1, since=None) is False  # type: ignore[arg-type]
    with pytest.raises(InvalidInput) as err:
        impl.send_template_to_lead(session=None, ctx=None, lead_id=1, template_id=1)  # type: ignore[arg-type]
    assert err.value.code == "no_channel"


def test_the_inbox_service_is_wired_by_its_contract(monkeypatch):
    calls: list[tuple[str, dict]] = []
    fake = types.ModuleType("snapleads_app.domain.inbox.service")
    fake.send_template_to_lead = lambda **kw: calls.append(("send", kw)) or "msg"  # type: ignore[attr-defined]
    fake.lead_replied_since = lambda **kw: calls.append(("replied", kw)) or True  # type: ignore[attr-defined]
    fake.lead_message_stats = lambda **kw: (3, 1, True)  # type: ignore[attr-defined]
    monkeypatch.setitem(
        sys.modules, "snapleads_app.domain.inbox", types.ModuleType("snapleads_app.domain.inbox")
    )
    monkeypatch.setitem(sys.modules, "snapleads_app.domain.inbox.service", fake)
    monkeypatch.setattr(ports.importlib.util, "find_spec", lambda name: object())
    impl = ports._default_messaging()
    assert isinstance(impl, ports.InboxMessaging)
    since = datetime(2026, 1, 1, tzinfo=UTC)
    assert impl.lead_replied_since(session=None, workspace_id=2, lead_id=5, since=since) is True  # type: ignore[arg-type]
    sent = impl.send_template_to_lead(session=None, ctx=None, lead_id=5, template_id=7, channel="instagram")  # type: ignore[arg-type]
    assert sent == "msg"
    assert impl.lead_message_stats(session=None, workspace_id=2, lead_id=5) == (3, 1, True)  # type: ignore[arg-type]
    assert impl.engagement_sql() is None
    assert calls[0] == ("replied", {"session": None, "workspace_id": 2, "lead_id": 5, "since": since})
    assert calls[1][1]["template_id"] == 7 and calls[1][1]["channel"] == "instagram"

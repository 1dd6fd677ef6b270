"""Meetings: who may schedule what, the lead moves to "scheduled", and the private ICS feed (tenancy,
revocation, valid iCalendar)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import icalendar
import pytest

from snapleads_app.core import clock
from snapleads_app.core.db import unit_of_work
from snapleads_app.core.errors import NotFound, PermissionDenied
from snapleads_app.domain.accounts import service as accounts
from snapleads_app.domain.accounts.models import AcceptInviteIn, ClientInfo, InviteIn
from snapleads_app.domain.leads import service as leads
from snapleads_app.domain.meetings import service as meetings
from snapleads_app.domain.meetings.models import MeetingCreate, MeetingPublic, MeetingUpdate
from tests.factories import PASSWORD, Member, add_member, make_lead, register_owner


def _at(hours: float) -> datetime:
    return (clock.now() + timedelta(hours=hours)).replace(microsecond=0)


def _schedule(member: Member, lead_id: int, hours: float = 24, **fields: Any) -> MeetingPublic:
    with unit_of_work() as session:
        return meetings.create_meeting(
            session=session,
            ctx=member.ctx,
            data=MeetingCreate(lead_id=lead_id, starts_at=_at(hours), **fields),
        )


def _feed_url_token(member: Member) -> str:
    with unit_of_work() as session:
        created = meetings.create_feed(session=session, ctx=member.ctx)
    return created.url.rsplit("/", 1)[1].removesuffix(".ics")


def _feed(token: str) -> icalendar.Calendar:
    with unit_of_work() as session:
        raw = meetings.feed_ics(session=session, token=token)
    return icalendar.Calendar.from_ical(raw)


def _uids(cal: icalendar.Calendar) -> set[str]:
    return {str(event["uid"]) for event in cal.walk("VEVENT")}


def test_scheduling_a_meeting_moves_the_lead_to_scheduled() -> None:
    owner = register_owner()
    lead = make_lead(owner, full_name="Ana Souza")
    meeting = _schedule(
        owner, lead.id, duration_minutes=45, location="https://meet.example.com/abc", notes="Demo"
    )
    assert meeting.lead_name == "Ana Souza" and meeting.organiser_id == owner.user_id
    with unit_of_work() as session:
        assert leads.get_lead(session=session, ctx=owner.ctx, lead_id=lead.id).status == "scheduled"
    second = _schedule(owner, lead.id, hours=48)  # one or more meetings per lead
    with unit_of_work() as session:
        listed = meetings.list_for_lead(session=session, ctx=owner.ctx, lead_id=lead.id)
    assert [m.id for m in listed] == [meeting.id, second.id]


def test_agents_schedule_only_their_leads_and_only_for_themselves() -> None:
    owner = register_owner()
    agent = add_member(owner, "agent")
    viewer = add_member(owner, "viewer")
    theirs = make_lead(owner, assignee_id=agent.user_id)
    other = make_lead(owner)
    _schedule(agent, theirs.id)
    with pytest.raises(NotFound):  # not assigned to them: they cannot even see it
        _schedule(agent, other.id)
    with pytest.raises(PermissionDenied):
        _schedule(agent, theirs.id, organiser_id=owner.user_id)
    with pytest.raises(PermissionDenied):
        _schedule(viewer, other.id)
    # A manager/owner may organise for a member.
    assert _schedule(owner, other.id, organiser_id=agent.user_id).organiser_id == agent.user_id


def test_other_workspaces_get_404() -> None:
    owner = register_owner()
    stranger = register_owner(workspace="Elsewhere")
    lead = make_lead(owner)
    meeting = _schedule(owner, lead.id)
    with pytest.raises(NotFound):
        _schedule(stranger, lead.id)
    with pytest.raises(NotFound), unit_of_work() as session:
        meetings.get_meeting(session=session, ctx=stranger.ctx, meeting_id=meeting.id)
    with pytest.raises(NotFound), unit_of_work() as session:
        meetings.meeting_ics(session=session, ctx=stranger.ctx, meeting_id=meeting.id)
    with pytest.raises(NotFound):
        _schedule(owner, lead.id, organiser_id=stranger.user_id)


def test_update_bumps_the_sequence_and_upcoming_lists_only_future_own_meetings() -> None:
    owner = register_owner()
    manager = add_member(owner, "manager")
    lead = make_lead(owner)
    past = _schedule(owner, lead.id, hours=-30)
    soon = _schedule(owner, lead.id, hours=2)
    later = _schedule(owner, lead.id, hours=30)
    _schedule(manager, lead.id, hours=3)  # the manager's, not the owner's
    with unit_of_work() as session:
        updated = meetings.update_meeting(
            session=session, ctx=owner.ctx, meeting_id=later.id, data=MeetingUpdate(location="Sala 2")
        )
        assert updated.location == "Sala 2"
        ids = [m.id for m in meetings.upcoming(session=session, ctx=owner.ctx)]
    assert ids == [soon.id, later.id] and past.id not in ids
    with unit_of_work() as session:
        cal = icalendar.Calendar.from_ical(
            meetings.meeting_ics(session=session, ctx=owner.ctx, meeting_id=later.id)
        )
    [event] = cal.walk("VEVENT")
    assert event.decoded("sequence") == 1 and str(event["location"]) == "Sala 2"
    assert str(cal["method"]) == "REQUEST"


def _join(owner: Member, user_email: str, role: str = "agent") -> None:
    """An existing account joins another workspace through an invitation."""
    with unit_of_work() as session:
        created = accounts.invite(session=session, ctx=owner.ctx, data=InviteIn(email=user_email, role=role))  # type: ignore[arg-type]
    with unit_of_work() as session:
        accounts.accept_invitation(
            session=session, token=created.token, data=AcceptInviteIn(password=PASSWORD), client=ClientInfo()
        )


def _as(member: Member, workspace_id: int, role: str) -> Member:
    return Member(
        email=member.email, user_id=member.user_id, workspace_id=workspace_id, role=role, tokens=member.tokens
    )


def test_feed_holds_exactly_the_users_meetings_across_their_workspaces() -> None:
    alice = register_owner(email="alice@example.com", workspace="A")
    bob_ws = register_owner(email="bob@example.com", workspace="B")
    _join(bob_ws, alice.email, role="manager")  # alice is also a manager in B
    alice_in_b = _as(alice, bob_ws.workspace_id, "manager")
    colleague = add_member(alice, "manager")

    mine_a = _schedule(
        alice, make_lead(alice, full_name="Lead A", company="Acme").id, notes="Bring <pricing>"
    )
    mine_b = _schedule(alice_in_b, make_lead(bob_ws, full_name="Lead B").id)
    not_mine_b = _schedule(bob_ws, make_lead(bob_ws).id)
    not_mine_a = _schedule(colleague, make_lead(alice).id)

    token = _feed_url_token(alice)
    cal = _feed(token)
    assert _uids(cal) == {f"meeting-{mine_a.id}@snapleads", f"meeting-{mine_b.id}@snapleads"}
    assert f"meeting-{not_mine_a.id}@snapleads" not in _uids(cal)
    assert f"meeting-{not_mine_b.id}@snapleads" not in _uids(cal)
    assert str(cal["method"]) == "PUBLISH" and str(cal["version"]) == "2.0" and cal["prodid"]
    event = next(e for e in cal.walk("VEVENT") if str(e["uid"]) == f"meeting-{mine_a.id}@snapleads")
    assert str(event["summary"]) == "Lead A · Acme"
    assert event.decoded("dtstart") == mine_a.starts_at.astimezone(UTC)
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(minutes=30)
    assert "Bring <pricing>" in str(event["description"])

    # Leaving workspace B takes B's meetings out of the feed.
    with unit_of_work() as session:
        accounts.remove_member(session=session, ctx=bob_ws.ctx, user_id=alice.user_id)
    assert _uids(_feed(token)) == {f"meeting-{mine_a.id}@snapleads"}


def test_a_revoked_or_replaced_feed_token_is_not_found() -> None:
    owner = register_owner()
    first = _feed_url_token(owner)
    assert _uids(_feed(first)) == set()
    second = _feed_url_token(owner)  # a new URL replaces the old one
    with pytest.raises(NotFound):
        _feed(first)
    _feed(second)
    with unit_of_work() as session:
        meetings.revoke_feed(session=session, ctx=owner.ctx)
        assert meetings.feed_status(session=session, ctx=owner.ctx).active is False
    with pytest.raises(NotFound):
        _feed(second)
    with pytest.raises(NotFound):
        _feed("never-issued")

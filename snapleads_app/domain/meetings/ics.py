"""iCalendar (RFC 5545) output with the `icalendar` library: the subscription feed and .ics invitations.

Google Calendar and Outlook subscribe to a feed with METHOD:PUBLISH (no attendees), stable UIDs and
UTC times; an invitation file uses METHOD:REQUEST with the organiser (and the lead when they have an
e-mail) so mail clients offer "add to calendar".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from icalendar import Calendar, Event, vCalAddress, vText

from snapleads_app.core import clock
from snapleads_app.core.settings import get_settings
from snapleads_app.domain.accounts.models import User
from snapleads_app.domain.leads.models import Lead
from snapleads_app.domain.meetings.models import Meeting
from snapleads_app.domain.notifications.service import lead_display_name

PRODID = "-//SnapLeads//Meetings//EN"
UID_DOMAIN = "snapleads"


def _calendar(method: str, name: str | None = None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
        # Ask subscribers to refresh hourly (Outlook honours the first, Apple/others the second).
        cal.add("x-published-ttl", "PT1H")
        cal.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    return cal


def _address(user: User | None, email: str | None = None, name: str | None = None) -> vCalAddress | None:
    address = email or (user.email if user else None)
    if not address:
        return None
    value = vCalAddress(f"mailto:{address}")
    label = name or (user.full_name if user else "")
    if label:
        value.params["cn"] = vText(label)
    return value


def _event(meeting: Meeting, lead: Lead, organiser: User | None) -> Event:
    event = Event()
    event.add("uid", f"meeting-{meeting.id}@{UID_DOMAIN}")
    event.add("dtstamp", clock.now())
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.starts_at + timedelta(minutes=meeting.duration_minutes))
    event.add("created", meeting.created_at)
    event.add("last-modified", meeting.updated_at)
    event.add("sequence", meeting.sequence)
    event.add("summary", f"{lead_display_name(lead)}{f' · {lead.company}' if lead.company else ''}")
    if meeting.location:
        event.add("location", meeting.location)
        if meeting.location.startswith(("https://", "http://")):
            event.add("url", meeting.location)
    lead_url = get_settings().public_url.rstrip("/") + f"/leads?lead={lead.id}"
    description = "\n\n".join(part for part in (meeting.notes.strip(), f"SnapLeads: {lead_url}") if part)
    event.add("description", description)
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    organiser_address = _address(organiser)
    if organiser_address is not None:
        event.add("organizer", organiser_address)
    return event


def feed(user: User, meetings: Sequence[tuple[Meeting, Lead]]) -> bytes:
    cal = _calendar("PUBLISH", name=f"SnapLeads · {user.full_name}")
    for meeting, lead in meetings:
        cal.add_component(_event(meeting, lead, user))
    return cal.to_ical()


def invitation(meeting: Meeting, lead: Lead, organiser: User | None) -> bytes:
    cal = _calendar("REQUEST")
    event = _event(meeting, lead, organiser)
    attendees = [_address(organiser)]
    if lead.email:
        attendees.append(_address(None, lead.email, lead_display_name(lead)))
    for attendee in attendees:
        if attendee is not None:
            attendee.params["role"] = vText("REQ-PARTICIPANT")
            attendee.params["partstat"] = vText("NEEDS-ACTION")
            event.add("attendee", attendee, encode=False)
    cal.add_component(event)
    return cal.to_ical()

"""REST: forgot/reset password (no enumeration: same response, similar timing), preferences, meetings,
.ics downloads and the private calendar feed (revoked → 404)."""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime, timedelta

import icalendar
from fastapi.testclient import TestClient

from snapleads_app.core import clock
from tests.factories import make_lead, register_owner

FORGOT = "/api/v1/auth/password/forgot"


def _forgot(client: TestClient, email: str):
    return client.post(FORGOT, json={"email": email})


def test_forgot_answers_the_same_for_known_and_unknown_emails(client: TestClient, jobs) -> None:
    register_owner(email="ana@example.com")
    known = _forgot(client, "ana@example.com")
    unknown = _forgot(client, "nobody@example.com")
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert set(known.headers) - {"x-request-id", "server-timing", "x-ratelimit-remaining"} == set(
        unknown.headers
    ) - {"x-request-id", "server-timing", "x-ratelimit-remaining"}
    assert [name for name, _ in jobs if name.startswith("notifications.")] == ["notifications.password_reset"]


def test_forgot_takes_similar_time_for_known_and_unknown_emails(client: TestClient, monkeypatch) -> None:
    import api_ext.middleware as middleware

    monkeypatch.setattr(middleware, "RATE_LIMIT_RULES", ())  # measure the endpoint, not the limiter
    known_emails = [register_owner().email for _ in range(12)]
    timings: dict[bool, list[float]] = {True: [], False: []}
    for index, email in enumerate(known_emails):
        for known, address in ((True, email), (False, f"ghost{index}@example.com")):
            started = time.perf_counter()
            assert _forgot(client, address).status_code == 202
            timings[known].append(time.perf_counter() - started)
    known_ms = statistics.median(timings[True]) * 1000
    unknown_ms = statistics.median(timings[False]) * 1000
    # Same queries either way; the only extra for a known address is handing a job to the queue.
    assert abs(known_ms - unknown_ms) < max(15.0, 0.5 * min(known_ms, unknown_ms)), (known_ms, unknown_ms)


def test_forgot_is_throttled_per_email_with_a_problem(client: TestClient) -> None:
    for _ in range(3):
        assert _forgot(client, "who@example.com").status_code == 202
    response = _forgot(client, "who@example.com")
    assert response.status_code == 429
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "reset_throttled" and int(response.headers["retry-after"]) > 0


def test_reset_through_the_api_then_login(client: TestClient, jobs) -> None:
    register_owner(email="bia@example.com")
    assert _forgot(client, "bia@example.com").status_code == 202
    token = next(k["token"] for name, k in jobs if name == "notifications.password_reset")
    check = client.post("/api/v1/auth/password/check", json={"token": token})
    assert check.json() == {"valid": True, "email": "bia@example.com"}
    weak = client.post("/api/v1/auth/password/reset", json={"token": token, "password": "weak"})
    assert weak.status_code == 422 and weak.json()["code"] == "weak_password"
    done = client.post("/api/v1/auth/password/reset", json={"token": token, "password": "Brand-New-1"})
    assert done.status_code == 204
    again = client.post("/api/v1/auth/password/reset", json={"token": token, "password": "Brand-New-2"})
    assert again.status_code == 422 and again.json()["code"] == "reset_token_used"
    login = client.post("/api/v1/auth/login", json={"email": "bia@example.com", "password": "Brand-New-1"})
    assert login.status_code == 200


def test_expired_link_is_refused(client: TestClient, jobs) -> None:
    register_owner(email="caio@example.com")
    _forgot(client, "caio@example.com")
    token = next(k["token"] for name, k in jobs if name == "notifications.password_reset")
    clock.advance(3601)
    response = client.post("/api/v1/auth/password/reset", json={"token": token, "password": "Brand-New-1"})
    assert response.status_code == 422 and response.json()["code"] == "reset_token_expired"


def test_preferences_are_the_users_own(client: TestClient) -> None:
    owner = register_owner()
    assert client.get("/api/v1/me/notifications", headers=owner.auth).json() == {
        "import_finished": True,
        "lead_assigned": True,
        "new_message": True,
    }
    changed = client.patch("/api/v1/me/notifications", json={"new_message": False}, headers=owner.auth)
    assert changed.status_code == 200 and changed.json()["new_message"] is False
    assert client.get("/api/v1/me/notifications", headers=owner.auth).json()["new_message"] is False
    assert client.get("/api/v1/me/notifications").status_code == 401


def test_meetings_ics_download_and_feed(client: TestClient) -> None:
    owner = register_owner()
    stranger = register_owner(workspace="Other")
    lead = make_lead(owner, full_name="Dora", email="dora@example.com")
    starts = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)
    created = client.post(
        "/api/v1/meetings",
        json={
            "lead_id": lead.id,
            "starts_at": starts.isoformat(),
            "duration_minutes": 60,
            "location": "Zoom",
        },
        headers=owner.auth,
    )
    assert created.status_code == 201, created.text
    meeting_id = created.json()["id"]
    naive = client.post(
        "/api/v1/meetings",
        json={"lead_id": lead.id, "starts_at": "2026-12-01T10:00:00"},
        headers=owner.auth,
    )
    assert naive.status_code == 422  # a time without its zone is ambiguous
    assert client.get(f"/api/v1/meetings/{meeting_id}", headers=stranger.auth).status_code == 404
    assert client.get(f"/api/v1/leads/{lead.id}/meetings", headers=owner.auth).json()["total"] == 1
    upcoming = client.get("/api/v1/meetings/upcoming", headers=owner.auth).json()
    assert [m["id"] for m in upcoming["data"]] == [meeting_id]

    ics = client.get(f"/api/v1/meetings/{meeting_id}/invite.ics", headers=owner.auth)
    assert ics.status_code == 200 and ics.headers["content-type"].startswith("text/calendar")
    assert "attachment" in ics.headers["content-disposition"]
    [event] = icalendar.Calendar.from_ical(ics.content).walk("VEVENT")
    attendees = event.get("attendee")
    listed = [str(a) for a in attendees] if isinstance(attendees, list) else [str(attendees)]
    assert "mailto:dora@example.com" in listed
    assert client.get(f"/api/v1/meetings/{meeting_id}/invite.ics", headers=stranger.auth).status_code == 404

    feed = client.post("/api/v1/me/calendar-feed", headers=owner.auth)
    assert feed.status_code == 201
    path = "/api/v1/" + feed.json()["url"].split("/api/v1/", 1)[1]
    subscribed = client.get(path)  # no auth: calendar apps cannot log in
    assert subscribed.status_code == 200 and subscribed.headers["content-type"].startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(subscribed.content)
    assert [str(e["uid"]) for e in cal.walk("VEVENT")] == [f"meeting-{meeting_id}@snapleads"]
    assert client.get("/api/v1/me/calendar-feed", headers=owner.auth).json()["active"] is True
    assert client.head(path).status_code == 200

    assert client.delete("/api/v1/me/calendar-feed", headers=owner.auth).status_code == 204
    revoked = client.get(path)
    assert revoked.status_code == 404
    assert revoked.headers["content-type"].startswith("application/problem+json")

    assert client.delete(f"/api/v1/meetings/{meeting_id}", headers=stranger.auth).status_code == 404
    assert client.delete(f"/api/v1/meetings/{meeting_id}", headers=owner.auth).status_code == 204

"""Analytics through HTTP: shapes, defaults, role scoping, tenancy, problems, CSV exports."""

from __future__ import annotations

import csv
import io

from tests.factories import add_member, make_lead, register_owner

PROBLEM = "application/problem+json"


def test_endpoints_return_the_workspace_numbers(client):
    owner = register_owner()
    agent = add_member(owner, "agent")
    make_lead(owner, platform="linkedin")
    make_lead(owner, assignee_id=agent.user_id)
    other = register_owner(workspace="Other")
    make_lead(other)

    overview = client.get("/api/v1/analytics/overview", headers=owner.auth)
    assert overview.status_code == 200
    body = overview.json()
    assert body["leads_total"] == 2 and body["new_leads"] == 2
    assert {r["key"]: r["count"] for r in body["by_platform"]} == {"instagram": 1, "linkedin": 1}
    assert "pending" not in body["inbox"] and body["inbox"]["conversations_started"] == 0

    funnel = client.get("/api/v1/analytics/funnel", headers=owner.auth).json()
    assert funnel["cohort"] == 2 and funnel["stages"][0]["reached"] == 2

    timeline = client.get("/api/v1/analytics/timeline", params={"granularity": "week"}, headers=owner.auth)
    assert timeline.status_code == 200 and sum(p["leads"] for p in timeline.json()["points"]) == 2

    rows = client.get("/api/v1/analytics/by-user", headers=owner.auth).json()["rows"]
    assert {r["user_id"]: r["leads_assigned"] for r in rows} == {owner.user_id: 0, agent.user_id: 1, None: 1}

    filtered = client.get(
        "/api/v1/analytics/overview", params=[("platform", "linkedin")], headers=owner.auth
    ).json()
    assert filtered["leads_total"] == 1

    mine = client.get("/api/v1/analytics/overview", headers=agent.auth).json()
    assert mine["leads_total"] == 1  # agents: their own numbers
    assert client.get("/api/v1/analytics/overview", headers=other.auth).json()["leads_total"] == 1
    assert client.get("/api/v1/analytics/imports", headers=owner.auth).json()["rows"] == []


def test_problems_auth_and_tenancy(client):
    owner = register_owner()
    other = register_owner(workspace="Other")
    pipeline_id = client.get("/api/v1/pipelines", headers=owner.auth).json()
    pipeline_id = (pipeline_id["data"] if isinstance(pipeline_id, dict) else pipeline_id)[0]["id"]
    assert client.get("/api/v1/analytics/overview").status_code == 401
    bad = client.get(
        "/api/v1/analytics/overview",
        params={"date_from": "2026-02-10", "date_to": "2026-02-01"},
        headers=owner.auth,
    )
    assert bad.status_code == 422 and bad.headers["content-type"] == PROBLEM
    assert (
        client.get(
            "/api/v1/analytics/timeline", params={"granularity": "hour"}, headers=owner.auth
        ).status_code
        == 422
    )
    foreign = client.get("/api/v1/analytics/funnel", params={"pipeline_id": pipeline_id}, headers=other.auth)
    assert foreign.status_code == 404 and foreign.headers["content-type"] == PROBLEM
    assert (
        client.get(
            "/api/v1/analytics/funnel", params={"pipeline_id": pipeline_id}, headers=owner.auth
        ).status_code
        == 200
    )


def test_csv_exports_each_table(client):
    owner = register_owner()
    make_lead(owner, platform="linkedin")
    for table, first_column in (
        ("overview", "metric"),
        ("funnel", "stage"),
        ("timeline", "bucket"),
        ("by-user", "user_id"),
        ("imports", "source"),
    ):
        response = client.get(f"/api/v1/analytics/{table}.csv", headers=owner.auth)
        assert response.status_code == 200, table
        assert response.headers["content-type"].startswith("text/csv")
        assert f"snapleads-{table}-" in response.headers["content-disposition"]
        text = response.content.decode("utf-8")
        assert text.startswith("\ufeff" + first_column)
    rows = list(
        csv.reader(
            io.StringIO(
                client.get("/api/v1/analytics/overview.csv", headers=owner.auth).text.lstrip("\ufeff")
            )
        )
    )
    assert ["leads_total", "1"] in rows and ["platform:linkedin", "1"] in rows
    agent = add_member(owner, "agent")
    denied = client.get("/api/v1/analytics/funnel.csv", headers=agent.auth)
    assert denied.status_code == 403 and denied.headers["content-type"] == PROBLEM
    assert client.get("/api/v1/analytics/nope.csv", headers=owner.auth).status_code == 422


def test_time_zone_moves_the_days(client):
    owner = register_owner()
    make_lead(owner)
    ok = client.put("/api/v1/analytics/time-zone", json={"time_zone": "Asia/Tokyo"}, headers=owner.auth)
    assert ok.status_code == 200 and ok.json() == {"time_zone": "Asia/Tokyo"}
    period = client.get("/api/v1/analytics/overview", headers=owner.auth).json()["period"]
    assert period["time_zone"] == "Asia/Tokyo"
    assert client.get("/api/v1/analytics/overview", headers=owner.auth).json()["new_leads"] == 1
    bad = client.put("/api/v1/analytics/time-zone", json={"time_zone": "Mars/Olympus"}, headers=owner.auth)
    assert bad.status_code == 422 and bad.headers["content-type"] == PROBLEM
    agent = add_member(owner, "agent")
    denied = client.put("/api/v1/analytics/time-zone", json={"time_zone": "UTC"}, headers=agent.auth)
    assert denied.status_code == 403

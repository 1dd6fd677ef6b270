"""The automations, scoring and webhooks routes: status codes, problem bodies, roles, tenancy."""

from __future__ import annotations

from tests.domain.automation_support import drain, make_tag
from tests.factories import add_member, make_lead, register_owner


def test_automation_crud_toggle_runs(client, jobs):
    owner = register_owner()
    tag_id = make_tag(owner, "API")
    body = {"name": "Tag new", "trigger": "lead_created", "actions": [{"type": "add_tag", "tag_id": tag_id}]}
    created = client.post("/api/v1/automations", json=body, headers=owner.auth)
    assert created.status_code == 201, created.text
    automation_id = created.json()["id"]
    lead = make_lead(owner)
    drain(jobs)
    runs = client.get("/api/v1/automations/runs", params={"status": "success"}, headers=owner.auth).json()[
        "data"
    ]
    assert [(r["lead_id"], r["status"]) for r in runs] == [(lead.id, "success")]
    assert (
        client.get(f"/api/v1/automations/runs/{runs[0]['id']}", headers=owner.auth).json()["steps"][0]["type"]
        == "add_tag"
    )
    toggled = client.post(
        f"/api/v1/automations/{automation_id}/toggle", json={"enabled": False}, headers=owner.auth
    )
    assert toggled.status_code == 200 and toggled.json()["enabled"] is False
    listed = client.get("/api/v1/automations", headers=owner.auth).json()["data"]
    assert listed[0]["stats"]["success"] == 1
    assert client.delete(f"/api/v1/automations/{automation_id}", headers=owner.auth).status_code == 204


def test_invalid_definition_is_a_problem_with_field_errors(client):
    owner = register_owner()
    body = {
        "name": "Bad",
        "trigger": "lead_created",
        "actions": [{"type": "wait", "amount": 0, "unit": "days"}],
    }
    response = client.post("/api/v1/automations", json=body, headers=owner.auth)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "actions.0.amount" in response.json()["errors"]


def test_roles_and_tenancy(client):
    owner, other = register_owner(), register_owner(workspace="Other")
    agent = add_member(owner, "agent")
    body = {"name": "x", "trigger": "lead_created", "actions": [{"type": "set_status", "status": "lost"}]}
    assert client.post("/api/v1/automations", json=body, headers=agent.auth).status_code == 403
    theirs = client.post("/api/v1/automations", json=body, headers=other.auth).json()["id"]
    assert client.get(f"/api/v1/automations/{theirs}", headers=owner.auth).status_code == 404
    hook = client.post("/api/v1/webhooks", json={"url": "https://example.com/h", "events": ["lead.created"]},
                       headers=other.auth)  # fmt: skip
    assert hook.status_code == 201 and len(hook.json()["secret"]) == 48
    assert client.post(f"/api/v1/webhooks/{hook.json()['id']}/test", headers=owner.auth).status_code == 404
    assert client.get("/api/v1/webhooks", headers=add_member(owner, "manager").auth).status_code == 403
    bad = client.post("/api/v1/webhooks", json={"url": "ftp://example.com/h", "events": ["lead.created"]},
                      headers=owner.auth)  # fmt: skip
    assert bad.status_code == 422 and bad.json()["errors"] == {"url": "http_or_https_only"}


def test_scoring_rules_preview_and_lead_score(client, jobs):
    owner = register_owner()
    lead = make_lead(owner, email="a@example.com")
    drain(jobs)
    score = client.get(f"/api/v1/leads/{lead.id}/score", headers=owner.auth).json()
    lines = {line["rule"]: line["points"] for line in score["explanation"]["lines"]}
    assert lines["has_email"] == 15 and score["history"][0]["new_score"] == score["explanation"]["score"]
    preview = client.post("/api/v1/scoring/preview", json={"lead_id": lead.id, "rules": {"has_email": {"points": 30}}},
                          headers=owner.auth)  # fmt: skip
    assert preview.json()["score"] == score["explanation"]["score"] + 15
    saved = client.put(
        "/api/v1/scoring/rules", json={"rules": {"has_email": {"points": 30}}}, headers=owner.auth
    )
    assert saved.status_code == 200 and saved.json()["rules"]["has_email"]["points"] == 30
    assert ("scoring.rescore_all", {"workspace_id": owner.workspace_id}) in jobs
    assert client.put("/api/v1/scoring/rules", json={"rules": {"has_email": {"points": 300}}},
                      headers=owner.auth).status_code == 422  # fmt: skip

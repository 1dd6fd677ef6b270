"""Tenancy proof over the whole REST API, driven by the OpenAPI document.

Workspace A ("Acme") is filled with one of everything, every name carrying the canary `CANARY-A`.
A user of workspace B then:
- calls every operation whose path holds an id with A's ids → 404 problem, and A is left unchanged;
- sends A's ids inside request bodies of B's own resources → 404 (or nothing of A touched);
- reads every collection/export endpoint → the canary never appears.

Every operation of the OpenAPI document must be classified in `CASES`: a new route without a tenancy
case fails `test_every_operation_has_a_tenancy_case`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

import pytest
from fastapi.testclient import TestClient

from api_ext import build_api
from tests.factories import Member, add_member, make_lead, register_owner

CANARY = "CANARY-A"
PROBLEM = "application/problem+json"

Kind = Literal["foreign_path", "listing", "own_scope", "public"]


@dataclass(frozen=True)
class Case:
    kind: Kind
    body: dict[str, Any] | None = None
    query: dict[str, Any] = field(default_factory=dict)
    why: str = ""  # for `own_scope` and `public`: why no foreign id can reach it
    # foreign_path: "404" = not found; "invalid" = a 422 naming the field (an id inside a definition);
    # "ignored" = a selection (bulk) that silently skips foreign ids.
    expect: Literal["404", "invalid", "ignored"] = "404"
    # listing: whether A's own call shows one of A's markers (proves the negative check can fail).
    shows_markers: bool = True
    path_values: dict[str, str] = field(default_factory=dict)  # non-id path parameters


_OWN = "acts only on the caller's own session/user/workspace, resolved from the token"
CASES: dict[tuple[str, str], Case] = {
    # --- public or self-scoped ------------------------------------------------------------------
    ("post", "/api/v1/auth/register"): Case("public", why="creates a new workspace"),
    ("post", "/api/v1/auth/login"): Case("public", why="credentials, no ids"),
    ("post", "/api/v1/auth/refresh"): Case("public", why="refresh token, no ids"),
    ("post", "/api/v1/auth/logout"): Case("own_scope", why=_OWN),
    ("get", "/api/v1/auth/me"): Case("listing"),
    ("patch", "/api/v1/auth/me/language"): Case("own_scope", why=_OWN),
    ("post", "/api/v1/auth/switch-workspace"): Case("foreign_path", body={"workspace_id": "{workspace}"}),
    ("get", "/api/v1/invitations/preview"): Case("public", why="a secret token, not an id"),
    ("post", "/api/v1/invitations/accept"): Case("public", why="a secret token, not an id"),
    ("get", "/api/v1/health"): Case("public", why="no workspace data"),
    ("get", "/api/v1/metrics"): Case("public", why="process metrics, no workspace data"),
    ("get", "/api/v1/extension/context"): Case("listing"),
    ("post", "/api/v1/extension/lookup"): Case(
        "own_scope",
        why="answers only about the caller's workspace; test_extension_api proves another workspace's "
        "profiles read as new",
    ),
    # --- notifications and meetings -----------------------------------------------------------------
    ("post", "/api/v1/auth/password/forgot"): Case("public", why="an e-mail address; same answer for any"),
    ("post", "/api/v1/auth/password/check"): Case("public", why="a secret token, not an id"),
    ("post", "/api/v1/auth/password/reset"): Case("public", why="a secret token, not an id"),
    ("get", "/api/v1/me/notifications"): Case("listing", shows_markers=False),
    ("patch", "/api/v1/me/notifications"): Case("own_scope", why=_OWN),
    ("get", "/api/v1/me/calendar-feed"): Case("own_scope", why=_OWN),
    ("post", "/api/v1/me/calendar-feed"): Case("own_scope", why=_OWN),
    ("delete", "/api/v1/me/calendar-feed"): Case("own_scope", why=_OWN),
    ("get", "/api/v1/meetings/upcoming"): Case("listing"),
    ("post", "/api/v1/meetings"): Case(
        "foreign_path", body={"lead_id": "{lead}", "starts_at": "2030-01-01T10:00:00Z"}
    ),
    ("get", "/api/v1/meetings/{meeting_id}"): Case("foreign_path"),
    ("patch", "/api/v1/meetings/{meeting_id}"): Case("foreign_path", body={"notes": "hijacked"}),
    ("delete", "/api/v1/meetings/{meeting_id}"): Case("foreign_path"),
    ("get", "/api/v1/meetings/{meeting_id}/invite.ics"): Case("foreign_path"),
    ("get", "/api/v1/leads/{lead_id}/meetings"): Case("foreign_path"),
    # --- analytics: numbers and first names only, so no marker to look for in A's own answer ----------
    ("get", "/api/v1/analytics/overview"): Case("listing", shows_markers=False),
    ("get", "/api/v1/analytics/funnel"): Case("listing", shows_markers=False),
    ("get", "/api/v1/analytics/timeline"): Case("listing", shows_markers=False),
    ("get", "/api/v1/analytics/by-user"): Case("listing", shows_markers=False),
    ("get", "/api/v1/analytics/imports"): Case("listing", shows_markers=False),
    ("get", "/api/v1/analytics/templates"): Case("listing"),  # template names carry the markers
    ("get", "/api/v1/analytics/{table}.csv"): Case(
        "listing", shows_markers=False, path_values={"table": "by-user"}
    ),
    ("put", "/api/v1/analytics/time-zone"): Case("own_scope", why="sets the caller's workspace time zone"),
    # --- automations, scoring, webhooks --------------------------------------------------------------
    ("get", "/api/v1/automations"): Case("listing"),
    ("post", "/api/v1/automations"): Case(
        "foreign_path",
        body={"name": "b", "trigger": "lead_created", "actions": [{"type": "add_tag", "tag_id": "{tag}"}]},
        expect="invalid",
    ),
    ("get", "/api/v1/automations/runs"): Case("listing", shows_markers=False),
    ("get", "/api/v1/automations/runs/{run_id}"): Case("foreign_path"),
    ("get", "/api/v1/automations/{automation_id}"): Case("foreign_path"),
    ("put", "/api/v1/automations/{automation_id}"): Case(
        "foreign_path",
        body={
            "name": "hijacked",
            "trigger": "lead_created",
            "actions": [{"type": "set_status", "status": "lost"}],
        },
    ),
    ("delete", "/api/v1/automations/{automation_id}"): Case("foreign_path"),
    ("post", "/api/v1/automations/{automation_id}/toggle"): Case("foreign_path", body={"enabled": False}),
    ("get", "/api/v1/leads/{lead_id}/score"): Case("foreign_path"),
    ("get", "/api/v1/scoring/rules"): Case("listing", shows_markers=False),
    ("put", "/api/v1/scoring/rules"): Case("own_scope", why="the caller's workspace rules"),
    ("post", "/api/v1/scoring/preview"): Case("foreign_path", body={"lead_id": "{lead}"}),
    ("get", "/api/v1/webhooks"): Case("listing"),
    ("post", "/api/v1/webhooks"): Case("own_scope", why="creates in the caller's workspace"),
    ("patch", "/api/v1/webhooks/{webhook_id}"): Case("foreign_path", body={"description": "hijacked"}),
    ("delete", "/api/v1/webhooks/{webhook_id}"): Case("foreign_path"),
    ("post", "/api/v1/webhooks/{webhook_id}/test"): Case("foreign_path"),
    ("get", "/api/v1/webhooks/{webhook_id}/deliveries"): Case("foreign_path"),
    # --- inbox and templates ---------------------------------------------------------------------------
    ("get", "/api/v1/conversations"): Case("listing"),
    ("post", "/api/v1/conversations/inbound"): Case(
        "foreign_path", body={"lead_id": "{lead}", "body": "hijack"}
    ),
    ("get", "/api/v1/conversations/{conversation_id}"): Case("foreign_path"),
    ("get", "/api/v1/conversations/{conversation_id}/messages"): Case("foreign_path"),
    ("post", "/api/v1/conversations/{conversation_id}/messages"): Case(
        "foreign_path", body={"body": "hijack"}
    ),
    ("post", "/api/v1/conversations/{conversation_id}/read"): Case("foreign_path"),
    ("post", "/api/v1/conversations/{conversation_id}/unread"): Case("foreign_path"),
    ("post", "/api/v1/conversations/{conversation_id}/assign"): Case(
        "foreign_path", body={"assignee_id": "{user}"}
    ),
    ("post", "/api/v1/conversations/{conversation_id}/archive"): Case("foreign_path"),
    ("post", "/api/v1/conversations/{conversation_id}/reopen"): Case("foreign_path"),
    ("post", "/api/v1/conversations/messages/{message_id}/status"): Case(
        "foreign_path", body={"status": "read"}
    ),
    ("post", "/api/v1/conversations/messages/{message_id}/retry"): Case("foreign_path"),
    ("get", "/api/v1/templates"): Case("listing"),
    ("post", "/api/v1/templates"): Case("own_scope", why="creates in the caller's workspace"),
    ("post", "/api/v1/templates/preview"): Case(
        "foreign_path", body={"lead_id": "{lead}", "template_id": "{template}"}
    ),
    ("get", "/api/v1/templates/{template_id}"): Case("foreign_path"),
    ("patch", "/api/v1/templates/{template_id}"): Case("foreign_path", body={"name": "hijacked"}),
    ("delete", "/api/v1/templates/{template_id}"): Case("foreign_path"),
    # --- import presets, background exports, merge undo ----------------------------------------------
    ("get", "/api/v1/leads/import/presets"): Case("listing"),
    ("post", "/api/v1/leads/import/presets"): Case("own_scope", why="creates in the caller's workspace"),
    ("delete", "/api/v1/leads/import/presets/{preset_id}"): Case("foreign_path"),
    ("get", "/api/v1/leads/exports"): Case("listing", shows_markers=False),
    # Background exports start above 20,000 leads, too many to seed here: A's import job id stands in.
    ("get", "/api/v1/leads/exports/{job_id}"): Case("foreign_path"),
    ("get", "/api/v1/leads/exports/{job_id}/download"): Case("foreign_path", query={"token": "guessed"}),
    ("post", "/api/v1/leads/merges/{audit_id}/undo"): Case("foreign_path"),
    ("get", "/api/v1/leads/{lead_id}/merges"): Case("foreign_path"),
    # --- members and invitations ----------------------------------------------------------------
    ("get", "/api/v1/members"): Case("listing"),
    ("patch", "/api/v1/members/{user_id}"): Case("foreign_path", body={"role": "viewer"}),
    ("delete", "/api/v1/members/{user_id}"): Case("foreign_path"),
    ("get", "/api/v1/invitations"): Case("listing"),
    ("post", "/api/v1/invitations"): Case("own_scope", why="invites into the caller's workspace"),
    ("delete", "/api/v1/invitations/{invitation_id}"): Case("foreign_path"),
    # --- imports ----------------------------------------------------------------------------------
    ("post", "/api/v1/leads/import"): Case(
        "foreign_path",
        body={
            "leads": [{"platform": "instagram", "username": "b_only"}],
            "assignee_policy": "fixed",
            "assignee_id": "{user}",
        },
    ),
    ("get", "/api/v1/leads/imports"): Case("listing", shows_markers=False),
    ("get", "/api/v1/leads/import/{job_id}"): Case("foreign_path"),
    ("post", "/api/v1/leads/import/{job_id}/cancel"): Case("foreign_path"),
    ("get", "/api/v1/leads/import/{job_id}/rejected.csv"): Case("foreign_path"),
    ("post", "/api/v1/leads/import/csv"): Case(
        "own_scope", why="multipart upload into the caller's workspace"
    ),
    # --- leads ----------------------------------------------------------------------------------
    ("get", "/api/v1/leads"): Case("listing", query={"q": CANARY}),
    ("post", "/api/v1/leads"): Case(
        "foreign_path", body={"platform": "instagram", "username": "b_new", "assignee_id": "{user}"}
    ),
    ("get", "/api/v1/leads/export"): Case("listing"),
    ("post", "/api/v1/leads/bulk"): Case(
        "foreign_path", body={"action": "delete", "lead_ids": ["{lead}"]}, expect="ignored"
    ),
    ("get", "/api/v1/leads/{lead_id}"): Case("foreign_path"),
    ("patch", "/api/v1/leads/{lead_id}"): Case("foreign_path", body={"company": "hijacked"}),
    ("delete", "/api/v1/leads/{lead_id}"): Case("foreign_path"),
    ("post", "/api/v1/leads/{lead_id}/restore"): Case("foreign_path"),
    ("post", "/api/v1/leads/{lead_id}/tags"): Case("foreign_path", body={"tag_ids": ["{tag}"]}),
    ("delete", "/api/v1/leads/{lead_id}/tags"): Case("foreign_path", query={"tags": "{tag}"}),
    ("post", "/api/v1/leads/{lead_id}/assign"): Case("foreign_path", body={"assignee_id": "{user}"}),
    ("post", "/api/v1/leads/{lead_id}/move"): Case("foreign_path", body={"stage_id": "{stage}"}),
    ("post", "/api/v1/leads/{lead_id}/merge"): Case("foreign_path", body={"secondary_id": "{lead}"}),
    ("get", "/api/v1/leads/{lead_id}/duplicates"): Case("foreign_path"),
    ("get", "/api/v1/leads/{lead_id}/activities"): Case("foreign_path"),
    # --- tags and pipelines -----------------------------------------------------------------------
    ("get", "/api/v1/tags"): Case("listing"),
    ("post", "/api/v1/tags"): Case("own_scope", why="creates in the caller's workspace"),
    ("patch", "/api/v1/tags/{tag_id}"): Case("foreign_path", body={"name": "hijacked"}),
    ("delete", "/api/v1/tags/{tag_id}"): Case("foreign_path"),
    ("get", "/api/v1/pipelines"): Case("listing"),
    ("post", "/api/v1/pipelines"): Case("own_scope", why="creates in the caller's workspace"),
    ("get", "/api/v1/pipelines/{pipeline_id}"): Case("foreign_path"),
    ("patch", "/api/v1/pipelines/{pipeline_id}"): Case("foreign_path", body={"name": "hijacked"}),
    ("delete", "/api/v1/pipelines/{pipeline_id}"): Case("foreign_path"),
    ("post", "/api/v1/pipelines/{pipeline_id}/stages"): Case("foreign_path", body={"name": "hijacked"}),
    ("put", "/api/v1/pipelines/{pipeline_id}/stages/order"): Case(
        "foreign_path", body={"stage_ids": ["{stage}"]}
    ),
    ("patch", "/api/v1/pipelines/stages/{stage_id}"): Case("foreign_path", body={"name": "hijacked"}),
    ("delete", "/api/v1/pipelines/stages/{stage_id}"): Case("foreign_path"),
    ("get", "/api/v1/pipelines/stages/{stage_id}/leads"): Case("foreign_path"),
}

# Which of A's ids a path parameter takes. A new parameter name needs an entry (and a canary in `_world`).
PATH_PARAMS = {
    "user_id": "user",
    "invitation_id": "invitation",
    "job_id": "job",
    "lead_id": "lead",
    "tag_id": "tag",
    "pipeline_id": "pipeline",
    "stage_id": "stage",
    "meeting_id": "meeting",
    "automation_id": "automation",
    "run_id": "run",
    "webhook_id": "webhook",
    "conversation_id": "conversation",
    "message_id": "message",
    "template_id": "template",
    "preset_id": "preset",
    "audit_id": "merge",
}


@dataclass
class World:
    client: TestClient
    a: Member
    b: Member
    a_ids: dict[str, int]
    b_ids: dict[str, int]
    a_markers: list[str]  # strings only workspace A's data contains


def _operations() -> list[tuple[str, str]]:
    paths = build_api().openapi()["paths"]
    return sorted((method, path) for path, ops in paths.items() for method in ops)


def _fill(value: Any, ids: dict[str, int]) -> Any:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


def _seed(client: TestClient, owner: Member, prefix: str, agent: Member) -> dict[str, int]:
    """One of everything in the owner's workspace, names carrying `prefix`."""
    lead = make_lead(owner, full_name=f"{prefix} Lead", company=f"{prefix} Co", assignee_id=agent.user_id)
    tag = client.post("/api/v1/tags", headers=owner.auth, json={"name": f"{prefix} tag"}).json()
    pipeline = client.post(
        "/api/v1/pipelines",
        headers=owner.auth,
        json={"name": f"{prefix} pipeline", "stages": [{"name": f"{prefix} stage"}]},
    ).json()
    invitation = client.post(
        "/api/v1/invitations",
        headers=owner.auth,
        json={"email": f"{prefix.lower()}@example.com", "role": "agent"},
    ).json()
    job = client.post(
        "/api/v1/leads/import",
        headers=owner.auth,
        json={
            "leads": [
                {"platform": "instagram", "username": f"{prefix.lower()}_imported", "full_name": prefix}
            ]
        },
    ).json()
    client.post(f"/api/v1/leads/{lead.id}/tags", headers=owner.auth, json={"tag_ids": [tag["id"]]})
    meeting = client.post(
        "/api/v1/meetings",
        headers=owner.auth,
        json={"lead_id": lead.id, "starts_at": "2030-01-01T10:00:00Z", "notes": f"{prefix} meeting"},
    ).json()
    automation = client.post(
        "/api/v1/automations",
        headers=owner.auth,
        json={
            "name": f"{prefix} automation",
            "trigger": "lead_created",
            "actions": [{"type": "add_tag", "tag_id": tag["id"]}],
        },
    ).json()
    webhook = client.post(
        "/api/v1/webhooks",
        headers=owner.auth,
        json={"url": "https://example.com/hook", "description": f"{prefix} hook", "events": ["lead.created"]},
    ).json()
    inbound = client.post(
        "/api/v1/conversations/inbound",
        headers=owner.auth,
        json={"lead_id": lead.id, "body": f"{prefix} hello", "external_id": f"{prefix}-1"},
    ).json()
    template = client.post(
        "/api/v1/templates",
        headers=owner.auth,
        json={"name": f"{prefix} template", "body": "Oi {{first_name}}"},
    ).json()
    merged_away = make_lead(owner, full_name=f"{prefix} Twin", email=f"{prefix.lower()}.twin@example.com")
    client.post(f"/api/v1/leads/{lead.id}/merge", headers=owner.auth, json={"secondary_id": merged_away.id})
    merges = client.get(f"/api/v1/leads/{lead.id}/merges", headers=owner.auth).json()
    preset = client.post(
        "/api/v1/leads/import/presets",
        headers=owner.auth,
        json={"name": f"{prefix} preset", "mapping": {"Nome": "full_name"}},
    ).json()
    return {
        "merge": merges["data"][0]["audit_id"],
        "preset": preset["id"],
        "conversation": inbound["conversation_id"],
        "message": inbound["message"]["id"],
        "template": template["id"],
        "automation": automation["id"],
        "webhook": webhook["id"],
        # No run exists without a worker here: the run route is checked with an id nobody owns.
        "run": 2**31 - 2,
        "meeting": meeting["id"],
        "workspace": owner.workspace_id,
        "user": agent.user_id,
        "lead": lead.id,
        "tag": tag["id"],
        "pipeline": pipeline["id"],
        "stage": pipeline["stages"][0]["id"],
        "invitation": invitation["invitation"]["id"],
        "job": job["job_id"],
    }


def _snapshot(world: World) -> str:
    """Everything A can read about its own seeded data (compared before/after B's attempts)."""
    c, a, ids = world.client, world.a, world.a_ids
    reads = [
        f"/api/v1/leads/{ids['lead']}",
        f"/api/v1/pipelines/{ids['pipeline']}",
        f"/api/v1/leads/import/{ids['job']}",
        f"/api/v1/meetings/{ids['meeting']}",
        f"/api/v1/conversations/{ids['conversation']}",
        f"/api/v1/conversations/{ids['conversation']}/messages",
        f"/api/v1/templates/{ids['template']}",
        f"/api/v1/leads/{ids['lead']}/merges",
        "/api/v1/leads/import/presets",
        f"/api/v1/automations/{ids['automation']}",
        f"/api/v1/webhooks/{ids['webhook']}/deliveries",
        "/api/v1/webhooks",
        "/api/v1/tags",
        "/api/v1/members",
        "/api/v1/invitations",
    ]
    snapshot = {}
    for url in reads:
        response = c.get(url, headers=a.auth)
        assert response.status_code == 200, (url, response.text)
        snapshot[url] = response.json()
    return json.dumps(snapshot, sort_keys=True, default=str)


@pytest.fixture
def world() -> Iterator[World]:
    with TestClient(build_api(), raise_server_exceptions=False, base_url="http://localhost:3000") as client:
        a, b = register_owner(workspace=f"{CANARY} Acme"), register_owner(workspace="Globex")
        a_agent, b_agent = add_member(a, "agent"), add_member(b, "agent")
        a_ids = _seed(client, a, CANARY, a_agent)
        b_ids = _seed(client, b, "BEE", b_agent)
        markers = [CANARY, CANARY.lower(), a.email, a_agent.email]
        yield World(client=client, a=a, b=b, a_ids=a_ids, b_ids=b_ids, a_markers=markers)


def test_every_operation_has_a_tenancy_case() -> None:
    missing = [op for op in _operations() if op not in CASES]
    stale = [op for op in CASES if op not in set(_operations())]
    assert not missing, f"add a tenancy case for: {missing}"
    assert not stale, f"cases for operations that no longer exist: {stale}"
    for (method, path), case in CASES.items():
        params = re.findall(r"\{(\w+)\}", path)
        known = {**PATH_PARAMS, **case.path_values}
        assert all(p in known for p in params), f"map the path parameter(s) of {method} {path}"
        if case.kind in ("own_scope", "public"):
            assert case.why, f"say why {method} {path} cannot reach another workspace"


FOREIGN = sorted(op for op, case in CASES.items() if case.kind == "foreign_path")
LISTINGS = sorted(op for op, case in CASES.items() if case.kind == "listing")


@pytest.mark.parametrize(("method", "path"), FOREIGN, ids=[f"{m} {p}" for m, p in FOREIGN])
def test_another_workspaces_ids_are_404_and_change_nothing(world: World, method: str, path: str) -> None:
    case = CASES[(method, path)]
    before = _snapshot(world)
    has_path_ids = "{" in path
    # Path ids are A's; with no path id the foreign ids travel in the body/query of B's own request.
    url = path
    for param, key in PATH_PARAMS.items():
        url = url.replace("{" + param + "}", str(world.a_ids[key]))
    body = _fill(case.body, world.a_ids) if case.body is not None else None
    query = _fill(case.query, world.a_ids)
    if has_path_ids and method == "post" and path.endswith("/merge"):
        # B merges its own lead with A's: the foreign id is the secondary one.
        url = path.replace("{lead_id}", str(world.b_ids["lead"]))
    response = world.client.request(
        method.upper(), url, headers=world.b.auth, json=body, params=query or None
    )
    if case.expect in ("404", "invalid"):
        expected = 404 if case.expect == "404" else 422
        assert response.status_code == expected, (method, url, response.status_code, response.text)
        assert response.headers["content-type"].startswith(PROBLEM)
    else:
        assert response.status_code < 300, (method, url, response.status_code, response.text)
    assert not [m for m in world.a_markers if m in response.text]
    assert _snapshot(world) == before, f"{method} {url} changed workspace A"


@pytest.mark.parametrize(("method", "path"), LISTINGS, ids=[f"{m} {p}" for m, p in LISTINGS])
def test_listings_never_show_another_workspaces_data(world: World, method: str, path: str) -> None:
    case = CASES[(method, path)]
    path = path.format(**case.path_values)
    response = world.client.request(method.upper(), path, headers=world.b.auth, params=case.query or None)
    assert response.status_code == 200, (path, response.text)
    assert not [m for m in world.a_markers if m in response.text]
    # …while A sees its own markers through the same endpoint (so this check can fail).
    if case.shows_markers:
        own = world.client.request(method.upper(), path, headers=world.a.auth, params=case.query or None)
        assert [m for m in world.a_markers if m in own.text], path

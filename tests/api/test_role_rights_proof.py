"""Role-rights proof over the whole REST API, driven by the OpenAPI document (SPEC.md roles table).

Workspace A is seeded with one of everything (the tenancy proof's seed); its lead and conversation
are assigned to A's agent. For every authenticated operation, each role of A calls it on A's own ids,
least privileged first (viewer, agent, manager, admin, owner):
- a role outside the operation's `RIGHTS` gets a 403 problem (`forbidden_for_role`) and A is left
  unchanged;
- a role inside it is never refused for its role (no 401/403, no 5xx) — the first allowed role may
  consume the resource (a delete), so later ones may see 404.

Every operation must be classified: a new route without a rights entry fails
`test_every_operation_has_a_rights_entry`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

import api_ext.middleware
from api_ext import build_api
from tests.api.test_tenancy_proof import (
    CANARY,
    CASES,
    PATH_PARAMS,
    World,
    _fill,
    _operations,
    _seed,
    _snapshot,
)
from tests.factories import Member, add_member, register_owner

ROLES = ("viewer", "agent", "manager", "admin", "owner")  # least privileged first
ALL = frozenset(ROLES)
EDITORS = frozenset({"owner", "admin", "manager", "agent"})  # create/import; edit and send when assigned
MANAGERS = frozenset({"owner", "admin", "manager"})
ADMINS = frozenset({"owner", "admin"})

# Operations a token never reaches (no role involved).
UNAUTHENTICATED = {
    ("post", "/api/v1/auth/register"),
    ("post", "/api/v1/auth/login"),
    ("post", "/api/v1/auth/refresh"),
    ("get", "/api/v1/invitations/preview"),
    ("post", "/api/v1/invitations/accept"),
    ("get", "/api/v1/health"),
    ("get", "/api/v1/metrics"),
    ("post", "/api/v1/auth/password/forgot"),
    ("post", "/api/v1/auth/password/check"),
    ("post", "/api/v1/auth/password/reset"),
    ("get", "/api/v1/leads/exports/{job_id}/download"),  # a signed link's token, not a role
}

RIGHTS: dict[tuple[str, str], frozenset[str]] = {
    # --- the caller's own session, profile and settings ---------------------------------------------
    ("post", "/api/v1/auth/logout"): ALL,
    ("get", "/api/v1/auth/me"): ALL,
    ("patch", "/api/v1/auth/me/language"): ALL,
    ("post", "/api/v1/auth/switch-workspace"): ALL,
    ("get", "/api/v1/me/notifications"): ALL,
    ("patch", "/api/v1/me/notifications"): ALL,
    ("get", "/api/v1/me/calendar-feed"): ALL,
    ("post", "/api/v1/me/calendar-feed"): ALL,
    ("delete", "/api/v1/me/calendar-feed"): ALL,
    ("get", "/api/v1/extension/context"): ALL,
    ("post", "/api/v1/extension/lookup"): ALL,
    # --- leads: everyone reads (agents their own); editors create and edit; managers delete/assign ---
    ("get", "/api/v1/leads"): ALL,
    ("post", "/api/v1/leads"): EDITORS,
    ("get", "/api/v1/leads/export"): MANAGERS,
    ("post", "/api/v1/leads/bulk"): MANAGERS,
    ("get", "/api/v1/leads/{lead_id}"): ALL,
    ("patch", "/api/v1/leads/{lead_id}"): EDITORS,
    ("delete", "/api/v1/leads/{lead_id}"): MANAGERS,
    ("post", "/api/v1/leads/{lead_id}/restore"): MANAGERS,
    ("post", "/api/v1/leads/{lead_id}/tags"): EDITORS,
    ("delete", "/api/v1/leads/{lead_id}/tags"): EDITORS,
    ("post", "/api/v1/leads/{lead_id}/assign"): MANAGERS,
    ("post", "/api/v1/leads/{lead_id}/move"): EDITORS,
    ("post", "/api/v1/leads/{lead_id}/merge"): MANAGERS,
    ("get", "/api/v1/leads/{lead_id}/duplicates"): ALL,
    ("get", "/api/v1/leads/{lead_id}/activities"): ALL,
    ("get", "/api/v1/leads/{lead_id}/merges"): ALL,
    ("post", "/api/v1/leads/merges/{audit_id}/undo"): MANAGERS,
    ("get", "/api/v1/leads/{lead_id}/score"): ALL,
    ("get", "/api/v1/leads/{lead_id}/meetings"): ALL,
    # A background export is its requester's own (only exporters start one): others list none, get 404.
    ("get", "/api/v1/leads/exports"): ALL,
    ("get", "/api/v1/leads/exports/{job_id}"): ALL,
    # --- imports ---------------------------------------------------------------------------------------
    ("post", "/api/v1/leads/import"): EDITORS,
    ("post", "/api/v1/leads/import/csv"): EDITORS,
    ("get", "/api/v1/leads/imports"): ALL,
    ("get", "/api/v1/leads/import/{job_id}"): ALL,
    ("post", "/api/v1/leads/import/{job_id}/cancel"): EDITORS,  # agents: their own imports
    ("get", "/api/v1/leads/import/{job_id}/rejected.csv"): ALL,
    ("get", "/api/v1/leads/import/presets"): ALL,
    ("post", "/api/v1/leads/import/presets"): EDITORS,
    ("delete", "/api/v1/leads/import/presets/{preset_id}"): MANAGERS,
    # --- tags and pipelines ------------------------------------------------------------------------------
    ("get", "/api/v1/tags"): ALL,
    ("post", "/api/v1/tags"): EDITORS,  # capturing with a new tag is part of prospecting
    ("patch", "/api/v1/tags/{tag_id}"): MANAGERS,
    ("delete", "/api/v1/tags/{tag_id}"): MANAGERS,
    ("get", "/api/v1/pipelines"): ALL,
    ("post", "/api/v1/pipelines"): MANAGERS,
    ("get", "/api/v1/pipelines/{pipeline_id}"): ALL,
    ("patch", "/api/v1/pipelines/{pipeline_id}"): MANAGERS,
    ("delete", "/api/v1/pipelines/{pipeline_id}"): MANAGERS,
    ("post", "/api/v1/pipelines/{pipeline_id}/stages"): MANAGERS,
    ("put", "/api/v1/pipelines/{pipeline_id}/stages/order"): MANAGERS,
    ("patch", "/api/v1/pipelines/stages/{stage_id}"): MANAGERS,
    ("delete", "/api/v1/pipelines/stages/{stage_id}"): MANAGERS,
    ("get", "/api/v1/pipelines/stages/{stage_id}/leads"): ALL,
    # --- members and invitations: owners and admins ----------------------------------------------------
    ("get", "/api/v1/members"): ALL,
    ("patch", "/api/v1/members/{user_id}"): ADMINS,
    ("delete", "/api/v1/members/{user_id}"): ADMINS,
    ("get", "/api/v1/invitations"): ADMINS,
    ("post", "/api/v1/invitations"): ADMINS,
    ("delete", "/api/v1/invitations/{invitation_id}"): ADMINS,
    # --- analytics: everyone views (agents their own numbers); CSV is an export; zone is a setting ------
    ("get", "/api/v1/analytics/overview"): ALL,
    ("get", "/api/v1/analytics/funnel"): ALL,
    ("get", "/api/v1/analytics/timeline"): ALL,
    ("get", "/api/v1/analytics/by-user"): ALL,
    ("get", "/api/v1/analytics/imports"): ALL,
    ("get", "/api/v1/analytics/templates"): ALL,
    ("get", "/api/v1/analytics/{table}.csv"): MANAGERS,
    ("put", "/api/v1/analytics/time-zone"): ADMINS,
    # --- automations and templates: managers edit, everyone reads ----------------------------------------
    ("get", "/api/v1/automations"): ALL,
    ("post", "/api/v1/automations"): MANAGERS,
    ("get", "/api/v1/automations/runs"): ALL,
    ("get", "/api/v1/automations/runs/{run_id}"): ALL,
    ("get", "/api/v1/automations/{automation_id}"): ALL,
    ("put", "/api/v1/automations/{automation_id}"): MANAGERS,
    ("delete", "/api/v1/automations/{automation_id}"): MANAGERS,
    ("post", "/api/v1/automations/{automation_id}/toggle"): MANAGERS,
    ("get", "/api/v1/templates"): ALL,
    ("post", "/api/v1/templates"): MANAGERS,
    ("post", "/api/v1/templates/preview"): ALL,
    ("get", "/api/v1/templates/{template_id}"): ALL,
    ("patch", "/api/v1/templates/{template_id}"): MANAGERS,
    ("delete", "/api/v1/templates/{template_id}"): MANAGERS,
    # --- scoring rules and webhooks: workspace settings / integrations ----------------------------------
    ("get", "/api/v1/scoring/rules"): ALL,
    ("put", "/api/v1/scoring/rules"): ADMINS,
    ("post", "/api/v1/scoring/preview"): ALL,
    ("get", "/api/v1/webhooks"): ADMINS,
    ("post", "/api/v1/webhooks"): ADMINS,
    ("patch", "/api/v1/webhooks/{webhook_id}"): ADMINS,
    ("delete", "/api/v1/webhooks/{webhook_id}"): ADMINS,
    ("post", "/api/v1/webhooks/{webhook_id}/test"): ADMINS,
    ("get", "/api/v1/webhooks/{webhook_id}/deliveries"): ADMINS,
    # --- inbox: everyone reads (agents theirs); editors send on what they may edit; managers assign -----
    ("get", "/api/v1/conversations"): ALL,
    ("post", "/api/v1/conversations/inbound"): EDITORS,
    ("get", "/api/v1/conversations/{conversation_id}"): ALL,
    ("get", "/api/v1/conversations/{conversation_id}/messages"): ALL,
    ("post", "/api/v1/conversations/{conversation_id}/messages"): EDITORS,
    # The read state is the conversation's (every member's unread badge): viewers only look.
    ("post", "/api/v1/conversations/{conversation_id}/read"): EDITORS,
    ("post", "/api/v1/conversations/{conversation_id}/unread"): EDITORS,
    ("post", "/api/v1/conversations/{conversation_id}/assign"): MANAGERS,
    ("post", "/api/v1/conversations/{conversation_id}/archive"): EDITORS,
    ("post", "/api/v1/conversations/{conversation_id}/reopen"): EDITORS,
    ("post", "/api/v1/conversations/messages/{message_id}/status"): EDITORS,
    ("post", "/api/v1/conversations/messages/{message_id}/retry"): EDITORS,
    # --- meetings: editors schedule on leads they may edit; agents change only their own ---------------
    ("get", "/api/v1/meetings/upcoming"): ALL,
    ("post", "/api/v1/meetings"): EDITORS,
    ("get", "/api/v1/meetings/{meeting_id}"): ALL,
    ("patch", "/api/v1/meetings/{meeting_id}"): EDITORS,  # whoever may edit the lead
    ("delete", "/api/v1/meetings/{meeting_id}"): EDITORS,
    ("get", "/api/v1/meetings/{meeting_id}/invite.ics"): ALL,
}

# Bodies a role-holder sends on its own workspace (the tenancy cases' bodies, with A's ids), except:
OWN_BODIES: dict[tuple[str, str], dict[str, object]] = {
    ("post", "/api/v1/leads"): {"platform": "instagram", "username": "role_proof_new"},
    ("post", "/api/v1/leads/bulk"): {"action": "delete", "lead_ids": ["{lead}"]},
    ("post", "/api/v1/leads/{lead_id}/merge"): {"secondary_id": "{twin}"},
    ("post", "/api/v1/leads/import"): {"leads": [{"platform": "instagram", "username": "role_proof_imp"}]},
    ("patch", "/api/v1/members/{user_id}"): {"role": "manager"},
    ("post", "/api/v1/tags"): {"name": "role proof tag"},
    ("post", "/api/v1/pipelines"): {"name": "role proof pipeline", "stages": [{"name": "s"}]},
    ("post", "/api/v1/invitations"): {"email": "role.proof@example.com", "role": "agent"},
    ("post", "/api/v1/templates"): {"name": "role proof template", "body": "Oi {{first_name}}"},
    ("post", "/api/v1/webhooks"): {"url": "https://example.com/h", "events": ["lead.created"]},
    ("post", "/api/v1/leads/import/presets"): {"name": "role proof preset", "mapping": {"Nome": "full_name"}},
    ("put", "/api/v1/scoring/rules"): {"rules": {}},
    ("put", "/api/v1/analytics/time-zone"): {"time_zone": "America/Manaus"},
    ("post", "/api/v1/automations"): {
        "name": "role proof",
        "trigger": "lead_created",
        "actions": [{"type": "add_tag", "tag_id": "{tag}"}],
    },
    ("patch", "/api/v1/me/notifications"): {"lead_assigned": False},
    ("patch", "/api/v1/auth/me/language"): {"language": "en"},
    ("post", "/api/v1/auth/switch-workspace"): {"workspace_id": "{workspace}"},
    ("post", "/api/v1/extension/lookup"): {"profiles": [{"platform": "instagram", "username": "x"}]},
}


@dataclass
class RoleWorld:
    world: World
    members: dict[str, Member]


def _role_world(client: TestClient) -> RoleWorld:
    a = register_owner(workspace=f"{CANARY} Acme")
    a_agent = add_member(a, "agent")
    a_ids = _seed(client, a, CANARY, a_agent)
    twin = client.post(
        "/api/v1/leads", headers=a.auth, json={"platform": "facebook", "username": "role_proof_twin"}
    ).json()
    a_ids["twin"] = twin["id"]
    members = {
        "owner": a,
        "admin": add_member(a, "admin"),
        "manager": add_member(a, "manager"),
        "agent": a_agent,
        "viewer": add_member(a, "viewer"),
    }
    world = World(client=client, a=a, b=a, a_ids=a_ids, b_ids={}, a_markers=[CANARY])
    return RoleWorld(world=world, members=members)


@pytest.fixture
def role_world(monkeypatch: pytest.MonkeyPatch) -> Iterator[RoleWorld]:
    """A fresh workspace per operation (the suite's database is emptied between tests)."""
    # Five members and a snapshot around every refusal: far more requests than a person makes.
    monkeypatch.setattr(api_ext.middleware, "RATE_LIMIT_RULES", ())
    with TestClient(build_api(), raise_server_exceptions=False, base_url="http://localhost:3000") as client:
        yield _role_world(client)


def test_every_operation_has_a_rights_entry() -> None:
    operations = set(_operations())
    missing = sorted(op for op in operations if op not in RIGHTS and op not in UNAUTHENTICATED)
    stale = sorted(op for op in [*RIGHTS, *UNAUTHENTICATED] if op not in operations)
    assert not missing, f"add the roles that may call: {missing}"
    assert not stale, f"rights for operations that no longer exist: {stale}"


READS = sorted(op for op in RIGHTS if op[0] == "get")
WRITES = sorted(op for op in RIGHTS if op[0] != "get")


def _request(rw: RoleWorld, method: str, path: str, member: Member) -> tuple[str, object]:
    world = rw.world
    case = CASES[(method, path)]
    url = path.format(**case.path_values) if case.path_values else path
    for param, key in PATH_PARAMS.items():
        url = url.replace("{" + param + "}", str(world.a_ids[key]))
    if (method, path) == ("patch", "/api/v1/members/{user_id}") or (
        method,
        path,
    ) == ("delete", "/api/v1/members/{user_id}"):
        url = path.replace("{user_id}", str(rw.members["viewer"].user_id))  # never the caller itself
    body = OWN_BODIES.get((method, path), case.body)
    body = _fill(body, world.a_ids) if body is not None else None
    query = _fill(case.query, world.a_ids) or None
    if (method, path) == ("post", "/api/v1/leads/import/csv"):
        files = {"file": ("leads.csv", b"username,platform\nrole_csv,instagram\n", "text/csv")}
        response = world.client.post(url, headers=member.auth, files=files)
    else:
        response = world.client.request(method.upper(), url, headers=member.auth, json=body, params=query)
    return url, response


@pytest.mark.parametrize(("method", "path"), WRITES, ids=[f"{m} {p}" for m, p in WRITES])
def test_each_role_gets_exactly_its_rights(role_world: RoleWorld, method: str, path: str) -> None:
    _check_rights(role_world, method, path)


@pytest.mark.parametrize(("method", "path"), READS, ids=[f"{m} {p}" for m, p in READS])
def test_each_role_reads_exactly_what_it_may(role_world: RoleWorld, method: str, path: str) -> None:
    _check_rights(role_world, method, path)


def _check_rights(role_world: RoleWorld, method: str, path: str) -> None:
    allowed = RIGHTS[(method, path)]
    for role in ROLES:
        member = role_world.members[role]
        before = _snapshot(role_world.world) if role not in allowed else None
        url, response = _request(role_world, method, path, member)
        status = response.status_code  # type: ignore[attr-defined]
        text = response.text  # type: ignore[attr-defined]
        if role in allowed:
            assert status not in (401, 403) and status < 500, (role, method, url, status, text)
        else:
            assert status == 403, (role, method, url, status, text)
            assert response.headers["content-type"].startswith("application/problem+json")  # type: ignore[attr-defined]
            assert _snapshot(role_world.world) == before, f"{role} {method} {url} changed workspace A"

"""Members endpoints: each role's rights through HTTP and tenancy (another workspace's ids → 404)."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD, add_member, register_owner

ROLES = ["owner", "admin", "manager", "agent", "viewer"]


@pytest.mark.parametrize("actor_role", ROLES)
def test_members_endpoints_enforce_roles(client, actor_role):
    owner = register_owner()
    actor = owner if actor_role == "owner" else add_member(owner, actor_role)
    target = add_member(owner, "agent")
    can_manage = actor_role in ("owner", "admin")
    listed = client.get("/api/v1/members", headers=actor.auth)
    assert listed.status_code == 200 and listed.json()["total"] == (3 if actor is not owner else 2)
    invite = client.post(
        "/api/v1/invitations", json={"email": "new@example.com", "role": "agent"}, headers=actor.auth
    )
    assert invite.status_code == (201 if can_manage else 403)
    change = client.patch(f"/api/v1/members/{target.user_id}", json={"role": "viewer"}, headers=actor.auth)
    assert change.status_code == (200 if can_manage else 403)
    if can_manage:
        assert change.json()["role"] == "viewer"
    invitations = client.get("/api/v1/invitations", headers=actor.auth)
    assert invitations.status_code == (200 if can_manage else 403)
    remove = client.delete(f"/api/v1/members/{target.user_id}", headers=actor.auth)
    assert remove.status_code == (204 if can_manage else 403)
    if not can_manage:
        assert remove.headers["content-type"] == "application/problem+json"
        assert remove.json()["code"] == "members_forbidden"


def test_invite_then_accept_over_http(client):
    owner = register_owner()
    created = client.post(
        "/api/v1/invitations", json={"email": "ivo@example.com", "role": "manager"}, headers=owner.auth
    ).json()
    token = created["token"]
    preview = client.get("/api/v1/invitations/preview", params={"token": token}).json()
    assert preview == {
        "workspace_name": "Acme",
        "email": "ivo@example.com",
        "role": "manager",
        "status": "pending",
        "user_exists": False,
    }
    weak = client.post(
        "/api/v1/invitations/accept", json={"token": token, "full_name": "Ivo", "password": "x"}
    )
    assert weak.status_code == 422
    accepted = client.post(
        "/api/v1/invitations/accept", json={"token": token, "full_name": "Ivo", "password": PASSWORD}
    )
    assert accepted.status_code == 200
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {accepted.json()['access_token']}"})
    assert me.json()["role"] == "manager" and me.json()["workspace"]["id"] == owner.workspace_id
    again = client.post(
        "/api/v1/invitations/accept", json={"token": token, "full_name": "Ivo", "password": PASSWORD}
    )
    assert again.status_code == 409 and again.json()["code"] == "invitation_accepted"


def test_another_workspaces_ids_are_404(client):
    acme = register_owner(workspace="Acme")
    globex = register_owner(workspace="Globex")
    globex_agent = add_member(globex, "agent")
    invitation = client.post(
        "/api/v1/invitations", json={"email": "g@example.com", "role": "agent"}, headers=globex.auth
    ).json()["invitation"]
    assert (
        client.patch(
            f"/api/v1/members/{globex_agent.user_id}", json={"role": "viewer"}, headers=acme.auth
        ).status_code
        == 404
    )
    assert client.delete(f"/api/v1/members/{globex_agent.user_id}", headers=acme.auth).status_code == 404
    assert client.delete(f"/api/v1/invitations/{invitation['id']}", headers=acme.auth).status_code == 404
    members = client.get("/api/v1/members", headers=acme.auth).json()["data"]
    assert [m["user_id"] for m in members] == [acme.user_id]


@pytest.mark.parametrize("bad", ["0", "99999999999999999999999"])
def test_out_of_range_ids_are_422_not_500(client, bad):
    owner = register_owner()
    response = client.delete(f"/api/v1/members/{bad}", headers=owner.auth)
    assert response.status_code == 422 and response.json()["code"] == "validation_error"


@pytest.mark.parametrize("bad", ["-1", "abc"])
def test_ids_that_are_not_numbers_name_no_route(client, bad):
    owner = register_owner()
    response = client.delete(f"/api/v1/members/{bad}", headers=owner.auth)
    assert response.status_code == 404 and response.json()["code"] == "not_found"

"""The extension's endpoints: popup context and the duplicate lookup (workspace-scoped)."""

from __future__ import annotations

from tests.factories import add_member, make_lead, register_owner


def test_context_names_user_workspace_role_and_tags(client):
    owner = register_owner("ext-owner@example.com", workspace="Loja Ext")
    client.post("/api/v1/tags", headers=owner.auth, json={"name": "quente", "color": "#ff0000"})
    viewer = add_member(owner, "viewer")

    body = client.get("/api/v1/extension/context", headers=owner.auth).json()
    assert body["user_email"] == "ext-owner@example.com"
    assert body["workspace_name"] == "Loja Ext"
    assert body["role"] == "owner"
    assert body["can_import"] is True
    assert [t["name"] for t in body["tags"]] == ["quente"]
    assert body["workspaces"] == [{"workspace_id": owner.workspace_id, "name": "Loja Ext", "role": "owner"}]

    seen_by_viewer = client.get("/api/v1/extension/context", headers=viewer.auth).json()
    assert seen_by_viewer["can_import"] is False
    assert client.get("/api/v1/extension/context").status_code == 401


def test_lookup_reports_existing_profiles_by_username_or_url_in_this_workspace_only(client):
    owner = register_owner()
    make_lead(owner, platform="instagram", username="ana.souza")
    make_lead(owner, platform="linkedin", profile_url="https://www.linkedin.com/in/bruno-lima/")
    other = register_owner()
    make_lead(other, platform="instagram", username="carla.dias")

    response = client.post(
        "/api/v1/extension/lookup",
        headers=owner.auth,
        json={
            "platform": "instagram",
            "profiles": [
                {"username": "ANA.SOUZA"},
                {"profile_url": "https://www.instagram.com/ana.souza/?hl=pt"},
                {"username": "carla.dias"},  # exists in another workspace only
                {"username": "nobody.here"},
                {"profile_url": "https://example.com/not-a-profile"},
            ],
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["existing"] == [0, 1]
    assert body["keys"][0] == body["keys"][1]
    assert body["keys"][4] is None

    linkedin = client.post(
        "/api/v1/extension/lookup",
        headers=owner.auth,
        json={"platform": "linkedin", "profiles": [{"profile_url": "linkedin.com/in/bruno-lima"}]},
    ).json()
    assert linkedin["existing"] == [0]


def test_lookup_rejects_bad_shapes_clearly(client):
    owner = register_owner()
    empty = client.post(
        "/api/v1/extension/lookup", headers=owner.auth, json={"platform": "instagram", "profiles": []}
    )
    assert empty.status_code == 422
    assert empty.headers["content-type"].startswith("application/problem+json")
    too_many = client.post(
        "/api/v1/extension/lookup",
        headers=owner.auth,
        json={"platform": "instagram", "profiles": [{"username": f"u{i}"} for i in range(501)]},
    )
    assert too_many.status_code == 422
    bad_platform = client.post(
        "/api/v1/extension/lookup",
        headers=owner.auth,
        json={"platform": "myspace", "profiles": [{"username": "x"}]},
    )
    assert bad_platform.status_code == 422

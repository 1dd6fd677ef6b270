"""Auth endpoints through HTTP: status codes, problem bodies, tokens, the browser cookie."""

from __future__ import annotations

from snapleads_app.core.settings import get_settings
from tests.factories import PASSWORD, register_owner

PROBLEM = "application/problem+json"


def _register(client, email="rep@example.com", password=PASSWORD):
    return client.post(
        "/api/v1/auth/register",
        json={
            "email": email,
            "password": password,
            "full_name": "Rita Rep",
            "workspace_name": "Rita Co",
        },
    )


def test_register_login_me_refresh_logout(client):
    created = _register(client)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 900 and "web_ticket" in body
    assert body["web_ticket"] is None
    login = client.post("/api/v1/auth/login", json={"email": "REP@example.com", "password": PASSWORD})
    assert login.status_code == 200
    auth = {"Authorization": f"Bearer {login.json()['access_token']}"}
    me = client.get("/api/v1/auth/me", headers=auth)
    assert me.status_code == 200
    assert me.json()["user"]["email"] == "rep@example.com" and me.json()["role"] == "owner"
    assert me.json()["workspace"]["name"] == "Rita Co"
    refreshed = client.post("/api/v1/auth/refresh", json={"refresh_token": login.json()["refresh_token"]})
    assert refreshed.status_code == 200
    reused = client.post("/api/v1/auth/refresh", json={"refresh_token": login.json()["refresh_token"]})
    assert reused.status_code == 401 and reused.json()["code"] == "refresh_token_reused"
    # the reuse revoked the family: the freshly refreshed access token no longer works
    fresh = {"Authorization": f"Bearer {refreshed.json()['access_token']}"}
    assert client.get("/api/v1/auth/me", headers=fresh).status_code == 401
    other = client.post("/api/v1/auth/login", json={"email": "rep@example.com", "password": PASSWORD}).json()
    other_auth = {"Authorization": f"Bearer {other['access_token']}"}
    assert client.post("/api/v1/auth/logout", headers=other_auth).status_code == 204
    assert client.get("/api/v1/auth/me", headers=other_auth).status_code == 401


def test_validation_errors_are_problems_with_per_field_errors(client):
    response = client.post(
        "/api/v1/auth/register",
        json={"email": "not-an-email", "password": 12, "full_name": "", "extra": True},
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["status"] == 422 and problem["code"] == "validation_error"
    assert problem["instance"] == "/api/v1/auth/register"
    assert {"email", "password", "full_name", "workspace_name", "extra"} <= set(problem["errors"])


def test_weak_password_is_a_422_problem_naming_the_rule(client):
    response = _register(client, password="weakpass")
    assert response.status_code == 422
    assert response.json()["code"] == "weak_password"
    assert "password_needs_upper" in response.json()["errors"]["password"]


def test_duplicate_registration_is_409(client):
    register_owner("taken@example.com")
    response = _register(client, email="Taken@example.com")
    assert response.status_code == 409 and response.json()["code"] == "email_taken"
    assert response.headers["content-type"] == PROBLEM


def test_wrong_password_401_then_throttled_429_with_retry_after(client):
    owner = register_owner()
    for _ in range(5):
        wrong = client.post("/api/v1/auth/login", json={"email": owner.email, "password": "Wrong12345"})
        assert wrong.status_code == 401 and wrong.json()["code"] == "invalid_credentials"
        assert wrong.headers["www-authenticate"] == "Bearer"
    throttled = client.post("/api/v1/auth/login", json={"email": owner.email, "password": PASSWORD})
    assert throttled.status_code == 429 and throttled.json()["code"] == "login_throttled"
    assert 0 < int(throttled.headers["retry-after"]) <= 900


def test_missing_expired_and_forged_tokens_are_401(client):
    assert client.get("/api/v1/auth/me").json()["code"] == "unauthenticated"
    bad = client.get("/api/v1/auth/me", headers={"Authorization": "Bearer abc.def.ghi"})
    assert bad.status_code == 401 and bad.json()["code"] == "invalid_token"
    from snapleads_app.core import clock

    owner = register_owner()
    clock.advance(16 * 60)
    expired = client.get("/api/v1/auth/me", headers=owner.auth)
    assert expired.status_code == 401 and expired.json()["code"] == "token_expired"


def test_switch_workspace_via_api(client):
    owner = register_owner(workspace="One")
    response = client.post(
        "/api/v1/auth/switch-workspace", json={"workspace_id": owner.workspace_id + 999}, headers=owner.auth
    )
    assert response.status_code == 404
    same = client.post(
        "/api/v1/auth/switch-workspace", json={"workspace_id": owner.workspace_id}, headers=owner.auth
    )
    assert same.status_code == 200 and same.json()["workspace_id"] == owner.workspace_id


def test_web_login_sets_an_httponly_cookie_and_redirects_inside_the_app(client):
    owner = register_owner()
    from snapleads_app.core.db import unit_of_work
    from snapleads_app.domain.accounts import service as accounts
    from snapleads_app.domain.accounts.models import ClientInfo, LoginIn

    with unit_of_work() as session:
        ticket = accounts.login(
            session=session, data=LoginIn(email=owner.email, password=PASSWORD), client=ClientInfo(kind="web")
        ).web_ticket
    response = client.get(
        f"/api/v1/auth/web/session?ticket={ticket}&next=//evil.example/x", follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == get_settings().public_url + "/"  # open redirect refused
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{get_settings().session_cookie_name}=") and "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "samesite=lax" in cookie.lower()
    again = client.get(f"/api/v1/auth/web/session?ticket={ticket}", follow_redirects=False)
    assert again.headers["location"].endswith("/login?error=ticket_invalid")
    cleared = client.get("/api/v1/auth/web/clear?next=/login", follow_redirects=False)
    assert cleared.status_code == 303 and "Max-Age=0" in cleared.headers["set-cookie"]

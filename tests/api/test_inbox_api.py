"""Conversations and templates through HTTP: status codes, problem bodies, dedup, rate limit, tenancy."""

from __future__ import annotations

from tests.factories import add_member, make_lead, register_owner

PROBLEM = "application/problem+json"


def _inbound(client, member, **body):
    payload = {
        "lead": {
            "platform": "instagram",
            "profile_url": "https://instagram.com/ana.souza",
            "full_name": "Ana Souza",
        },
        "body": "Oi, tudo bem?",
        **body,
    }
    return client.post("/api/v1/conversations/inbound", headers=member.auth, json=payload)


def test_inbound_dedup_list_detail_send_read_archive(client, jobs):
    owner = register_owner()
    first = _inbound(client, owner, external_id="dm-1")
    assert first.status_code == 201, first.text
    again = _inbound(client, owner, external_id="dm-1")
    assert again.status_code == 200 and again.json()["created"] is False
    conv_id = first.json()["conversation_id"]

    listed = client.get("/api/v1/conversations", headers=owner.auth, params={"unread": "true"}).json()
    assert [c["id"] for c in listed["data"]] == [conv_id]
    assert listed["data"][0]["unread_count"] == 1 and listed["data"][0]["lead"]["name"] == "Ana Souza"

    sent = client.post(
        f"/api/v1/conversations/{conv_id}/messages", headers=owner.auth, json={"body": "Olá Ana!"}
    )
    assert sent.status_code == 201 and sent.json()["status"] == "pending"
    assert jobs[-1] == ("inbox.deliver", {"message_id": sent.json()["id"]})
    detail = client.get(f"/api/v1/conversations/{conv_id}", headers=owner.auth, params={"limit": 1}).json()
    assert [m["body"] for m in detail["messages"]["data"]] == ["Olá Ana!"]
    older = client.get(
        f"/api/v1/conversations/{conv_id}/messages",
        headers=owner.auth,
        params={"before": detail["messages"]["next_cursor"]},
    ).json()
    assert [m["body"] for m in older["data"]] == ["Oi, tudo bem?"]

    assert (
        client.post(f"/api/v1/conversations/{conv_id}/read", headers=owner.auth).json()["unread_count"] == 0
    )
    assert (
        client.post(f"/api/v1/conversations/{conv_id}/archive", headers=owner.auth).json()["status"]
        == "archived"
    )
    assert client.get("/api/v1/conversations", headers=owner.auth).json()["data"] == []
    archived = client.get("/api/v1/conversations", headers=owner.auth, params={"status": "archived"}).json()
    assert len(archived["data"]) == 1
    # A new inbound message reopens the same conversation.
    reopened = _inbound(client, owner, external_id="dm-2", body="Alô?")
    assert reopened.json()["conversation_id"] == conv_id
    assert (
        client.get(f"/api/v1/conversations/{conv_id}", headers=owner.auth).json()["conversation"]["status"]
        == "open"
    )


def test_status_reports_retry_and_problems(client, jobs):
    owner = register_owner()
    conv_id = _inbound(client, owner).json()["conversation_id"]
    msg = client.post(
        f"/api/v1/conversations/{conv_id}/messages", headers=owner.auth, json={"body": "x"}
    ).json()
    url = f"/api/v1/conversations/messages/{msg['id']}"
    failed = client.post(f"{url}/status", headers=owner.auth, json={"status": "failed", "error": "blocked"})
    assert failed.json()["status"] == "failed" and failed.json()["error"] == "blocked"
    assert client.post(f"{url}/retry", headers=owner.auth).json()["status"] == "pending"
    again = client.post(f"{url}/retry", headers=owner.auth)
    assert again.status_code == 409 and again.headers["content-type"].startswith(PROBLEM)
    empty = client.post(f"/api/v1/conversations/{conv_id}/messages", headers=owner.auth, json={"body": "  "})
    assert empty.status_code == 422 and empty.json()["errors"] == {"body": "required"}


def test_roles_and_tenancy_on_every_endpoint(client):
    owner = register_owner()
    viewer = add_member(owner, "viewer")
    stranger = register_owner(workspace="Other")
    conv_id = _inbound(client, owner, external_id="x").json()["conversation_id"]
    msg_id = client.get(f"/api/v1/conversations/{conv_id}", headers=owner.auth).json()["messages"]["data"][0][
        "id"
    ]
    base = f"/api/v1/conversations/{conv_id}"
    calls = [
        ("get", base, None),
        ("get", f"{base}/messages", None),
        ("post", f"{base}/messages", {"body": "x"}),
        ("post", f"{base}/read", None),
        ("post", f"{base}/unread", None),
        ("post", f"{base}/assign", {"assignee_id": stranger.user_id}),
        ("post", f"{base}/archive", None),
        ("post", f"{base}/reopen", None),
        ("post", f"/api/v1/conversations/messages/{msg_id}/status", {"status": "read"}),
        ("post", f"/api/v1/conversations/messages/{msg_id}/retry", None),
    ]
    for method, url, body in calls:
        response = client.request(method, url, headers=stranger.auth, json=body)
        assert response.status_code == 404, (url, response.text)
        assert response.headers["content-type"].startswith(PROBLEM)
    assert client.get("/api/v1/conversations", headers=stranger.auth).json()["data"] == []
    assert client.post(f"{base}/messages", headers=viewer.auth, json={"body": "x"}).status_code == 403
    assert _inbound(client, viewer).status_code == 403
    assert client.get(base).status_code == 401


def test_send_rate_limit_headers_and_429(client):
    owner = register_owner()
    conv_id = _inbound(client, owner).json()["conversation_id"]
    url = f"/api/v1/conversations/{conv_id}/messages"
    last = None
    for i in range(59):  # the inbound POST above counts in the same window
        last = client.post(url, headers=owner.auth, json={"body": str(i)})
        assert last.status_code == 201, last.text
    assert last is not None and last.headers["x-ratelimit-limit"] == "60"
    blocked = client.post(url, headers=owner.auth, json={"body": "one too many"})
    assert blocked.status_code == 429 and "retry-after" in blocked.headers


def test_templates_crud_preview_and_validation(client):
    owner = register_owner()
    agent = add_member(owner, "agent")
    stranger = register_owner(workspace="Other")
    lead = make_lead(owner, full_name="Ana Souza", company="Padaria Sol")
    created = client.post(
        "/api/v1/templates",
        headers=owner.auth,
        json={
            "name": "Intro",
            "body": "Oi {{first_name|there}} da {{company}} {{city}}",
            "category": "outreach",
        },
    )
    assert created.status_code == 201, created.text
    tpl = created.json()
    assert tpl["variables"] == ["first_name", "company", "city"] and tpl["reply_rate"] == 0
    dup = client.post("/api/v1/templates", headers=owner.auth, json={"name": "intro", "body": "x"})
    assert dup.status_code == 409
    bad = client.post(
        "/api/v1/templates", headers=owner.auth, json={"name": "Bad", "body": "Oi {{first name}}"}
    )
    assert bad.status_code == 422 and bad.json()["errors"] == {"body": "template_malformed"}
    preview = client.post(
        "/api/v1/templates/preview", headers=owner.auth, json={"lead_id": lead.id, "template_id": tpl["id"]}
    ).json()
    assert preview == {
        "text": "Oi Ana da Padaria Sol ",
        "missing": ["city"],
        "variables": ["first_name", "company", "city"],
    }
    patched = client.patch(
        f"/api/v1/templates/{tpl['id']}", headers=owner.auth, json={"body": "Oi {{first_name}}"}
    )
    assert patched.json()["variables"] == ["first_name"]
    assert client.get("/api/v1/templates", headers=agent.auth).json()["total"] == 1  # everyone reads
    assert (
        client.post("/api/v1/templates", headers=agent.auth, json={"name": "A", "body": "b"}).status_code
        == 403
    )
    for method, url in (
        ("get", f"/api/v1/templates/{tpl['id']}"),
        ("delete", f"/api/v1/templates/{tpl['id']}"),
    ):
        assert client.request(method, url, headers=stranger.auth).status_code == 404
    other_preview = client.post(
        "/api/v1/templates/preview", headers=stranger.auth, json={"lead_id": lead.id, "body": "x"}
    )
    assert other_preview.status_code == 404
    assert client.delete(f"/api/v1/templates/{tpl['id']}", headers=owner.auth).status_code == 204
    assert client.get("/api/v1/templates", headers=owner.auth).json()["total"] == 0

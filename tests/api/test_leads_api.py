"""Leads, tags and pipelines through HTTP: translation of status codes, filters, export, tenancy."""

from __future__ import annotations

import csv
import io

import pytest

from tests.factories import add_member, make_lead, register_owner

PROBLEM = "application/problem+json"


def test_create_get_patch_delete_restore(client):
    owner = register_owner()
    created = client.post(
        "/api/v1/leads",
        headers=owner.auth,
        json={
            "platform": "instagram",
            "profile_url": "https://instagram.com/Ana.Silva?igshid=1",
            "full_name": "Ana",
            "email": "ANA@example.com",
            "phone": "(11) 98765-4321",
        },
    )
    assert created.status_code == 201, created.text
    lead = created.json()
    assert (lead["username"], lead["email"], lead["phone"]) == (
        "ana.silva",
        "ana@example.com",
        "+5511987654321",
    )
    url = f"/api/v1/leads/{lead['id']}"
    assert client.get(url, headers=owner.auth).json()["full_name"] == "Ana"
    patched = client.patch(url, headers=owner.auth, json={"company": "Acme", "status": "contacted"})
    assert patched.status_code == 200 and patched.json()["company"] == "Acme"
    assert patched.json()["full_name"] == "Ana"  # untouched by the partial update
    assert client.delete(url, headers=owner.auth).status_code == 204
    assert client.get(url, headers=owner.auth).status_code == 404
    assert client.post(f"{url}/restore", headers=owner.auth).status_code == 200
    activities = client.get(f"{url}/activities", headers=owner.auth).json()["data"]
    assert [a["type"] for a in activities][:2] == ["lead.restored", "lead.deleted"]


def test_bad_lead_input_is_422_with_field_errors_and_duplicates_409(client):
    owner = register_owner()
    bad = client.post(
        "/api/v1/leads",
        headers=owner.auth,
        json={"platform": "instagram", "email": "nope", "phone": "1", "username": "ok"},
    )
    assert bad.status_code == 422 and bad.headers["content-type"] == PROBLEM
    assert set(bad.json()["errors"]) == {"email", "phone"}
    wrong_types = client.post(
        "/api/v1/leads",
        headers=owner.auth,
        json={"platform": "myspace", "followers": "many", "verified": "perhaps"},
    )
    assert wrong_types.status_code == 422 and {"platform", "followers", "verified"} <= set(
        wrong_types.json()["errors"]
    )
    make_lead(owner, username="taken")
    dup = client.post(
        "/api/v1/leads", headers=owner.auth, json={"platform": "instagram", "username": "@Taken"}
    )
    assert dup.status_code == 409 and dup.json()["code"] == "lead_exists"
    assert client.get("/api/v1/leads", headers=owner.auth).json()["data"][0]["username"] == "taken"


def test_list_filters_sort_and_cursor(client):
    owner = register_owner()
    hot = client.post("/api/v1/tags", headers=owner.auth, json={"name": "hot", "color": "#ff0000"}).json()
    a = make_lead(owner, full_name="Ana", tag_ids=[hot["id"]])
    b = make_lead(owner, full_name="Bia", platform="linkedin", status="qualified")
    make_lead(owner, full_name="Caio")
    query = client.get(
        "/api/v1/leads",
        headers=owner.auth,
        params={"platform": ["instagram", "linkedin"], "tags": [hot["id"]], "include_total": True},
    )
    assert [x["id"] for x in query.json()["data"]] == [a.id] and query.json()["total"] == 1
    assert [
        x["id"]
        for x in client.get("/api/v1/leads", headers=owner.auth, params={"status": "qualified"}).json()[
            "data"
        ]
    ] == [b.id]
    first = client.get("/api/v1/leads", headers=owner.auth, params={"sort": "name", "limit": 2}).json()
    assert [x["full_name"] for x in first["data"]] == ["Ana", "Bia"] and first["next_cursor"]
    second = client.get(
        "/api/v1/leads",
        headers=owner.auth,
        params={"sort": "name", "limit": 2, "cursor": first["next_cursor"]},
    ).json()
    assert [x["full_name"] for x in second["data"]] == ["Caio"] and second["next_cursor"] is None
    for params in (
        {"limit": 101},
        {"sort": "colour"},
        {"score_min": -1},
        {"cursor": "zzz"},
        {"platform": "myspace"},
    ):
        response = client.get("/api/v1/leads", headers=owner.auth, params=params)
        assert response.status_code == 422, params


def test_tags_assign_bulk_merge_duplicates(client):
    owner = register_owner()
    agent = add_member(owner, "agent")
    hot = client.post("/api/v1/tags", headers=owner.auth, json={"name": "hot"}).json()
    assert client.post("/api/v1/tags", headers=owner.auth, json={"name": "HOT"}).status_code == 409
    a = make_lead(owner, email="same@example.com")
    b = make_lead(owner, platform="linkedin", email="same@example.com")
    tagged = client.post(f"/api/v1/leads/{a.id}/tags", headers=owner.auth, json={"tag_ids": [hot["id"]]})
    assert tagged.json()["tag_ids"] == [hot["id"]]
    untagged = client.delete(f"/api/v1/leads/{a.id}/tags", headers=owner.auth, params={"tags": [hot["id"]]})
    assert untagged.json()["tag_ids"] == []
    assigned = client.post(
        f"/api/v1/leads/{a.id}/assign", headers=owner.auth, json={"assignee_id": agent.user_id}
    )
    assert assigned.json()["assignee_id"] == agent.user_id
    bulk = client.post(
        "/api/v1/leads/bulk",
        headers=owner.auth,
        json={"action": "tag", "filters": {"platform": ["linkedin"]}, "tag_ids": [hot["id"]]},
    )
    assert bulk.json() == {"action": "tag", "affected": 1, "ids": [b.id]}
    assert client.post("/api/v1/leads/bulk", headers=owner.auth, json={"action": "tag"}).status_code == 422
    dups = client.get(f"/api/v1/leads/{a.id}/duplicates", headers=owner.auth).json()["data"]
    assert [d["id"] for d in dups] == [b.id]
    merged = client.post(f"/api/v1/leads/{a.id}/merge", headers=owner.auth, json={"secondary_id": b.id})
    assert merged.status_code == 200 and merged.json()["tag_ids"] == [hot["id"]]
    tags = client.get("/api/v1/tags", headers=owner.auth).json()["data"]
    assert tags == [{"id": hot["id"], "name": "hot", "color": "#6366f1", "lead_count": 1}]


def test_export_streams_formula_safe_csv_with_bom(client):
    owner = register_owner()
    make_lead(owner, full_name="=1+1", company="Ação")
    response = client.get("/api/v1/leads/export", headers=owner.auth)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    row = next(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert row["full_name"] == "'=1+1" and row["company"] == "Ação"
    agent = add_member(owner, "agent")
    denied = client.get("/api/v1/leads/export", headers=agent.auth)
    assert denied.status_code == 403 and denied.headers["content-type"] == PROBLEM


def test_kanban_column_and_move(client):
    owner = register_owner()
    pipeline = client.get("/api/v1/pipelines", headers=owner.auth).json()["data"][0]
    new, contacted = pipeline["stages"][0]["id"], pipeline["stages"][1]["id"]
    a, b = make_lead(owner), make_lead(owner)
    column = client.get(f"/api/v1/pipelines/stages/{new}/leads", headers=owner.auth).json()
    assert column["total"] == 2 and [c["id"] for c in column["data"]] == [a.id, b.id]
    moved = client.post(f"/api/v1/leads/{b.id}/move", headers=owner.auth, json={"stage_id": contacted})
    assert moved.json()["status"] == "contacted"
    assert client.get(f"/api/v1/pipelines/stages/{contacted}/leads", headers=owner.auth).json()["total"] == 1
    created = client.post(
        "/api/v1/pipelines",
        headers=owner.auth,
        json={"name": "Partners", "stages": [{"name": "A"}, {"name": "B"}]},
    )
    assert created.status_code == 201 and [s["name"] for s in created.json()["stages"]] == ["A", "B"]
    assert (
        client.post("/api/v1/pipelines", headers=owner.auth, json={"name": "X", "stages": []}).status_code
        == 422
    )


ROUTES_WITH_IDS = [
    ("get", "/api/v1/leads/{lead}", None),
    ("patch", "/api/v1/leads/{lead}", {"company": "x"}),
    ("delete", "/api/v1/leads/{lead}", None),
    ("post", "/api/v1/leads/{lead}/restore", None),
    ("post", "/api/v1/leads/{lead}/tags", {"tag_ids": ["{tag}"]}),
    ("post", "/api/v1/leads/{lead}/assign", {"assignee_id": None}),
    ("post", "/api/v1/leads/{lead}/move", {"stage_id": "{stage}"}),
    ("post", "/api/v1/leads/{lead}/merge", {"secondary_id": "{lead}"}),
    ("get", "/api/v1/leads/{lead}/duplicates", None),
    ("get", "/api/v1/leads/{lead}/activities", None),
    ("patch", "/api/v1/tags/{tag}", {"name": "renamed"}),
    ("delete", "/api/v1/tags/{tag}", None),
    ("get", "/api/v1/pipelines/{pipeline}", None),
    ("patch", "/api/v1/pipelines/{pipeline}", {"name": "x"}),
    ("delete", "/api/v1/pipelines/{pipeline}", None),
    ("post", "/api/v1/pipelines/{pipeline}/stages", {"name": "x"}),
    ("patch", "/api/v1/pipelines/stages/{stage}", {"name": "x"}),
    ("delete", "/api/v1/pipelines/stages/{stage}", None),
    ("get", "/api/v1/pipelines/stages/{stage}/leads", None),
]


@pytest.mark.parametrize(("method", "template", "body"), ROUTES_WITH_IDS)
def test_another_workspaces_ids_are_404(client, method, template, body):
    acme, globex = register_owner(), register_owner()
    lead = make_lead(globex)
    tag = client.post("/api/v1/tags", headers=globex.auth, json={"name": "vip"}).json()
    pipeline = client.post(
        "/api/v1/pipelines", headers=globex.auth, json={"name": "P", "stages": [{"name": "S"}]}
    ).json()
    ids = {
        "lead": lead.id,
        "tag": tag["id"],
        "pipeline": pipeline["id"],
        "stage": pipeline["stages"][0]["id"],
    }
    if method == "post" and template.endswith("/merge"):
        body = {"secondary_id": lead.id}
        template = template.replace("{lead}", str(make_lead(acme).id), 1)
    url = template.format(**ids)

    def fill(value):
        if isinstance(value, str) and value.startswith("{"):
            return ids[value.strip("{}")]
        if isinstance(value, list):
            return [fill(v) for v in value]
        return value

    payload = {k: fill(v) for k, v in body.items()} if body else None
    response = client.request(method.upper(), url, headers=acme.auth, json=payload)
    assert response.status_code == 404, (url, response.text)
    assert response.headers["content-type"] == PROBLEM
    assert client.get(f"/api/v1/leads/{lead.id}", headers=globex.auth).status_code == 200  # untouched


def test_a_big_export_answers_202_and_its_link_downloads_the_file(client, monkeypatch):
    from snapleads_app.domain.exports import service as exports

    monkeypatch.setattr(exports, "SYNC_LIMIT", 1)
    owner = register_owner()
    other = register_owner()
    make_lead(owner, full_name="Ana")
    make_lead(owner, full_name="Bia")
    accepted = client.get("/api/v1/leads/export", headers=owner.auth)
    assert accepted.status_code == 202
    job = accepted.json()
    assert job["status"] == "queued" and job["total"] == 2 and job["download_url"] is None
    assert client.get(f"/api/v1/leads/exports/{job['id']}", headers=other.auth).status_code == 404
    exports.run(job["id"])  # what the `exports.run` actor does
    done = client.get(f"/api/v1/leads/exports/{job['id']}", headers=owner.auth).json()
    assert done["status"] == "completed" and done["download_url"].startswith(
        f"/api/v1/leads/exports/{job['id']}/"
    )
    assert [e["id"] for e in client.get("/api/v1/leads/exports", headers=owner.auth).json()["data"]] == [
        job["id"]
    ]
    file = client.get(done["download_url"])  # the link is the key: no bearer token
    assert file.status_code == 200 and file.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(file.content.decode("utf-8-sig"))))
    assert sorted(r["full_name"] for r in rows) == ["Ana", "Bia"]
    wrong = client.get(f"/api/v1/leads/exports/{job['id']}/download", params={"token": "nope"})
    assert wrong.status_code == 404


def test_merges_of_a_lead_are_listed_and_undone_over_rest(client):
    owner = register_owner()
    agent = add_member(owner, "agent")
    a = make_lead(owner, full_name="Ana", assignee_id=agent.user_id)
    b = make_lead(owner, platform="linkedin", username="ana-l", company="Acme")
    merged = client.post(f"/api/v1/leads/{a.id}/merge", headers=owner.auth, json={"secondary_id": b.id})
    assert merged.status_code == 200 and merged.json()["company"] == "Acme"
    listed = client.get(f"/api/v1/leads/{a.id}/merges", headers=owner.auth).json()["data"]
    assert [(m["secondary_id"], m["undone"]) for m in listed] == [(b.id, False)]
    audit_id = listed[0]["audit_id"]
    assert client.post(f"/api/v1/leads/merges/{audit_id}/undo", headers=agent.auth).status_code == 403
    undone = client.post(f"/api/v1/leads/merges/{audit_id}/undo", headers=owner.auth)
    assert undone.status_code == 200 and undone.json()["id"] == b.id
    assert client.get(f"/api/v1/leads/{a.id}", headers=owner.auth).json()["company"] is None
    assert client.post(f"/api/v1/leads/merges/{audit_id}/undo", headers=owner.auth).status_code == 409

"""Import endpoints: 202 + job id, status, limits, bad shapes, tenancy."""

from __future__ import annotations

import json

from snapleads_app.domain.imports import runner
from tests.factories import add_member, register_owner

PROBLEM = "application/problem+json"


def test_batch_is_accepted_with_202_and_its_job_reports_counts(client):
    owner = register_owner()
    response = client.post(
        "/api/v1/leads/import",
        headers=owner.auth,
        json={
            "source": "extension",
            "platform": "instagram",
            "source_url": "https://www.instagram.com/acme/followers/",
            "tags": ["acme followers"],
            "leads": [{"username": "ana", "followers": "1.234"}, {"username": "bia"}, {"username": "ana"}],
        },
    )
    assert response.status_code == 202, response.text
    accepted = response.json()
    assert accepted["status"] == "queued" and accepted["total"] == 3
    runner.run(accepted["job_id"])  # what the worker does
    job = client.get(f"/api/v1/leads/import/{accepted['job_id']}", headers=owner.auth).json()
    assert (job["status"], job["created"], job["duplicates"], job["progress"]) == ("completed", 2, 1, 100.0)
    history = client.get("/api/v1/leads/imports", headers=owner.auth).json()["data"]
    assert [j["id"] for j in history] == [accepted["job_id"]]
    leads = client.get("/api/v1/leads", headers=owner.auth).json()["data"]
    assert {x["username"] for x in leads} == {"ana", "bia"}
    assert all(x["source_url"] == "https://www.instagram.com/acme/followers/" for x in leads)


def test_empty_wrong_shape_and_oversized_batches_are_clear_4xx(client):
    owner = register_owner()
    empty = client.post("/api/v1/leads/import", headers=owner.auth, json={"leads": []})
    assert empty.status_code == 422 and "leads" in empty.json()["errors"]
    shape = client.post("/api/v1/leads/import", headers=owner.auth, json={"leads": {"username": "x"}})
    assert shape.status_code == 422 and shape.headers["content-type"] == PROBLEM
    unknown = client.post("/api/v1/leads/import", headers=owner.auth, json={"leads": [{"nickname": "x"}]})
    assert unknown.status_code == 422
    huge = json.dumps({"leads": [{"username": f"u{i}", "bio": "x" * 4000} for i in range(1400)]})
    assert len(huge) > 5 * 1024 * 1024
    too_big = client.post(
        "/api/v1/leads/import", headers={**owner.auth, "content-type": "application/json"}, content=huge
    )
    assert too_big.status_code == 413 and too_big.json()["code"] == "payload_too_large"
    assert client.get("/api/v1/leads/imports", headers=owner.auth).json()["data"] == []  # nothing was queued


def test_import_rate_limit_is_5_per_minute(client):
    owner = register_owner()
    codes = [
        client.post(
            "/api/v1/leads/import",
            headers=owner.auth,
            json={"leads": [{"platform": "instagram", "username": f"r{i}"}]},
        ).status_code
        for i in range(6)
    ]
    assert codes == [202] * 5 + [429]


def test_roles_and_tenancy(client):
    owner = register_owner()
    viewer = add_member(owner, "viewer")
    denied = client.post("/api/v1/leads/import", headers=viewer.auth, json={"leads": [{"username": "x"}]})
    assert denied.status_code == 403
    job_id = client.post(
        "/api/v1/leads/import",
        headers=owner.auth,
        json={"leads": [{"platform": "instagram", "username": "x"}]},
    ).json()["job_id"]
    other = register_owner()
    for method, url in (
        ("GET", f"/api/v1/leads/import/{job_id}"),
        ("POST", f"/api/v1/leads/import/{job_id}/cancel"),
        ("GET", f"/api/v1/leads/import/{job_id}/rejected.csv"),
    ):
        response = client.request(method, url, headers=other.auth)
        assert response.status_code == 404 and response.headers["content-type"] == PROBLEM
    cancelled = client.post(f"/api/v1/leads/import/{job_id}/cancel", headers=owner.auth)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    again = client.post(f"/api/v1/leads/import/{job_id}/cancel", headers=owner.auth)
    assert again.status_code == 409


def test_csv_upload_with_automatic_mapping(client, tmp_path):
    owner = register_owner()
    body = "Nome;E-mail;Telefone;Empresa\nJoão;joao@exemplo.com.br;(11) 98765-4321;Padaria\n".encode("cp1252")
    response = client.post(
        "/api/v1/leads/import/csv",
        headers=owner.auth,
        files={"file": ("clientes.csv", body, "text/csv")},
        data={"options": json.dumps({"platform": "other", "tags": ["csv"]})},
    )
    assert response.status_code == 202, response.text
    runner.run(response.json()["job_id"])
    job = client.get(f"/api/v1/leads/import/{response.json()['job_id']}", headers=owner.auth).json()
    assert (job["status"], job["created"], job["file_name"]) == ("completed", 1, "clientes.csv")
    lead = client.get("/api/v1/leads", headers=owner.auth).json()["data"][0]
    assert (lead["email"], lead["phone"], lead["company"]) == (
        "joao@exemplo.com.br",
        "+5511987654321",
        "Padaria",
    )


def test_csv_upload_refuses_binary_files_and_bad_mappings_clearly(client):
    from snapleads_app.domain.imports.service import UPLOAD_DIR

    owner = register_owner()
    before = set(UPLOAD_DIR.glob("incoming-*"))
    png = client.post(
        "/api/v1/leads/import/csv",
        headers=owner.auth,
        files={"file": ("photo.csv", b"\x89PNG\r\n\x1a\n" + bytes(200), "text/csv")},
    )
    assert png.status_code == 422 and png.json()["code"] == "binary_file"
    bad_mapping = client.post(
        "/api/v1/leads/import/csv",
        headers=owner.auth,
        files={"file": ("a.csv", b"email\nx@example.com\n", "text/csv")},
        data={"mapping": json.dumps({"ghost": "email"})},
    )
    assert bad_mapping.status_code == 422 and bad_mapping.json()["code"] == "invalid_mapping"
    assert bad_mapping.json()["errors"]["mapping.ghost"] == "unknown_column"  # per column, machine-readable
    not_json = client.post(
        "/api/v1/leads/import/csv",
        headers=owner.auth,
        files={"file": ("a.csv", b"email\nx@example.com\n", "text/csv")},
        data={"options": "{not json"},
    )
    assert not_json.status_code == 422
    assert client.get("/api/v1/leads/imports", headers=owner.auth).json()["data"] == []
    assert set(UPLOAD_DIR.glob("incoming-*")) == before  # refused uploads leave no file behind


def test_csv_uploads_may_exceed_the_json_limit_but_not_200_mb(client):
    owner = register_owner()
    big = b"email,bio\n" + b"".join(f"u{i}@example.com,{'x' * 500}\n".encode() for i in range(12_000))
    assert len(big) > 5 * 1024 * 1024
    accepted = client.post(
        "/api/v1/leads/import/csv",
        headers=owner.auth,
        files={"file": ("big.csv", big, "text/csv")},
        data={"options": '{"platform": "other"}'},
    )
    assert accepted.status_code == 202
    refused = client.post(
        "/api/v1/leads/import/csv",
        headers={**owner.auth, "content-length": str(201 * 1024 * 1024)},
        content=b"x",
    )
    assert refused.status_code == 413


def test_mapping_presets_over_rest(client):
    owner = register_owner()
    other = register_owner()
    saved = client.post(
        "/api/v1/leads/import/presets",
        headers=owner.auth,
        json={"name": "Loja", "mapping": {"Nome": "full_name", "E-mail": "email"}},
    )
    assert saved.status_code == 201 and saved.json()["name"] == "Loja"
    listed = client.get("/api/v1/leads/import/presets", headers=owner.auth)  # not read as a job id
    assert listed.status_code == 200 and [p["id"] for p in listed.json()["data"]] == [saved.json()["id"]]
    assert client.get("/api/v1/leads/import/presets", headers=other.auth).json()["data"] == []
    bad = client.post(
        "/api/v1/leads/import/presets", headers=owner.auth, json={"name": "X", "mapping": {"A": "nope"}}
    )
    assert bad.status_code == 422 and bad.json()["errors"]["mapping.A"] == "unknown_target"
    gone = client.delete(f"/api/v1/leads/import/presets/{saved.json()['id']}", headers=other.auth)
    assert gone.status_code == 404
    assert (
        client.delete(f"/api/v1/leads/import/presets/{saved.json()['id']}", headers=owner.auth).status_code
        == 204
    )
    assert client.get("/api/v1/leads/import/presets", headers=owner.auth).json()["data"] == []

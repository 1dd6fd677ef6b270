"""Bad-input corpus: each payload gets a clear problem+json (4xx, never 5xx) and nothing is written.

Hostile-but-valid text (SQL, HTML/script, unicode edge cases) is a different matter: it is stored and
returned verbatim, as text — checked at the end.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import Member, make_lead, register_owner

PROBLEM = "application/problem+json"


@dataclass(frozen=True)
class Bad:
    name: str
    method: str
    path: str  # may hold {lead}
    body: Any = None  # JSON-encoded unless `raw`
    raw: bytes | None = None
    content_type: str = "application/json"
    params: dict[str, Any] | None = None
    status: tuple[int, ...] = (422,)


def _deep(levels: int) -> dict[str, Any]:
    node: dict[str, Any] = {"leaf": 1}
    for _ in range(levels):
        node = {"n": node}
    return node


LEAD = "/api/v1/leads"
CORPUS: list[Bad] = [
    # malformed documents
    Bad("not JSON", "post", LEAD, raw=b'{"platform": "instagram",', status=(400, 422)),
    Bad("JSON array instead of object", "post", LEAD, body=[{"platform": "instagram"}]),
    Bad("JSON null", "post", LEAD, raw=b"null"),
    Bad("empty body", "post", LEAD, raw=b""),
    Bad("text/plain body", "post", LEAD, raw=b"platform=instagram", content_type="text/plain"),
    Bad(
        "invalid UTF-8 bytes",
        "post",
        LEAD,
        raw=b'{"platform": "instagram", "bio": "\xff\xfe"}',
        status=(400, 422),
    ),
    Bad(
        "duplicate keys",
        "post",
        LEAD,
        raw=b'{"platform": "myspace", "platform": "instagram", "username": "dup"}',
        status=(400, 422),
    ),
    # wrong types
    Bad("platform is a number", "post", LEAD, body={"platform": 123}),
    Bad("unknown platform", "post", LEAD, body={"platform": "myspace"}),
    Bad("followers is a word", "post", LEAD, body={"platform": "instagram", "followers": "many"}),
    Bad("followers is a float", "post", LEAD, body={"platform": "instagram", "followers": 1.5}),
    Bad("verified is a list", "post", LEAD, body={"platform": "instagram", "verified": [True]}),
    Bad("tag_ids is a string", "post", LEAD, body={"platform": "instagram", "tag_ids": "1,2"}),
    Bad("unknown field", "post", LEAD, body={"platform": "instagram", "is_admin": True}),
    # numbers out of range
    Bad("negative followers", "post", LEAD, body={"platform": "instagram", "followers": -5}),
    Bad("followers beyond 64 bits", "post", LEAD, body={"platform": "instagram", "followers": 10**30}),
    Bad("assignee id zero", "post", LEAD, body={"platform": "instagram", "assignee_id": 0}),
    Bad("assignee id beyond int", "post", LEAD, body={"platform": "instagram", "assignee_id": 2**40}),
    # huge strings and structures
    Bad("10k-char username", "post", LEAD, body={"platform": "instagram", "username": "u" * 10_000}),
    Bad("1 MB bio", "post", LEAD, body={"platform": "instagram", "bio": "b" * 1_000_000}),
    Bad("deep custom fields", "post", LEAD, body={"platform": "instagram", "custom_fields": _deep(200)}),
    Bad(
        "too many custom fields",
        "post",
        LEAD,
        body={"platform": "instagram", "custom_fields": {f"k{i}": i for i in range(5_000)}},
    ),
    # unicode edge cases that cannot be stored
    Bad("tag id beyond int", "post", LEAD, body={"platform": "instagram", "tag_ids": [2**40]}),
    Bad(
        "lone surrogate in name",
        "post",
        LEAD,
        raw=b'{"platform": "instagram", "username": "sur", "full_name": "x\\ud800y"}',
        status=(400, 422),
    ),
    # dangerous URLs and values that fail validation
    Bad(
        "javascript: profile URL",
        "post",
        LEAD,
        body={"platform": "instagram", "profile_url": "javascript:alert(1)"},
    ),
    Bad(
        "invalid e-mail",
        "post",
        LEAD,
        body={"platform": "instagram", "username": "m", "email": "not-an-email"},
    ),
    # ids and query parameters
    Bad("lead id is a word", "get", "/api/v1/leads/abc", status=(404,)),  # `{…_id}` only matches digits
    Bad("lead id negative", "get", "/api/v1/leads/-1", status=(404,)),
    Bad("lead id beyond 64 bits", "get", "/api/v1/leads/99999999999999999999999"),
    Bad("limit too large", "get", LEAD, params={"limit": 100_000}),
    Bad("limit negative", "get", LEAD, params={"limit": -1}),
    Bad("sort injection", "get", LEAD, params={"sort": "created; DROP TABLE lead"}),
    Bad("garbage cursor", "get", LEAD, params={"cursor": "!!not-a-cursor!!"}, status=(400, 422)),
    # other endpoints
    Bad("patch with wrong type", "patch", "/api/v1/leads/{lead}", body={"followers": {"$gt": 0}}),
    Bad(
        "bulk with 10,000 ids",
        "post",
        "/api/v1/leads/bulk",
        body={"action": "delete", "lead_ids": list(range(1, 10_001))},
    ),
    Bad(
        "bulk with unknown action", "post", "/api/v1/leads/bulk", body={"action": "explode", "lead_ids": [1]}
    ),
    Bad("tag with empty name", "post", "/api/v1/tags", body={"name": ""}),
    Bad("tag colour is CSS", "post", "/api/v1/tags", body={"name": "x", "color": "red;background:url(x)"}),
    Bad("import without leads", "post", "/api/v1/leads/import", body={"leads": []}),
    Bad("import leads not a list", "post", "/api/v1/leads/import", body={"leads": {"platform": "instagram"}}),
    Bad("pipeline stages not a list", "post", "/api/v1/pipelines", body={"name": "P", "stages": "S1,S2"}),
    Bad(
        "login with a 10k password",
        "post",
        "/api/v1/auth/login",
        body={"email": "a@example.com", "password": "p" * 10_000},
        status=(401, 422),
    ),
    Bad(
        "register with a 100k password",
        "post",
        "/api/v1/auth/register",
        body={
            "email": "long@example.com",
            "password": "Aa1" + "é" * 50_000,
            "full_name": "L",
            "workspace_name": "W",
        },
    ),
]


def _counts(client: TestClient, owner: Member) -> dict[str, Any]:
    leads = client.get(LEAD, headers=owner.auth, params={"limit": 100}).json()
    tags = client.get("/api/v1/tags", headers=owner.auth).json()
    pipelines = client.get("/api/v1/pipelines", headers=owner.auth).json()
    imports = client.get("/api/v1/leads/imports", headers=owner.auth).json()
    return {"leads": leads, "tags": tags, "pipelines": pipelines, "imports": imports}


def test_the_corpus_is_large_enough() -> None:
    assert len(CORPUS) >= 30
    assert len({bad.name for bad in CORPUS}) == len(CORPUS)


@pytest.mark.parametrize("bad", CORPUS, ids=[bad.name for bad in CORPUS])
def test_bad_payload_is_a_clear_problem_and_writes_nothing(client: TestClient, bad: Bad) -> None:
    owner = register_owner()
    lead = make_lead(owner, full_name="Existing")
    before = _counts(client, owner)
    headers = {**owner.auth, "content-type": bad.content_type}
    content = bad.raw if bad.raw is not None else json.dumps(bad.body).encode()
    response = client.request(
        bad.method.upper(),
        bad.path.format(lead=lead.id),
        headers=headers,
        content=content if bad.method != "get" else None,
        params=bad.params,
    )
    assert response.status_code in bad.status, (bad.name, response.status_code, response.text[:500])
    assert response.headers["content-type"].startswith(PROBLEM), bad.name
    problem = response.json()
    assert (
        problem["status"] == response.status_code and problem["title"] and problem.get("detail") is not None
    )
    assert len(response.content) < 20_000, "the problem echoes the whole bad payload back"
    assert _counts(client, owner) == before, f"{bad.name} wrote something"


HOSTILE_TEXT = [
    "'; DROP TABLE lead; --",
    "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)">',
    "Ana \u202egnp.exe",  # right-to-left override
    "👩‍👩‍👧‍👦 família",  # ZWJ emoji sequence
    "e\u0301 vs é",  # combining accent vs precomposed
    "{{first_name}} %s %(x)s ${x}",
]


@pytest.mark.parametrize("text", HOSTILE_TEXT)
def test_hostile_text_is_stored_and_returned_verbatim(client: TestClient, text: str) -> None:
    owner = register_owner()
    created = client.post(
        LEAD,
        headers=owner.auth,
        json={"platform": "instagram", "username": "h", "full_name": text, "bio": text},
    )
    assert created.status_code == 201, created.text
    fetched = client.get(f"{LEAD}/{created.json()['id']}", headers=owner.auth).json()
    assert fetched["full_name"] == text.strip() and fetched["bio"] == text.strip()
    listed = client.get(LEAD, headers=owner.auth).json()
    assert [lead["full_name"] for lead in listed["data"]] == [text.strip()]


def test_nul_characters_are_dropped_not_stored_or_refused(client: TestClient) -> None:
    owner = register_owner()
    created = client.post(
        LEAD, headers=owner.auth, json={"platform": "instagram", "username": "n", "bio": "a\x00b"}
    )
    assert created.status_code == 201, created.text
    assert created.json()["bio"] == "ab"


def test_every_route_parses_json_strictly() -> None:
    from api_ext.app import ROUTE_MODULES
    from api_ext.strict_routes import StrictRoute

    loose = [
        route.path
        for module in ROUTE_MODULES
        for route in module.router.routes
        if not isinstance(route, StrictRoute)
    ]
    assert not loose, f"make these routers with api_ext.routes.api_router: {loose}"

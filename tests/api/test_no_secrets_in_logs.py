"""Passwords and tokens never reach the logs: every record of a run through the sensitive flows
(register, login, refresh, invitation, password reset, an import and a few mistakes) is formatted as
production formats it (JSON, with extras) and searched for each secret."""

from __future__ import annotations

import logging
import re

import pytest
from fastapi.testclient import TestClient

from snapleads_app.core.logging import JsonFormatter
from tests.factories import PASSWORD

NEW_PASSWORD = "Renovada2026x"


def test_secrets_never_appear_in_any_log_record(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    # The app's loggers stop propagating once `configure_logging` ran (e.g. an app start earlier in
    # this process): listen on them directly so nothing escapes the search.
    for name in ("snapleads_app", "api_ext", "workers"):
        logger = logging.getLogger(name)
        logger.setLevel(logging.DEBUG)
        if caplog.handler not in logger.handlers:
            logger.addHandler(caplog.handler)
    secrets: list[str] = [PASSWORD, NEW_PASSWORD, "WrongPass999"]
    registered = client.post(
        "/api/v1/auth/register",
        json={
            "email": "logs@example.com",
            "password": PASSWORD,
            "full_name": "Lia",
            "workspace_name": "Logs",
        },
    ).json()
    secrets += [registered["access_token"], registered["refresh_token"]]
    auth = {"Authorization": f"Bearer {registered['access_token']}"}
    assert (
        client.post(
            "/api/v1/auth/login", json={"email": "logs@example.com", "password": "WrongPass999"}
        ).status_code
        == 401
    )
    logged_in = client.post(
        "/api/v1/auth/login", json={"email": "logs@example.com", "password": PASSWORD}
    ).json()
    secrets += [logged_in["access_token"], logged_in["refresh_token"]]
    refreshed = client.post("/api/v1/auth/refresh", json={"refresh_token": logged_in["refresh_token"]}).json()
    secrets += [refreshed["access_token"], refreshed["refresh_token"]]
    # Reusing a rotated refresh token is logged as a security event — without the token.
    client.post("/api/v1/auth/refresh", json={"refresh_token": logged_in["refresh_token"]})
    invitation = client.post(
        "/api/v1/invitations", headers=auth, json={"email": "guest@example.com", "role": "agent"}
    ).json()
    secrets.append(invitation["token"])
    client.post(
        "/api/v1/invitations/accept",
        json={"token": invitation["token"], "full_name": "Guest", "password": NEW_PASSWORD},
    )
    client.post("/api/v1/auth/password/forgot", json={"email": "logs@example.com"})
    client.post(
        "/api/v1/auth/password/reset", json={"token": "not-a-real-token-123", "password": NEW_PASSWORD}
    )
    client.post(
        "/api/v1/leads/import", headers=auth, json={"leads": [{"platform": "instagram", "username": "a"}]}
    )
    client.get("/api/v1/leads", headers={"Authorization": "Bearer " + refreshed["access_token"][:-3] + "xyz"})

    for name in ("snapleads_app", "api_ext", "workers"):
        logging.getLogger(name).removeHandler(caplog.handler)
    formatter = JsonFormatter()
    text = "\n".join(formatter.format(record) for record in caplog.records)
    assert len(caplog.records) >= 10, "the flows above should have logged (access log, auth events)"
    leaked = [s[:12] + "…" for s in secrets if s and s in text]
    assert not leaked, f"secrets in the logs: {leaked}"
    # No bearer header or password field is ever dumped either.
    assert not re.search(r"(?i)bearer\s+ey", text)
    assert not re.search(r'(?i)"password"\s*:', text)

"""Mixed REST load for bench/load_bench.py (run by it: `locust --headless`; not a benchmark by itself).

Each simulated user acts in one of the seeded workspaces with an account of its own (bearer tokens from
the fixture file named by LOAD_BENCH_FIXTURE) and loops without think time over, by weight:
list a page of leads 40 · search 25 · update a lead 20 · import a 50-lead batch 5 ·
send a message 10 (to the conversations the fixture lists; skipped when it lists none).
A response counts as an error unless it has the documented success status.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import uuid
from typing import Any

from locust import FastHttpUser, constant, task

with open(os.environ["LOAD_BENCH_FIXTURE"], encoding="utf-8") as handle:
    FIXTURE: dict[str, Any] = json.load(handle)

_NEXT = itertools.count()
STATUSES = ("new", "contacted", "responded", "qualified")


class CrmUser(FastHttpUser):
    wait_time = constant(0)

    def on_start(self) -> None:
        n = next(_NEXT)
        workspaces = FIXTURE["workspaces"]
        workspace = workspaces[n % len(workspaces)]
        tokens = workspace.get("tokens") or [workspace["token"]]  # one account per user when seeded
        self.auth = {"Authorization": f"Bearer {tokens[(n // len(workspaces)) % len(tokens)]}"}
        self.lead_ids: list[int] = workspace["lead_ids"]
        self.terms: list[str] = workspace["terms"]
        self.conversation_ids: list[int] = workspace.get("conversation_ids", [])
        self.rng = random.Random()

    @task(40)
    def list_leads(self) -> None:
        self.client.get("/api/v1/leads?limit=50", headers=self.auth, name="GET /leads")

    @task(25)
    def search(self) -> None:
        term = self.rng.choice(self.terms)
        self.client.get(f"/api/v1/leads?search={term}&limit=50", headers=self.auth, name="GET /leads?search")

    @task(20)
    def update_lead(self) -> None:
        lead_id = self.rng.choice(self.lead_ids)
        body = {"status": self.rng.choice(STATUSES), "notes": f"load {uuid.uuid4().hex[:8]}"}
        self.client.patch(f"/api/v1/leads/{lead_id}", json=body, headers=self.auth, name="PATCH /leads/{id}")

    @task(5)
    def import_batch(self) -> None:
        tag = uuid.uuid4().hex[:10]
        body = {
            "platform": "instagram",
            "source": "api",
            "leads": [{"username": f"load_{tag}_{i}", "full_name": f"Carga {tag} {i}"} for i in range(50)],
        }
        with self.client.post(
            "/api/v1/leads/import",
            json=body,
            headers=self.auth,
            name="POST /leads/import",
            catch_response=True,
        ) as response:
            if response.status_code != 202:
                response.failure(f"status {response.status_code}")

    @task(10)
    def send_message(self) -> None:
        if not self.conversation_ids:  # no inbox on this build: the task is skipped (weight unused)
            return
        conversation_id = self.rng.choice(self.conversation_ids)
        self.client.post(
            f"/api/v1/conversations/{conversation_id}/messages",
            json={"body": f"Olá! {uuid.uuid4().hex[:6]}"},
            headers=self.auth,
            name="POST /conversations/{id}/messages",
        )

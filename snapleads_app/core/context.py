"""Who acts, in which workspace, from which entry point: the `ctx` every service receives."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Role = Literal["owner", "admin", "manager", "agent", "viewer"]
Via = Literal["ui", "api", "worker", "extension", "system"]


@dataclass(frozen=True, slots=True)
class Ctx:
    user_id: int | None
    workspace_id: int
    role: Role
    via: Via = "api"
    request_id: str | None = None
    session_id: int | None = None

    @classmethod
    def system(cls, workspace_id: int, *, via: Via = "worker") -> Ctx:
        """A context for work the system does on its own (workers, migrations, seeds)."""
        return cls(user_id=None, workspace_id=workspace_id, role="owner", via=via)

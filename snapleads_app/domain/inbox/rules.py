"""Pure rules of the inbox: who sees/sends in which conversation, the status lifecycle, previews."""

from __future__ import annotations

from snapleads_app.domain.accounts import rules as account_rules
from snapleads_app.domain.inbox.models import PREVIEW_CHARS

# pending → sent → delivered → read; failed from pending or sent (retry: failed → pending).
_RANK = {"pending": 0, "sent": 1, "delivered": 2, "read": 3}


def may_see(role: str, user_id: int | None, assignee_id: int | None) -> bool:
    """Agents see only conversations assigned to them (SPEC roles); every other role sees all."""
    return account_rules.can(role, "leads.see_all") or (role == "agent" and assignee_id == user_id)


def may_send(role: str, user_id: int | None, assignee_id: int | None) -> bool:
    if account_rules.can(role, "messages.send_all"):
        return True
    return (
        account_rules.can(role, "messages.send_assigned")
        and assignee_id is not None
        and assignee_id == user_id
    )


def may_change_status(current: str, new: str) -> bool:
    """Whether a delivery report moves a message forward (stale or repeated reports are ignored)."""
    if current == new:
        return False
    if new == "failed":
        return current in ("pending", "sent")
    if current == "failed":
        return False
    return _RANK.get(new, -1) > _RANK.get(current, 99)


def preview(body: str) -> str:
    flat = " ".join(body.split())
    return flat if len(flat) <= PREVIEW_CHARS else flat[: PREVIEW_CHARS - 1] + "…"


def least_loaded(loads: dict[int, int]) -> int | None:
    """Round-robin among agents: the one with the fewest open conversations (lowest id on ties), so
    assignments rotate through the team and a newcomer catches up first."""
    if not loads:
        return None
    return min(loads, key=lambda user_id: (loads[user_id], user_id))

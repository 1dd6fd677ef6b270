"""Pure rules of leads: who may do what to which lead, merge choices, CSV export escaping."""

from __future__ import annotations

from typing import Any

from snapleads_app.domain.accounts import rules as account_rules
from snapleads_app.domain.leads.models import PROFILE_FIELDS

MERGEABLE_FIELDS = (*PROFILE_FIELDS, "source_url", "assignee_id")


def may_see(role: str, user_id: int | None, assignee_id: int | None) -> bool:
    return account_rules.can(role, "leads.see_all") or (role == "agent" and assignee_id == user_id)


def may_edit(role: str, user_id: int | None, assignee_id: int | None) -> bool:
    if account_rules.can(role, "leads.edit_all"):
        return True
    return (
        account_rules.can(role, "leads.edit_assigned") and assignee_id is not None and assignee_id == user_id
    )


def merged_values(primary: dict[str, Any], secondary: dict[str, Any]) -> dict[str, Any]:
    """Fields the primary lead takes from the secondary: only those the primary has empty."""
    return {
        field: secondary[field]
        for field in MERGEABLE_FIELDS
        if primary.get(field) in (None, "") and secondary.get(field) not in (None, "")
    }


def merged_custom_fields(primary: dict[str, Any], secondary: dict[str, Any]) -> dict[str, Any]:
    return {**secondary, **{k: v for k, v in primary.items() if v not in (None, "")}}


def merged_notes(primary: str | None, secondary: str | None) -> str | None:
    if primary and secondary and secondary not in primary:
        return f"{primary}\n\n{secondary}"
    return primary or secondary


_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """A CSV cell safe to open in Excel/Sheets: formulas are neutralised with a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if text.startswith(_FORMULA_PREFIXES):
        return "'" + text
    return text

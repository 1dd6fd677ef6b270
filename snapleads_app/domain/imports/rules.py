"""Pure rules of the import pipeline: turning one incoming row into a lead record or a rejection."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from snapleads_app.domain.leads import normalise
from snapleads_app.domain.leads.models import PROFILE_FIELDS

ERROR_LABELS = {
    "invalid_email": "invalid e-mail",
    "invalid_phone": "invalid phone",
    "invalid_url": "invalid URL",
    "not_a_profile_of_platform": "URL of another platform",
    "not_a_profile_url": "not a profile URL",
    "invalid_number": "not a number",
    "number_out_of_range": "number out of range",
    "invalid_platform": "unknown platform",
    "lead_identity_missing": "needs a profile URL, username, e-mail or phone",
}


@dataclass(frozen=True, slots=True)
class PreparedRow:
    row_number: int
    platform: str
    key: str
    fields: dict[str, Any]
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RejectedRow:
    row_number: int
    data: dict[str, Any]
    error: str


def prepare_row(
    row_number: int,
    data: dict[str, Any],
    *,
    default_platform: str | None,
    columns: dict[str, str] | None = None,
) -> PreparedRow | RejectedRow:
    """Normalise one row with the leads rules. `columns` maps lead fields back to the file's headers so
    an error names the column the user knows ("Telefone: invalid phone")."""
    platform = (data.get("platform") or default_platform or "").strip().lower() or None
    if platform is None:
        platform = _platform_from_url(data.get("profile_url")) or "other"
    if platform not in normalise.PLATFORMS:
        return RejectedRow(row_number, data, _describe({"platform": "invalid_platform"}, columns))
    payload = {k: v for k, v in data.items() if k not in ("platform", "tags")}
    fields, errors = normalise.normalise_fields(platform, payload)
    if errors:
        return RejectedRow(row_number, data, _describe(errors, columns))
    key = normalise.identity_key(fields.get("profile_key"), fields.get("email"), fields.get("phone"))
    if key is None:
        return RejectedRow(row_number, data, ERROR_LABELS["lead_identity_missing"])
    fields["profile_key"] = key
    fields["search_text"] = normalise.search_text(
        fields.get("full_name"), fields.get("username"), fields.get("company"), fields.get("email")
    )
    row_tags = tuple(str(t).strip()[:60] for t in data.get("tags") or () if str(t).strip())
    return PreparedRow(row_number, platform, key, fields, row_tags)


def _platform_from_url(url: Any) -> str | None:
    return normalise.platform_of_url(str(url)) if url else None


def _describe(errors: dict[str, str], columns: dict[str, str] | None) -> str:
    parts = []
    for field, code in sorted(errors.items()):
        column = (columns or {}).get(field, field)
        parts.append(f"{column}: {ERROR_LABELS.get(code, code)}")
    return "; ".join(parts)


def dedupe(rows: list[PreparedRow]) -> tuple[list[PreparedRow], int]:
    """Keep the first row of each (platform, key) in a batch; returns the kept rows and the dropped count."""
    seen: set[tuple[str, str]] = set()
    kept = []
    for row in rows:
        identity = (row.platform, row.key)
        if identity not in seen:
            seen.add(identity)
            kept.append(row)
    return kept, len(rows) - len(kept)


UPDATABLE = (*PROFILE_FIELDS, "source_url")


def changes_for(policy: str, current: dict[str, Any], incoming: dict[str, Any]) -> dict[str, Any]:
    """What an existing lead takes from an incoming duplicate: nothing (skip), its empty fields (fill),
    or every field the row has a value for (overwrite)."""
    if policy == "skip":
        return {}
    changes = {}
    for field in UPDATABLE:
        value = incoming.get(field)
        if value in (None, ""):
            continue
        if policy == "fill" and current.get(field) not in (None, ""):
            continue
        if current.get(field) != value:
            changes[field] = value
    return changes


def progress(processed: int, total: int) -> float:
    if total <= 0:
        return 100.0 if processed else 0.0
    return round(min(100.0, processed * 100.0 / total), 1)

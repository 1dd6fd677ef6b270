"""Pure scoring rules: a lead's points per rule from the workspace's settings (0–100 in total).

The same arithmetic exists once more as SQL for the bulk rescore on PostgreSQL (scoring/repo.py);
a test checks both give the same points for the same leads.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

COMPLETENESS_FIELDS = ("full_name", "bio", "avatar_url", "location", "website", "company", "headline")
RULE_ORDER = (
    "profile_completeness", "has_email", "has_phone", "followers", "job_title", "verified", "replied",
    "message_count", "recency",
)  # fmt: skip

DEFAULT_RULES: dict[str, Any] = {
    "profile_completeness": {"points": 15},  # scaled by the share of profile fields filled
    "has_email": {"points": 15},
    "has_phone": {"points": 10},
    # the highest band the follower count reaches gives its points
    "followers": {"bands": [[10_000, 15], [1_000, 10], [100, 5]]},
    "job_title": {
        "points": 10,
        "keywords": [
            "ceo",
            "founder",
            "fundador",
            "owner",
            "sócio",
            "director",
            "diretor",
            "head",
            "manager",
            "gerente",
            "vp",
            "cto",
            "cmo",
        ],  # fmt: skip
    },
    "verified": {"points": 5},
    "replied": {"points": 15},
    "message_count": {"per_message": 2, "max": 10},
    # full points for an interaction today, decaying linearly to 0 after `decay_days`
    "recency": {"points": 10, "decay_days": 90},
}

HOT, WARM = 80, 50
BANDS = ("hot", "warm", "cold")


def band(score: int) -> str:
    return "hot" if score >= HOT else "warm" if score >= WARM else "cold"


def band_range(name: str) -> tuple[int, int]:
    """The score range of a band, for lead filters (score_min, score_max)."""
    return {"hot": (HOT, 100), "warm": (WARM, HOT - 1), "cold": (0, WARM - 1)}[name]


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def merged_rules(custom: Mapping[str, Any] | None) -> dict[str, Any]:
    """The defaults with the workspace's overrides on top (unknown rules ignored)."""
    rules = {name: dict(value) for name, value in DEFAULT_RULES.items()}
    for name, value in (custom or {}).items():
        if name in rules and isinstance(value, Mapping):
            rules[name].update(value)
    return rules


def rule_errors(custom: Mapping[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for name, value in custom.items():
        if name not in DEFAULT_RULES or not isinstance(value, Mapping):
            errors[name] = "unknown_rule"
            continue
        for key, item in value.items():
            if key in ("points", "per_message", "max", "decay_days"):
                if not isinstance(item, int) or isinstance(item, bool) or not 0 <= item <= 100:
                    errors[f"{name}.{key}"] = "between_0_and_100"
                if key == "decay_days" and isinstance(item, int) and item < 1:
                    errors[f"{name}.{key}"] = "at_least_1"
            elif key == "keywords":
                if not isinstance(item, list) or not all(isinstance(k, str) and k.strip() for k in item):
                    errors[f"{name}.{key}"] = "list_of_words"
            elif key == "bands":
                ok = isinstance(item, list) and all(
                    isinstance(b, list | tuple) and len(b) == 2 and all(isinstance(x, int) for x in b)
                    and b[0] >= 0 and 0 <= b[1] <= 100
                    for b in item
                )  # fmt: skip
                if not ok:
                    errors[f"{name}.{key}"] = "list_of_threshold_points"
            else:
                errors[f"{name}.{key}"] = "unknown_setting"
    return errors


def _filled(value: Any) -> bool:
    return value is not None and str(value).strip() != ""


def follower_points(followers: int | None, bands: list[list[int]]) -> int:
    for threshold, points in sorted(bands, key=lambda b: -b[0]):
        if (followers or 0) >= threshold:
            return points
    return 0


def recency_points(last: datetime | None, now: datetime, points: int, decay_days: int) -> int:
    if last is None or points <= 0:
        return 0
    if last.tzinfo is None:  # SQLite hands back naive UTC
        last = last.replace(tzinfo=now.tzinfo)
    age_days = max(0.0, (now - last).total_seconds() / 86400)
    return max(0, math.floor(points * (1 - age_days / max(decay_days, 1)) + 0.5))


def score_points(
    lead: Mapping[str, Any],
    rules: Mapping[str, Any],
    *,
    now: datetime,
    inbound: int = 0,
    replied: bool = False,
) -> dict[str, int]:
    """Points per rule for one lead (rule order fixed), before the 0–100 clamp."""
    filled = sum(1 for f in COMPLETENESS_FIELDS if _filled(lead.get(f)))
    completeness = math.floor(
        rules["profile_completeness"]["points"] * filled / len(COMPLETENESS_FIELDS) + 0.5
    )
    headline = str(lead.get("headline") or "").lower()
    keywords = [k.strip().lower() for k in rules["job_title"]["keywords"] if k.strip()]
    per_message = rules["message_count"]["per_message"]
    recency = rules["recency"]
    return {
        "profile_completeness": completeness,
        "has_email": rules["has_email"]["points"] if _filled(lead.get("email")) else 0,
        "has_phone": rules["has_phone"]["points"] if _filled(lead.get("phone")) else 0,
        "followers": follower_points(lead.get("followers"), rules["followers"]["bands"]),
        "job_title": rules["job_title"]["points"] if any(k in headline for k in keywords) else 0,
        "verified": rules["verified"]["points"] if lead.get("verified") else 0,
        "replied": rules["replied"]["points"] if replied else 0,
        "message_count": min(rules["message_count"]["max"], per_message * max(inbound, 0)),
        "recency": recency_points(
            lead.get("last_interaction_at") or lead.get("created_at"),
            now,
            recency["points"],
            recency["decay_days"],
        ),
    }


def total(points: Mapping[str, int]) -> int:
    return max(0, min(100, sum(points.values())))


def points_list(points: Mapping[str, int]) -> list[int]:
    """The stored form of an explanation: the points of each rule in RULE_ORDER."""
    return [int(points.get(name, 0)) for name in RULE_ORDER]


def points_dict(values: Sequence[int]) -> dict[str, int]:
    """rule → points from the stored list (a rule added after the list was written counts 0)."""
    return {name: int(values[i]) if i < len(values) else 0 for i, name in enumerate(RULE_ORDER)}

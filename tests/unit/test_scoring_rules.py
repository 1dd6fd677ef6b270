"""Score rules (pure, table-driven): points per rule, clamp, bands, decay, validation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from snapleads_app.domain.scoring import rules

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
DEFAULTS = rules.merged_rules(None)


def points(**lead):
    lead.setdefault("created_at", NOW - timedelta(days=365))
    return rules.score_points(
        lead, DEFAULTS, now=NOW, inbound=lead.pop("_inbound", 0), replied=lead.pop("_replied", False)
    )


@pytest.mark.parametrize(
    ("lead", "rule", "expected"),
    [
        ({"email": "a@b.co"}, "has_email", 15),
        ({"email": "  "}, "has_email", 0),
        ({"phone": "+5511999990000"}, "has_phone", 10),
        ({"followers": 99}, "followers", 0),
        ({"followers": 100}, "followers", 5),
        ({"followers": 5_000}, "followers", 10),
        ({"followers": 10_000}, "followers", 15),
        ({"headline": "Founder & CEO"}, "job_title", 10),
        ({"headline": "Gerente comercial"}, "job_title", 10),
        ({"headline": "Intern"}, "job_title", 0),
        ({"verified": True}, "verified", 5),
        ({"_replied": True}, "replied", 15),
        ({"_inbound": 3}, "message_count", 6),
        ({"_inbound": 30}, "message_count", 10),
        (
            {
                "full_name": "A",
                "bio": "b",
                "avatar_url": "u",
                "location": "l",
                "website": "w",
                "company": "c",
                "headline": "h",
            },
            "profile_completeness",
            15,
        ),
        ({"full_name": "A", "company": "c"}, "profile_completeness", 4),  # 15 * 2/7 = 4.29
        ({"last_interaction_at": NOW}, "recency", 10),
        ({"last_interaction_at": NOW - timedelta(days=45)}, "recency", 5),
        ({"last_interaction_at": NOW - timedelta(days=200)}, "recency", 0),
        ({"created_at": NOW - timedelta(days=9)}, "recency", 9),  # never contacted: age of the lead
    ],
)
def test_rule_points(lead, rule, expected):
    assert points(**lead)[rule] == expected


def test_total_is_clamped_and_explained():
    full = points(
        full_name="A", bio="b", avatar_url="u", location="l", website="w", company="c", headline="CEO",
        email="a@b.co", phone="1", followers=50_000, verified=True, last_interaction_at=NOW, _inbound=9,
        _replied=True,
    )  # fmt: skip
    assert sum(full.values()) > 100
    assert rules.total(full) == 100
    assert list(full) == list(rules.RULE_ORDER)
    assert rules.total(points()) == 0


def test_workspace_overrides_points():
    custom = rules.merged_rules({"has_email": {"points": 40}, "job_title": {"keywords": ["dentista"]}})
    got = rules.score_points({"email": "x@y.z", "headline": "Dentista"}, custom, now=NOW)
    assert got["has_email"] == 40 and got["job_title"] == 10


@pytest.mark.parametrize(
    ("score", "band"), [(100, "hot"), (80, "hot"), (79, "warm"), (50, "warm"), (49, "cold"), (0, "cold")]
)
def test_bands(score, band):
    assert rules.band(score) == band
    low, high = rules.band_range(band)
    assert low <= score <= high


@pytest.mark.parametrize(
    ("custom", "key"),
    [
        ({"nope": {"points": 1}}, "nope"),
        ({"has_email": {"points": 101}}, "has_email.points"),
        ({"has_email": {"points": "10"}}, "has_email.points"),
        ({"job_title": {"keywords": "ceo"}}, "job_title.keywords"),
        ({"followers": {"bands": [[100]]}}, "followers.bands"),
        ({"recency": {"decay_days": 0}}, "recency.decay_days"),
        ({"verified": {"colour": 1}}, "verified.colour"),
    ],
)
def test_rule_errors(custom, key):
    assert key in rules.rule_errors(custom)


def test_valid_rules():
    assert rules.rule_errors({"has_email": {"points": 20}, "followers": {"bands": [[500, 7]]}}) == {}


def test_the_stored_explanation_is_the_points_in_rule_order():
    points = {name: n for n, name in enumerate(rules.RULE_ORDER, start=1)}
    stored = rules.points_list(points)
    assert stored == list(range(1, len(rules.RULE_ORDER) + 1))
    assert rules.points_dict(stored) == points
    # A list written before a rule was added reads that rule as 0; a partial dict stores 0 for the rest.
    assert rules.points_dict(stored[:-1])[rules.RULE_ORDER[-1]] == 0
    assert rules.points_list({"has_email": 15}) == [15 if n == "has_email" else 0 for n in rules.RULE_ORDER]

"""The condition evaluator, trigger filters and definition checks (pure, table-driven)."""

from __future__ import annotations

import pytest

from snapleads_app.domain.automations import rules

LEAD = {
    "platform": "instagram",
    "status": "new",
    "full_name": "Ana Souza",
    "email": "ana@example.com",
    "phone": None,
    "headline": "CEO at Padaria",
    "followers": 1500,
    "verified": True,
    "score": 72,
    "score_band": "warm",
    "assignee_id": 7,
    "tags": [1, 2],
    "custom_fields": {"city": "Recife", "budget": "5000"},
    "replied": False,
}


def leaf(field: str, operator: str, value: object = None) -> dict[str, object]:
    return {"field": field, "operator": operator, "value": value}


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (leaf("platform", "equals", "instagram"), True),
        (leaf("platform", "equals", "INSTAGRAM"), True),
        (leaf("platform", "not_equals", "instagram"), False),
        (leaf("full_name", "contains", "souza"), True),
        (leaf("full_name", "starts_with", "ana"), True),
        (leaf("full_name", "starts_with", "souza"), False),
        (leaf("platform", "in", ["linkedin", "instagram"]), True),
        (leaf("platform", "in", "linkedin, facebook"), False),
        (leaf("status", "not_in", ["lost", "closed"]), True),
        (leaf("followers", "gt", 1000), True),
        (leaf("followers", "gt", 1500), False),
        (leaf("followers", "gte", 1500), True),
        (leaf("followers", "lt", "2000"), True),
        (leaf("followers", "lte", 100), False),
        (leaf("score", "between", [70, 80]), True),
        (leaf("score", "between", [73, 80]), False),
        (leaf("score_band", "equals", "warm"), True),
        (leaf("phone", "is_empty"), True),
        (leaf("email", "is_empty"), False),
        (leaf("email", "is_not_empty"), True),
        (leaf("verified", "equals", True), True),
        (leaf("verified", "equals", "false"), False),
        (leaf("replied", "equals", True), False),
        (leaf("assignee_id", "equals", 7), True),
        (leaf("tags", "has_any", [2, 9]), True),
        (leaf("tags", "has_any", [9]), False),
        (leaf("tags", "has_all", [1, 2]), True),
        (leaf("tags", "has_all", [1, 3]), False),
        (leaf("tags", "has_none", [3, 4]), True),
        (leaf("tags", "has_none", [1]), False),
        (leaf("tags", "is_empty"), False),
        (leaf("custom.city", "equals", "recife"), True),
        (leaf("custom.budget", "gt", 1000), True),
        (leaf("custom.missing", "is_empty"), True),
        (leaf("custom.missing", "contains", "x"), False),
        (leaf("followers", "gt", "not a number"), False),
        (leaf("full_name", "bogus", "x"), False),
    ],
)
def test_leaf(condition, expected):
    assert rules.evaluate(condition, LEAD) is expected


@pytest.mark.parametrize(
    ("tree", "expected"),
    [
        ({}, True),
        ({"op": "and", "items": []}, True),
        (
            {"op": "and", "items": [leaf("platform", "equals", "instagram"), leaf("followers", "gt", 1000)]},
            True,
        ),
        (
            {"op": "and", "items": [leaf("platform", "equals", "instagram"), leaf("followers", "gt", 9000)]},
            False,
        ),
        (
            {"op": "or", "items": [leaf("platform", "equals", "linkedin"), leaf("followers", "gt", 1000)]},
            True,
        ),
        (
            {"op": "or", "items": [leaf("platform", "equals", "linkedin"), leaf("followers", "gt", 9000)]},
            False,
        ),
        (
            {
                "op": "and",
                "items": [
                    leaf("tags", "has_any", [1]),
                    {"op": "or", "items": [leaf("score", "gte", 80), leaf("headline", "contains", "ceo")]},
                ],
            },
            True,
        ),
    ],
)
def test_tree(tree, expected):
    assert rules.evaluate(tree, LEAD) is expected


def test_needs_replied_only_when_read():
    assert rules.needs_replied({"op": "or", "items": [leaf("replied", "equals", True)]})
    assert not rules.needs_replied({"op": "and", "items": [leaf("platform", "equals", "x")]})


@pytest.mark.parametrize(
    ("trigger_filter", "event", "expected"),
    [
        ({}, {"platform": "instagram"}, True),
        ({"platform": ["instagram"]}, {"platform": "instagram"}, True),
        ({"platform": ["linkedin"]}, {"platform": "instagram"}, False),
        ({"source": "csv"}, {"source": "csv"}, True),
        ({"to_status": ["qualified"]}, {"status": "contacted"}, False),
        ({"tag_id": 5}, {"tags_added": [5, 6]}, True),
        ({"tag_id": 5}, {"tags_added": [6]}, False),
    ],
)
def test_trigger_filter(trigger_filter, event, expected):
    assert rules.trigger_matches(trigger_filter, event) is expected


@pytest.mark.parametrize(
    ("tree", "error_key"),
    [
        ({"op": "xor", "items": []}, "conditions.op"),
        ({"op": "and", "items": [leaf("nope", "equals", 1)]}, "conditions.items.0.field"),
        ({"op": "and", "items": [leaf("platform", "like", 1)]}, "conditions.items.0.operator"),
        ({"op": "and", "items": [leaf("platform", "has_any", [1])]}, "conditions.items.0.operator"),
        ({"op": "and", "items": [leaf("tags", "equals", 1)]}, "conditions.items.0.operator"),
        ({"op": "and", "items": [leaf("platform", "equals", "")]}, "conditions.items.0.value"),
        ({"op": "and", "items": [leaf("followers", "gt", "many")]}, "conditions.items.0.value"),
    ],
)
def test_condition_errors(tree, error_key):
    assert error_key in rules.condition_errors(tree)


def test_valid_tree_has_no_errors():
    tree = {
        "op": "or",
        "items": [leaf("tags", "has_all", [1]), leaf("custom.city", "is_empty"), leaf("score", "gte", 50)],
    }
    assert rules.condition_errors(tree) == {}


@pytest.mark.parametrize(
    ("action", "error_key"),
    [
        ({"type": "launch"}, "actions.0.type"),
        ({"type": "add_tag"}, "actions.0.tag_id"),
        ({"type": "set_status", "status": "maybe"}, "actions.0.status"),
        ({"type": "assign", "mode": "fixed"}, "actions.0.user_id"),
        ({"type": "assign", "mode": "round_robin", "user_ids": []}, "actions.0.user_ids"),
        ({"type": "wait", "amount": 0, "unit": "hours"}, "actions.0.amount"),
        ({"type": "wait", "amount": 5, "unit": "weeks"}, "actions.0.amount"),
        ({"type": "wait", "amount": 91, "unit": "days"}, "actions.0.amount"),
        ({"type": "send_template"}, "actions.0.template_id"),
        ({"type": "webhook"}, "actions.0.webhook_id"),
    ],
)
def test_action_errors(action, error_key):
    assert error_key in rules.action_errors([action])


def test_wait_seconds():
    assert rules.wait_seconds({"type": "wait", "amount": 2, "unit": "hours"}) == 7200
    assert rules.wait_seconds({"type": "wait", "amount": 3, "unit": "days"}) == 3 * 86400

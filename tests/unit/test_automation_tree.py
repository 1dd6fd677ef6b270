"""Editing a condition tree (pure helpers of the builder): paths, add/remove groups and conditions,
operators per field type, flattening for display, pruning and error paths. Table-driven."""

from __future__ import annotations

import copy

import pytest

from snapleads_app.domain.automations import rules


def leaf(field: str, operator: str, value: object = "") -> dict[str, object]:
    return {"field": field, "operator": operator, "value": value}


TREE = {
    "op": "and",
    "items": [
        leaf("platform", "equals", "instagram"),
        {"op": "or", "items": [leaf("followers", "gte", "1000"), leaf("tags", "has_any", [3])]},
    ],
}


@pytest.mark.parametrize(
    ("path", "expected"),
    [("", ()), ("0", (0,)), ("1.0", (1, 0)), ("1.x", None), ("-1", None), ((2, 1), (2, 1))],
)
def test_parse_path(path, expected):
    assert rules.parse_path(path) == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("0", leaf("platform", "equals", "instagram")),
        ("1.1", leaf("tags", "has_any", [3])),
        ("1.5", None),
        ("0.0", None),  # a condition has no items
        ("x", None),
    ],
)
def test_node_at(path, expected):
    assert rules.node_at(TREE, path) == expected


@pytest.mark.parametrize(
    ("field", "has", "has_not"),
    [
        ("tags", ["has_any", "has_all", "has_none", "is_empty"], ["equals", "contains"]),
        ("verified", ["equals", "not_equals"], ["contains", "gt", "is_empty"]),
        ("platform", ["equals", "in"], ["gt", "contains", "has_any"]),
        ("followers", ["gt", "between", "in"], ["contains", "has_any"]),
        ("full_name", ["contains", "starts_with", "is_empty"], ["gt", "between", "has_all"]),
        ("custom.budget", ["contains", "gt"], ["has_any"]),
    ],
)
def test_operators_depend_on_the_field_type(field, has, has_not):
    ops = rules.operators_for(field)
    assert all(o in ops for o in has) and not any(o in ops for o in has_not)


def test_helpers_never_mutate_their_argument():
    before = copy.deepcopy(TREE)
    rules.add_condition(TREE, "1")
    rules.add_group(TREE, "")
    rules.remove_node(TREE, "1.0")
    rules.set_group_op(TREE, "1", "and")
    rules.set_leaf(TREE, "0", "field", "tags")
    assert before == TREE


def test_add_condition_and_group_in_nested_groups():
    tree = rules.add_group(TREE, "1", op="and")  # a group inside the OR group
    assert rules.node_at(tree, "1.2") == {"op": "and", "items": [rules.new_leaf()]}
    tree = rules.add_condition(tree, "1.2", field="score")
    assert rules.node_at(tree, "1.2.1") == leaf("score", "equals")
    assert rules.add_condition(TREE, "0") == TREE  # a condition is not a group: nothing changes
    assert rules.add_condition(TREE, "9") == TREE
    assert rules.add_condition({}, "") == {"op": "and", "items": [rules.new_leaf()]}


def test_depth_and_size_limits_hold_while_editing():
    tree: dict = {}
    path = ""
    for _ in range(rules.MAX_DEPTH + 3):  # always nest into the newest group
        tree = rules.add_group(tree, path)
        group = rules.node_at(tree, path)
        assert group is not None
        newest = str(len(group["items"]) - 1)
        if "items" in group["items"][-1]:
            path = f"{path}.{newest}" if path else newest
    for row in rules.flatten(tree):
        if row["kind"] == "condition":
            tree = rules.set_leaf(tree, row["path"], "value", "instagram")
    assert max(r["depth"] for r in rules.flatten(tree)) == rules.MAX_DEPTH
    assert rules.condition_errors(tree) == {}
    many: dict = {}
    for _ in range(rules.MAX_LEAVES + 5):
        many = rules.add_condition(many, "")
    assert len(many["items"]) == rules.MAX_LEAVES


@pytest.mark.parametrize(
    ("path", "expected_items"),
    [
        ("0", [TREE["items"][1]]),
        ("1", [TREE["items"][0]]),
        ("1.0", [TREE["items"][0], {"op": "or", "items": [leaf("tags", "has_any", [3])]}]),
        ("7", TREE["items"]),
    ],
)
def test_remove_node(path, expected_items):
    assert rules.remove_node(TREE, path)["items"] == expected_items


def test_removing_the_root_empties_it_and_keeps_its_operator():
    assert rules.remove_node({"op": "or", "items": [leaf("email", "is_empty")]}, "") == {
        "op": "or",
        "items": [],
    }


@pytest.mark.parametrize(("op", "expected"), [("or", "or"), ("and", "and"), ("xor", "or")])
def test_set_group_op(op, expected):
    group = rules.node_at(rules.set_group_op(TREE, "1", op), "1")
    assert group is not None and group["op"] == expected


@pytest.mark.parametrize(
    ("path", "key", "value", "expected"),
    [
        ("0", "value", "linkedin", leaf("platform", "equals", "linkedin")),
        ("0", "operator", "in", leaf("platform", "in", "instagram")),
        ("0", "operator", "gt", leaf("platform", "equals", "instagram")),  # not for a platform
        ("0", "field", "status", leaf("status", "equals", "")),  # another choice list: value cleared
        ("0", "field", "tags", leaf("tags", "has_any", "")),  # operator and value reset
        ("1.0", "field", "score", leaf("score", "gte", "1000")),  # numbers keep operator and value
        ("1.0", "field", "full_name", leaf("full_name", "equals", "1000")),  # gte is not for text
        ("1.1", "field", "verified", leaf("verified", "equals", "true")),
        ("0", "field", "nonsense", leaf("platform", "equals", "instagram")),
        ("0", "colour", "red", leaf("platform", "equals", "instagram")),
    ],
)
def test_set_leaf(path, key, value, expected):
    assert rules.node_at(rules.set_leaf(TREE, path, key, value), path) == expected


def test_set_leaf_on_a_group_or_unknown_path_changes_nothing():
    assert rules.set_leaf(TREE, "1", "field", "email") == TREE
    assert rules.set_leaf(TREE, "", "field", "email") == TREE
    assert rules.set_leaf(TREE, "4", "value", "x") == TREE


def test_flatten_lists_groups_then_their_items_in_order():
    assert [(r["path"], r["depth"], r["kind"]) for r in rules.flatten(TREE)] == [
        ("", 0, "group"),
        ("0", 1, "condition"),
        ("1", 1, "group"),
        ("1.0", 2, "condition"),
        ("1.1", 2, "condition"),
    ]
    assert rules.flatten({}) == [{"path": "", "depth": 0, "kind": "group", "op": "and"}]


@pytest.mark.parametrize(
    ("tree", "expected"),
    [
        ({}, {}),
        ({"op": "and", "items": []}, {}),
        ({"op": "or", "items": [{"op": "and", "items": []}]}, {}),
        (
            {
                "op": "or",
                "items": [{"op": "and", "items": [{"op": "or", "items": []}]}, leaf("email", "is_empty")],
            },
            {"op": "or", "items": [leaf("email", "is_empty")]},
        ),
        (TREE, TREE),
    ],
)
def test_prune_drops_empty_groups(tree, expected):
    assert rules.prune(tree) == expected


def test_map_leaves_and_the_pruned_tree_evaluate_like_the_edited_one():
    typed = rules.map_leaves(
        TREE, lambda c: {**c, "value": int(c["value"])} if c["field"] == "followers" else c
    )
    assert rules.node_at(typed, "1.0") == leaf("followers", "gte", 1000)
    lead = {"platform": "instagram", "followers": 5, "tags": [3]}
    assert rules.evaluate(typed, lead) is True
    assert rules.evaluate(typed, {**lead, "tags": []}) is False


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("conditions.items.0.items.1.value", "0.1"),
        ("conditions.items.2.operator", "2"),
        ("conditions.op", ""),
        ("conditions", ""),
        ("conditions.items.3", "3"),
        ("actions.0.tag_id", None),
        ("trigger_filter.platform", None),
    ],
)
def test_error_path(key, expected):
    assert rules.error_path(key) == expected


def test_a_nested_tree_built_with_the_helpers_validates_and_evaluates():
    tree = rules.set_leaf(rules.add_condition({}, ""), "0", "value", "instagram")
    tree = rules.add_group(tree, "", op="or")
    tree = rules.set_leaf(tree, "1.0", "field", "followers")
    tree = rules.set_leaf(rules.set_leaf(tree, "1.0", "operator", "gt"), "1.0", "value", "100")
    tree = rules.add_condition(tree, "1", field="verified")
    tree = rules.set_leaf(tree, "1.1", "value", True)
    assert rules.condition_errors(tree) == {}
    assert rules.evaluate(tree, {"platform": "instagram", "followers": 10, "verified": True})
    assert not rules.evaluate(tree, {"platform": "instagram", "followers": 10, "verified": False})
    assert not rules.evaluate(tree, {"platform": "linkedin", "followers": 1000, "verified": True})
    bad = rules.set_leaf(tree, "1.0", "value", "lots")
    assert rules.condition_errors(bad) == {"conditions.items.1.items.0.value": "number_required"}


@pytest.mark.parametrize(
    ("source", "target", "expected"),
    [
        (0, 2, ["b", "c", "a", "d"]),
        (3, 0, ["d", "a", "b", "c"]),
        (1, 2, ["a", "c", "b", "d"]),
        (2, 1, ["a", "c", "b", "d"]),
        (1, 1, ["a", "b", "c", "d"]),
        (4, 0, ["a", "b", "c", "d"]),
        (0, -1, ["a", "b", "c", "d"]),
    ],
)
def test_move_item(source, target, expected):
    items = ["a", "b", "c", "d"]
    assert rules.move_item(items, source, target) == expected
    assert items == ["a", "b", "c", "d"]

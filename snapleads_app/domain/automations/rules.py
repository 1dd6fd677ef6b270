"""Pure rules of automations: the condition tree evaluator, trigger filters and definition checks.

A condition tree is `{"op": "and"|"or", "items": [node, ...]}`; a leaf is
`{"field": ..., "operator": ..., "value": ...}`. Fields are lead fields, `custom.<key>`, `tags`,
`score`, `score_band` and `replied`. The evaluator never raises on odd data: a leaf that cannot apply
is simply false.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

TEXT_FIELDS = (
    "username", "full_name", "email", "phone", "company", "headline", "location", "bio", "website",
    "source", "platform", "status",
)  # fmt: skip
NUMBER_FIELDS = ("followers", "following", "posts", "score", "stage_id", "assignee_id", "pipeline_id")
BOOL_FIELDS = ("verified", "replied")
FIELDS = (*TEXT_FIELDS, *NUMBER_FIELDS, *BOOL_FIELDS, "tags", "score_band")

OPERATORS = (
    "equals", "not_equals", "contains", "starts_with", "in", "not_in", "gt", "gte", "lt", "lte",
    "between", "is_empty", "is_not_empty", "has_any", "has_all", "has_none",
)  # fmt: skip
TAG_OPERATORS = ("has_any", "has_all", "has_none")
NO_VALUE = ("is_empty", "is_not_empty")
MAX_DEPTH = 5
MAX_LEAVES = 50

ACTIONS = ("add_tag", "remove_tag", "set_status", "set_stage", "assign", "send_template", "wait",
           "stop_if_replied", "webhook")  # fmt: skip
WAIT_UNITS = {"minutes": 60, "hours": 3600, "days": 86400}
MAX_WAIT_SECONDS = 90 * 86400
STATUSES = ("new", "contacted", "responded", "qualified", "scheduled", "closed", "lost")
PLATFORMS = ("instagram", "facebook", "linkedin", "twitter", "tiktok", "whatsapp", "other")


# ---------------------------------------------------------------- evaluation


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip().lower()


def _value_of(lead: Mapping[str, Any], field: str) -> Any:
    if field.startswith("custom."):
        return (lead.get("custom_fields") or {}).get(field.removeprefix("custom."))
    return lead.get(field)


def _equal(left: Any, right: Any) -> bool:
    if isinstance(left, bool) or isinstance(right, bool):
        return bool(left) == (right in (True, "true", "1", 1, "yes"))
    ln, rn = _number(left), _number(right)
    if ln is not None and rn is not None:
        return ln == rn
    return _text(left) == _text(right)


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, list | tuple | set):
        return list(value)
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return [] if value is None else [value]


def evaluate_leaf(leaf: Mapping[str, Any], lead: Mapping[str, Any]) -> bool:
    field = str(leaf.get("field", ""))
    operator = str(leaf.get("operator", ""))
    expected = leaf.get("value")
    actual = _value_of(lead, field)
    if field == "tags":
        have = {int(t) for t in actual or []}
        wanted = {int(t) for t in _as_list(expected) if _number(t) is not None}
        if operator == "has_any":
            return bool(have & wanted)
        if operator == "has_all":
            return wanted <= have and bool(wanted)
        if operator == "has_none":
            return not (have & wanted)
        if operator == "is_empty":
            return not have
        if operator == "is_not_empty":
            return bool(have)
        return False
    if operator == "is_empty":
        return _empty(actual)
    if operator == "is_not_empty":
        return not _empty(actual)
    if operator == "equals":
        return _equal(actual, expected)
    if operator == "not_equals":
        return not _equal(actual, expected)
    if operator == "contains":
        return _text(expected) in _text(actual) if actual is not None else False
    if operator == "starts_with":
        return _text(actual).startswith(_text(expected)) if actual is not None else False
    if operator == "in":
        return any(_equal(actual, v) for v in _as_list(expected))
    if operator == "not_in":
        return not any(_equal(actual, v) for v in _as_list(expected))
    left, right = _number(actual), _number(expected)
    if operator == "between":
        bounds = _as_list(expected)
        if left is None or len(bounds) != 2:
            return False
        low, high = _number(bounds[0]), _number(bounds[1])
        return low is not None and high is not None and low <= left <= high
    if left is None or right is None:
        return False
    return {"gt": left > right, "gte": left >= right, "lt": left < right, "lte": left <= right}.get(
        operator, False
    )


def evaluate(tree: Mapping[str, Any] | None, lead: Mapping[str, Any]) -> bool:
    """True when the lead satisfies the tree; an empty tree (no conditions) always matches."""
    if not tree:
        return True
    if "field" in tree:
        return evaluate_leaf(tree, lead)
    items = [item for item in tree.get("items") or [] if item]
    if not items:
        return True
    results = (evaluate(item, lead) for item in items)
    return any(results) if tree.get("op") == "or" else all(results)


def needs_replied(tree: Mapping[str, Any] | None) -> bool:
    """Whether the tree reads "has replied" (so the caller asks the inbox only when needed)."""
    if not tree:
        return False
    if "field" in tree:
        return tree.get("field") == "replied"
    return any(needs_replied(item) for item in tree.get("items") or [])


# ---------------------------------------------------------------- trigger filters


def trigger_matches(trigger_filter: Mapping[str, Any], event: Mapping[str, Any]) -> bool:
    """The optional filter of a trigger: platform/source/status lists, a tag id, a target status."""
    for key in ("platform", "source", "channel"):
        wanted = _as_list(trigger_filter.get(key))
        if wanted and _text(event.get(key)) not in {_text(w) for w in wanted}:
            return False
    to_status = _as_list(trigger_filter.get("to_status"))
    if to_status and _text(event.get("status")) not in {_text(s) for s in to_status}:
        return False
    tag_id = trigger_filter.get("tag_id")
    return tag_id in (None, "") or int(tag_id) in {int(t) for t in event.get("tags_added") or []}


# ---------------------------------------------------------------- validation


def condition_errors(
    tree: Mapping[str, Any] | None, path: str = "conditions", depth: int = 0
) -> dict[str, str]:
    """Field errors of a condition tree (empty dict = valid)."""
    if not tree:
        return {}
    if depth > MAX_DEPTH:
        return {path: "too_deep"}
    if "field" in tree:
        field, operator = str(tree.get("field", "")), str(tree.get("operator", ""))
        if field not in FIELDS and not (field.startswith("custom.") and len(field) > 7):
            return {f"{path}.field": "unknown_field"}
        if operator not in OPERATORS:
            return {f"{path}.operator": "unknown_operator"}
        if operator not in operators_for(field):
            return {f"{path}.operator": "operator_not_for_field"}
        if operator not in NO_VALUE and _empty(tree.get("value")) and field not in BOOL_FIELDS:
            return {f"{path}.value": "required"}
        if operator in ("gt", "gte", "lt", "lte") and _number(tree.get("value")) is None:
            return {f"{path}.value": "number_required"}
        return {}
    if tree.get("op") not in ("and", "or"):
        return {f"{path}.op": "and_or_required"}
    errors: dict[str, str] = {}
    items = tree.get("items") or []
    if _count_leaves(tree) > MAX_LEAVES:
        return {path: "too_many_conditions"}
    for index, item in enumerate(items):
        errors.update(condition_errors(item, f"{path}.items.{index}", depth + 1))
    return errors


def _count_leaves(tree: Mapping[str, Any]) -> int:
    if "field" in tree:
        return 1
    return sum(_count_leaves(i) for i in tree.get("items") or [] if isinstance(i, Mapping))


def wait_seconds(action: Mapping[str, Any]) -> int:
    return int(action.get("amount") or 0) * WAIT_UNITS.get(str(action.get("unit")), 0)


def action_errors(actions: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """Shape checks of the ordered actions (ids are checked against the workspace by the service)."""
    errors: dict[str, str] = {}
    if not actions:
        return {"actions": "required"}
    for index, action in enumerate(actions):
        path = f"actions.{index}"
        kind = action.get("type")
        if kind not in ACTIONS:
            errors[f"{path}.type"] = "unknown_action"
        elif kind in ("add_tag", "remove_tag") and _number(action.get("tag_id")) is None:
            errors[f"{path}.tag_id"] = "required"
        elif kind == "set_status" and action.get("status") not in STATUSES:
            errors[f"{path}.status"] = "invalid_status"
        elif kind == "set_stage" and _number(action.get("stage_id")) is None:
            errors[f"{path}.stage_id"] = "required"
        elif kind == "assign":
            mode = action.get("mode", "fixed")
            if mode == "fixed" and _number(action.get("user_id")) is None:
                errors[f"{path}.user_id"] = "required"
            elif mode == "round_robin" and not _as_list(action.get("user_ids")):
                errors[f"{path}.user_ids"] = "required"
            elif mode not in ("fixed", "round_robin"):
                errors[f"{path}.mode"] = "invalid_mode"
        elif kind == "send_template" and _number(action.get("template_id")) is None:
            errors[f"{path}.template_id"] = "required"
        elif kind == "wait":
            seconds = wait_seconds(action)
            if action.get("unit") not in WAIT_UNITS or seconds <= 0:
                errors[f"{path}.amount"] = "positive_wait_required"
            elif seconds > MAX_WAIT_SECONDS:
                errors[f"{path}.amount"] = "wait_too_long"
        elif kind == "webhook" and _number(action.get("webhook_id")) is None:
            errors[f"{path}.webhook_id"] = "required"
    return errors


def filter_errors(trigger: str, trigger_filter: Mapping[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for value in _as_list(trigger_filter.get("platform")):
        if value not in PLATFORMS:
            errors["trigger_filter.platform"] = "invalid_platform"
    for value in _as_list(trigger_filter.get("to_status")):
        if value not in STATUSES:
            errors["trigger_filter.to_status"] = "invalid_status"
    if trigger_filter.get("tag_id") not in (None, "") and trigger != "tag_added":
        errors["trigger_filter.tag_id"] = "only_for_tag_added"
    unknown = set(trigger_filter) - {"platform", "source", "channel", "to_status", "tag_id"}
    if unknown:
        errors["trigger_filter"] = "unknown_keys"
    return errors


# ---------------------------------------------------------------- editing a condition tree
#
# The builder edits the tree through these pure helpers (the state only translates). A node is addressed
# by its path: the indexes through the `items` of the groups, "" for the root group, "0.2" for the
# third item of the first one. Every helper returns a new tree and leaves its argument untouched; an
# unknown path or key changes nothing.

TEXT_OPERATORS = ("equals", "not_equals", "contains", "starts_with", "in", "not_in", "is_empty",
                  "is_not_empty")  # fmt: skip
NUMBER_OPERATORS = ("equals", "not_equals", "gt", "gte", "lt", "lte", "between", "in", "not_in",
                    "is_empty", "is_not_empty")  # fmt: skip
BOOL_OPERATORS = ("equals", "not_equals")
CHOICE_OPERATORS = ("equals", "not_equals", "in", "not_in")
TAG_FIELD_OPERATORS = (*TAG_OPERATORS, "is_empty", "is_not_empty")
CHOICE_FIELDS = ("platform", "status", "score_band")
SCORE_BANDS = ("hot", "warm", "cold")


def operators_for(field: str) -> tuple[str, ...]:
    """The operators that make sense for a field (the builder offers only these)."""
    if field == "tags":
        return TAG_FIELD_OPERATORS
    if field in BOOL_FIELDS:
        return BOOL_OPERATORS
    if field in CHOICE_FIELDS:
        return CHOICE_OPERATORS
    if field in NUMBER_FIELDS:
        return NUMBER_OPERATORS
    if field.startswith("custom."):
        return tuple(dict.fromkeys((*TEXT_OPERATORS, *NUMBER_OPERATORS)))
    return TEXT_OPERATORS


def new_leaf(field: str = "platform") -> dict[str, Any]:
    return {"field": field, "operator": operators_for(field)[0], "value": ""}


def new_group(op: str = "and") -> dict[str, Any]:
    return {"op": "or" if op == "or" else "and", "items": []}


def parse_path(path: str | Sequence[int]) -> tuple[int, ...] | None:
    """ "0.2" → (0, 2); "" → () (the root); None when it is not a path."""
    if not isinstance(path, str):
        return tuple(int(i) for i in path)
    if path == "":
        return ()
    parts = path.split(".")
    return tuple(int(p) for p in parts) if all(p.isdigit() for p in parts) else None


def _copy(tree: Mapping[str, Any] | None) -> dict[str, Any]:
    """A deep copy of the tree's groups and leaves; an empty tree becomes an empty AND group."""
    if not tree:
        return new_group()
    if "field" in tree:
        return dict(tree)
    return {"op": tree.get("op", "and"), "items": [_copy(i) for i in tree.get("items") or [] if i]}


def _group_at(tree: dict[str, Any], path: tuple[int, ...]) -> dict[str, Any] | None:
    node: dict[str, Any] = tree
    for index in path:
        items = node.get("items")
        if "field" in node or not isinstance(items, list) or not 0 <= index < len(items):
            return None
        node = items[index]
    return None if "field" in node else node


def node_at(tree: Mapping[str, Any] | None, path: str | Sequence[int]) -> dict[str, Any] | None:
    steps = parse_path(path)
    if steps is None:
        return None
    node: Any = _copy(tree)
    for index in steps:
        items = node.get("items") if isinstance(node, dict) else None
        if not isinstance(items, list) or not 0 <= index < len(items):
            return None
        node = items[index]
    return node


def add_condition(
    tree: Mapping[str, Any] | None, group_path: str = "", field: str = "platform"
) -> dict[str, Any]:
    """A new condition at the end of the group at `group_path`."""
    copy = _copy(tree)
    steps = parse_path(group_path)
    group = _group_at(copy, steps) if steps is not None else None
    if group is not None and _count_leaves(copy) < MAX_LEAVES:
        group["items"].append(new_leaf(field))
    return copy


def add_group(tree: Mapping[str, Any] | None, group_path: str = "", op: str = "and") -> dict[str, Any]:
    """A new sub-group (holding one condition, so it is never empty) at the end of `group_path`."""
    copy = _copy(tree)
    steps = parse_path(group_path)
    group = _group_at(copy, steps) if steps is not None else None
    if group is not None and len(steps or ()) + 2 <= MAX_DEPTH and _count_leaves(copy) < MAX_LEAVES:
        group["items"].append({**new_group(op), "items": [new_leaf()]})
    return copy


def remove_node(tree: Mapping[str, Any] | None, path: str) -> dict[str, Any]:
    """Remove the condition or group at `path` (the root cannot be removed: it is emptied instead)."""
    copy = _copy(tree)
    steps = parse_path(path)
    if not steps:
        return new_group(copy.get("op", "and")) if steps == () else copy
    parent = _group_at(copy, steps[:-1])
    if parent is not None and 0 <= steps[-1] < len(parent["items"]):
        del parent["items"][steps[-1]]
    return copy


def set_group_op(tree: Mapping[str, Any] | None, path: str, op: str) -> dict[str, Any]:
    copy = _copy(tree)
    steps = parse_path(path)
    group = _group_at(copy, steps) if steps is not None else None
    if group is not None and op in ("and", "or"):
        group["op"] = op
    return copy


def set_leaf(tree: Mapping[str, Any] | None, path: str, key: str, value: Any) -> dict[str, Any]:
    """Change a condition's field, operator or value. A new field keeps the operator only if it suits
    the field (else its first one) and resets a value of another kind (tags, a choice list; yes/no
    fields start at "true")."""
    copy = _copy(tree)
    steps = parse_path(path)
    if not steps or key not in ("field", "operator", "value"):
        return copy
    parent = _group_at(copy, steps[:-1])
    if parent is None or not 0 <= steps[-1] < len(parent["items"]):
        return copy
    leaf = parent["items"][steps[-1]]
    if "field" not in leaf:
        return copy
    if key == "field":
        field = str(value)
        if field not in FIELDS and not (field.startswith("custom.") and len(field) > 7):
            return copy
        allowed = operators_for(field)
        kind_changed = _kind(field) != _kind(str(leaf.get("field", "")))
        leaf.update(
            field=field,
            operator=leaf.get("operator") if leaf.get("operator") in allowed else allowed[0],
            value=("true" if field in BOOL_FIELDS else "") if kind_changed else leaf.get("value", ""),
        )
    elif key == "operator":
        if value in operators_for(str(leaf.get("field", ""))):
            leaf["operator"] = value
    else:
        leaf["value"] = value
    return copy


def _kind(field: str) -> str:
    if field == "tags":
        return "tags"
    if field in BOOL_FIELDS:
        return "bool"
    if field in CHOICE_FIELDS:
        return field
    return "other"


def flatten(tree: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """The tree as rows in display order (for one flat list in the UI): each row has `path` ("" for the
    root group), `depth`, `kind` ("group" or "condition") and the node's own keys (op / field, operator,
    value)."""
    rows: list[dict[str, Any]] = []

    def walk(node: Mapping[str, Any], path: tuple[int, ...]) -> None:
        key = ".".join(map(str, path))
        if "field" in node:
            rows.append({"path": key, "depth": len(path), "kind": "condition", "field": node.get("field", ""),
                         "operator": node.get("operator", ""), "value": node.get("value")})  # fmt: skip
            return
        rows.append({"path": key, "depth": len(path), "kind": "group", "op": node.get("op", "and")})
        for index, item in enumerate(node.get("items") or []):
            walk(item, (*path, index))

    walk(_copy(tree), ())
    return rows


def prune(tree: Mapping[str, Any] | None) -> dict[str, Any]:
    """The tree to save: empty sub-groups dropped (they would always match); {} when nothing is left."""

    def clean(node: Mapping[str, Any]) -> dict[str, Any] | None:
        if "field" in node:
            return dict(node)
        items = [c for c in (clean(i) for i in node.get("items") or [] if i) if c is not None]
        return {"op": node.get("op", "and"), "items": items} if items else None

    return clean(_copy(tree)) or {}


def map_leaves(tree: Mapping[str, Any] | None, fn: Any) -> dict[str, Any]:
    """The tree with every condition replaced by `fn(condition)` (e.g. form strings → typed values)."""

    def walk(node: Mapping[str, Any]) -> dict[str, Any]:
        if "field" in node:
            return fn(dict(node))
        return {"op": node.get("op", "and"), "items": [walk(i) for i in node.get("items") or [] if i]}

    return walk(_copy(tree))


def error_path(key: str) -> str | None:
    """The node path a `condition_errors` key points at: "conditions.items.0.items.1.value" → "0.1",
    "conditions.op" → ""; None for keys of other parts of the definition."""
    if key != "conditions" and not key.startswith("conditions."):
        return None
    parts = key.split(".")[1:]
    steps: list[str] = []
    while len(parts) >= 2 and parts[0] == "items" and parts[1].isdigit():
        steps.append(parts[1])
        parts = parts[2:]
    return ".".join(steps)


def move_item(items: Sequence[Any], source: int, target: int) -> list[Any]:
    """`items` with the one at `source` moved so that it ends up at index `target` (the order of the
    actions: drag and drop and the up/down buttons). Out-of-range indexes change nothing."""
    moved = list(items)
    if not (0 <= source < len(moved) and 0 <= target < len(moved)) or source == target:
        return moved
    moved.insert(target, moved.pop(source))
    return moved

"""The template renderer (pure): placeholders, fallbacks, unknown variables, text-only output."""

from __future__ import annotations

import pytest

from snapleads_app.domain.inbox import rules
from snapleads_app.domain.templates.render import malformed, render, variables_in

VALUES = {"first_name": "Ana", "company": "Padaria Sol", "empty": "", "followers": 1200, "plan": "Pro"}


@pytest.mark.parametrize(
    ("template", "text", "missing"),
    [
        ("Oi {{first_name}}!", "Oi Ana!", []),
        ("Oi {{ first_name }}, da {{company}}", "Oi Ana, da Padaria Sol", []),
        ("Hi {{first_name|there}}", "Hi Ana", []),
        ("Hi {{nickname|there}}", "Hi there", []),
        ("Hi {{ empty | friend }}", "Hi friend", []),
        ("Hi {{empty|}}!", "Hi !", []),
        ("Hi {{nickname}}!", "Hi !", ["nickname"]),
        ("{{a}} {{b}} {{a}}", "  ", ["a", "b"]),
        ("{{FIRST_NAME}}", "Ana", []),
        ("{{followers}} followers", "1200 followers", []),
        ("Plan: {{custom.plan|none}}", "Plan: none", []),
        ("No placeholders", "No placeholders", []),
        ("Tudo bem, {{first_name|você}}? Até {{weekday|logo}}.", "Tudo bem, Ana? Até logo.", []),
    ],
)
def test_render_table(template: str, text: str, missing: list[str]) -> None:
    result = render(template, VALUES)
    assert result.text == text
    assert result.missing == missing
    assert result.complete is (not missing)


def test_values_are_plain_text_never_expanded_again() -> None:
    values = {"first_name": "<script>alert(1)</script>", "company": "{{first_name}}"}
    result = render("Hi {{first_name}} from {{company}}", values)
    assert result.text == "Hi <script>alert(1)</script> from {{first_name}}"
    assert result.missing == []


def test_missing_placeholders_never_leave_braces() -> None:
    result = render("Olá {{first_name}}, {{unknown_field}}", {})
    assert "{" not in result.text and "}" not in result.text
    assert result.missing == ["first_name", "unknown_field"]


def test_variables_in_and_malformed() -> None:
    assert variables_in("{{a}} {{ b | x }} {{A}}") == ["a", "b"]
    assert malformed("Hi {{first name}}")
    assert malformed("Hi {{first_name")
    assert malformed("Hi first_name}}")
    assert not malformed("Hi {{first_name|there}} {single} braces")


@pytest.mark.parametrize(
    ("current", "new", "allowed"),
    [
        ("pending", "sent", True),
        ("sent", "delivered", True),
        ("delivered", "read", True),
        ("pending", "read", True),
        ("read", "delivered", False),
        ("delivered", "sent", False),
        ("sent", "sent", False),
        ("pending", "failed", True),
        ("sent", "failed", True),
        ("delivered", "failed", False),
        ("failed", "sent", False),
    ],
)
def test_status_lifecycle(current: str, new: str, allowed: bool) -> None:
    assert rules.may_change_status(current, new) is allowed


def test_least_loaded_rotates_by_load_then_id() -> None:
    assert rules.least_loaded({}) is None
    assert rules.least_loaded({7: 2, 3: 1, 5: 1}) == 3
    assert rules.least_loaded({7: 0, 3: 1}) == 7


def test_preview_flattens_and_truncates() -> None:
    assert rules.preview("a\n\n b") == "a b"
    long = rules.preview("x" * 500)
    assert len(long) == 160 and long.endswith("…")

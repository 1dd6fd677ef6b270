"""The template renderer: `{{variable}}` and `{{variable|fallback}}` over a dict of values. Pure.

One pass, left to right: a value that itself contains `{{…}}` is never expanded again, and the output
is plain text (the UI and the channels escape it like any other text). A placeholder whose value is
missing or empty and has no fallback renders as nothing and is reported in `missing` — a lead never
receives braces.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# {{ name }} or {{ name | fallback text }}; names are identifiers, dots allowed (custom.plan).
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*(?:\|([^{}]*))?\}\}")
# Anything that still looks like a placeholder once the valid ones are removed.
_STRAY = re.compile(r"\{\{|\}\}")


@dataclass(frozen=True, slots=True)
class RenderResult:
    text: str
    missing: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.missing


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value).strip()


def render(template_text: str, variables: Mapping[str, Any]) -> RenderResult:
    """Fill the placeholders of `template_text` from `variables` (keys compared case-insensitively)."""
    values = {str(k).lower(): v for k, v in variables.items()}
    missing: list[str] = []

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1).lower()
        fallback = match.group(2)
        value = _text(values.get(name))
        if value:
            return value
        if fallback is not None:
            return fallback.strip()
        if name not in missing:
            missing.append(name)
        return ""

    return RenderResult(text=PLACEHOLDER.sub(substitute, template_text), missing=missing)


def variables_in(template_text: str) -> list[str]:
    """The distinct placeholder names of a template, in order of first appearance."""
    seen: list[str] = []
    for match in PLACEHOLDER.finditer(template_text):
        name = match.group(1).lower()
        if name not in seen:
            seen.append(name)
    return seen


def malformed(template_text: str) -> bool:
    """True when braces remain that are not a valid placeholder (`{{ first name }}`, `{{name`)."""
    return bool(_STRAY.search(PLACEHOLDER.sub("", template_text)))

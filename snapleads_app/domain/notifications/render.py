"""E-mail templates (in the repo, one folder per language) rendered with Jinja2.

HTML templates autoescape every value (names, previews and notes are user data); text and subject
templates do not (they are never read as HTML). A subject is one line: newlines would let user data
forge headers, so they are collapsed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from snapleads_app.i18n import normalise_language

TEMPLATES = Path(__file__).parent / "templates"
KINDS = ("invitation", "password_reset", "import_finished", "lead_assigned", "new_message")


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


@lru_cache
def _environment(lang: str) -> Environment:
    # Language folder first, shared layout at the root. Only *.html autoescapes.
    loader = FileSystemLoader([str(TEMPLATES / lang), str(TEMPLATES)])
    return Environment(
        loader=loader,
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False, default=False),
        undefined=StrictUndefined,  # a missing variable is a bug, not an empty string in a sent e-mail
        keep_trailing_newline=True,
    )


def render(kind: str, lang: str | None, **context: Any) -> Rendered:
    """Subject, plain text and HTML of `kind` in the recipient's language (pt-BR or en)."""
    if kind not in KINDS:
        raise ValueError(f"unknown e-mail template {kind!r}")
    language = normalise_language(lang)
    env = _environment(language)
    context = {"action_url": "", "lang": language, **context}
    if "prefs_url" in context:
        context["footer_text"] = env.get_template("_footer.txt").render(**context).strip()
    subject = " ".join(env.get_template(f"{kind}.subject").render(**context).split())
    text = env.get_template(f"{kind}.txt").render(**context).strip() + "\n"
    html = env.get_template(f"{kind}.html").render(subject=subject, **context)
    return Rendered(subject=subject, text=text, html=html)

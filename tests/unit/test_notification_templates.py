"""E-mail templates: both languages complete, user data escaped in HTML only, one-line subjects."""

from __future__ import annotations

import pytest

from snapleads_app.domain.notifications.render import KINDS, TEMPLATES, render

CONTEXT: dict[str, dict[str, object]] = {
    "invitation": {
        "inviter_name": "<Ana>",
        "workspace_name": "A&B",
        "role_label": "Agent",
        "expires_days": 7,
    },
    "password_reset": {"name": "<Ana>", "minutes": 60},
    "import_finished": {
        "name": "<Ana>",
        "workspace_name": "A&B",
        "file_name": "<leads>.csv",
        "failed": False,
        "error": "",
        "total": 3,
        "created": 1,
        "updated": 1,
        "duplicates": 0,
        "errors": 1,
    },
    "lead_assigned": {
        "name": "<Ana>",
        "lead_name": "<Bob>",
        "lead_company": "A&B",
        "assigned_by": "Caio",
        "workspace_name": "W",
    },
    "new_message": {
        "name": "<Ana>",
        "lead_name": "<Bob>",
        "previews": ["<script>x</script>"],
        "count": 1,
        "workspace_name": "W",
    },
}


def test_both_languages_ship_the_same_templates() -> None:
    def names(lang: str) -> set[str]:
        return {p.name for p in (TEMPLATES / lang).iterdir()}

    assert names("en") == names("pt-BR")
    for kind in KINDS:
        for suffix in ("subject", "txt", "html"):
            assert f"{kind}.{suffix}" in names("en")


@pytest.mark.parametrize("lang", ["en", "pt-BR"])
@pytest.mark.parametrize("kind", KINDS)
def test_every_email_renders_and_escapes_user_data_in_html(kind: str, lang: str) -> None:
    rendered = render(
        kind,
        lang,
        action_url="https://app.example.com/x?token=a&b=1",
        prefs_url="https://app/p",
        **CONTEXT[kind],
    )
    assert "\n" not in rendered.subject and rendered.subject
    assert "<Ana>" in rendered.text  # plain text keeps the characters as typed
    assert "<Ana>" not in rendered.html and "&lt;Ana&gt;" in rendered.html
    assert "<script>" not in rendered.html
    assert f'lang="{lang}"' in rendered.html
    assert "https://app.example.com/x?token=a&amp;b=1" in rendered.html  # a valid href
    assert "https://app.example.com/x?token=a&b=1" in rendered.text


def test_subject_cannot_carry_a_header_injection() -> None:
    rendered = render(
        "lead_assigned",
        "en",
        **{**CONTEXT["lead_assigned"], "lead_name": "x\r\nBcc: evil@x.com"},
        action_url="u",
        prefs_url="p",
    )
    assert "\r" not in rendered.subject and "\n" not in rendered.subject


def test_unknown_language_falls_back_to_pt_br() -> None:
    assert render("password_reset", "de", name="A", minutes=60, action_url="u").subject.startswith("Redefina")


@pytest.mark.parametrize(
    ("lang", "subject"), [("en", "Your import failed"), ("pt-BR", "Sua importação falhou")]
)
def test_a_failed_import_says_so_with_the_reason(lang: str, subject: str) -> None:
    context = {**CONTEXT["import_finished"], "failed": True, "error": "<file unreadable>", "file_name": ""}
    rendered = render("import_finished", lang, action_url="u", prefs_url="p", **context)
    assert rendered.subject == subject
    assert "<file unreadable>" in rendered.text and "&lt;file unreadable&gt;" in rendered.html

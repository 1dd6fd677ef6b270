"""The two catalogs stay in step, and the lookup helpers behave."""

from __future__ import annotations

import re

from snapleads_app.i18n import (
    CATALOGS,
    LANGUAGES,
    error_key,
    language_from_accept,
    normalise_language,
    t,
    t_error,
)
from snapleads_app.i18n.en import STRINGS as EN
from snapleads_app.i18n.pt_BR import STRINGS as PT_BR

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def test_catalogs_have_the_same_keys() -> None:
    assert set(EN) == set(PT_BR), {"only en": set(EN) - set(PT_BR), "only pt-BR": set(PT_BR) - set(EN)}


def test_no_value_is_empty() -> None:
    for lang, catalog in CATALOGS.items():
        empty = [key for key, value in catalog.items() if not value.strip()]
        assert not empty, f"{lang}: {empty}"


def test_placeholders_match_between_languages() -> None:
    for key, english in EN.items():
        assert set(_PLACEHOLDER.findall(english)) == set(_PLACEHOLDER.findall(PT_BR[key])), key


def test_lookup_formats_and_falls_back() -> None:
    assert t("dashboard.welcome", "en", name="Ana") == "Welcome, Ana!"
    assert t("dashboard.welcome", "pt-BR", name="Ana") == "Olá, Ana!"
    assert t("dashboard.welcome", None, name="Ana") == "Olá, Ana!"  # default pt-BR
    assert t("no.such.key", "en") == "no.such.key"
    assert t("dashboard.welcome", "en") == "Welcome, {name}!"  # missing params: raw template


def test_error_codes_map_to_keys() -> None:
    assert error_key("invalid_credentials") == "error.invalid_credentials"
    assert error_key("something_new") == "error.generic"
    assert t_error("login_throttled", "en", minutes=15) == "Too many failed sign-ins. Try again in 15 min."


def test_every_domain_error_code_raised_by_accounts_is_translated() -> None:
    from pathlib import Path

    source = (Path(__file__).resolve().parents[2] / "snapleads_app/domain/accounts/service.py").read_text()
    codes = set(re.findall(r'code="([a-z_]+)"', source)) | set(re.findall(r'"(password_[a-z_]+)"', source))
    rules = (Path(__file__).resolve().parents[2] / "snapleads_app/domain/accounts/rules.py").read_text()
    codes |= set(re.findall(r'"((?:password|members|admin)_[a-z_]+)"', rules))
    codes -= {"refresh_token_reused"}  # API only
    missing = sorted(code for code in codes if f"error.{code}" not in EN)
    assert not missing, missing


def test_language_detection() -> None:
    assert normalise_language("pt_br") == "pt-BR"
    assert normalise_language("en-US") == "en"
    assert normalise_language("de") == "pt-BR"
    assert language_from_accept("pt-BR,pt;q=0.9,en;q=0.8") == "pt-BR"
    assert language_from_accept("en-US,en;q=0.9,pt;q=0.8") == "en"
    assert language_from_accept("de-DE,en;q=0.5,pt;q=0.9") == "pt-BR"
    assert language_from_accept("fr-FR") == "en"
    assert language_from_accept("") == "pt-BR"
    assert set(LANGUAGES) == set(CATALOGS)

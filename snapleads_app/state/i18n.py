"""Reactive translations: `LangState.lang` (a cookie, so logged-out pages remember it) and `tr()`.

`tr("key")` renders as an `rx.match` over the languages, so switching language updates the page
without a round trip; the strings themselves come from the pure catalogs in snapleads_app/i18n.
Handlers that build messages (toasts, errors) use `t(key, self.lang)` on the server instead.
"""

from __future__ import annotations

import re
from typing import Any, cast

import reflex as rx

from snapleads_app.i18n import (
    CATALOGS,
    DEFAULT_LANGUAGE,
    LANGUAGES,
    language_from_accept,
    normalise_language,
    t,
)

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
ONE_YEAR = 365 * 24 * 3600


class LangState(rx.State):
    """Root of the app's states: the UI language."""

    lang: rx.Field[str] = rx.field(rx.Cookie("", name="sl_lang", max_age=ONE_YEAR, same_site="lax"))

    @rx.event
    def init_lang(self) -> None:
        """First visit: pick pt-BR if the browser prefers Portuguese, else English."""
        if not self.lang:
            self.lang = language_from_accept(self.router.headers.accept_language)

    @rx.event
    def set_ui_language(self, lang: str) -> None:
        """Logged-out pages: switch language (signed-in users go through SessionState)."""
        self.lang = normalise_language(lang)

    def _t(self, key: str, **params: Any) -> str:
        return t(key, self.lang, **params)


def _render(template: str, params: dict[str, Any]) -> Any:
    if not params or not _PLACEHOLDER.search(template):
        return template
    # Vars format into Reflex f-string markers, so the result composes into one string Var.
    return rx.Var.create(template.format_map({k: v for k, v in params.items()}))


def tr(key: str, **params: Any) -> rx.Var:
    """The translated string for `key` as a reactive Var; `params` may be Vars (`name=State.x`)."""
    rendered = {
        lang: _render(CATALOGS[lang].get(key) or CATALOGS["en"].get(key) or key, params) for lang in LANGUAGES
    }
    default = rendered[DEFAULT_LANGUAGE]
    cases = [(lang, value) for lang, value in rendered.items() if lang != DEFAULT_LANGUAGE]
    return cast(rx.Var, rx.match(LangState.lang, *cases, default))

"""UI strings in pt-BR and English, and a pure `t(key, lang)` lookup (no Reflex here).

Keys are dotted (`nav.leads`, `error.invalid_credentials`). Domain errors are translated through
`error.<code>`; an unknown code falls back to `error.generic`. `{name}` placeholders are filled with
`str.format`.
"""

from __future__ import annotations

from typing import Final

from snapleads_app.i18n.en import STRINGS as EN
from snapleads_app.i18n.pt_BR import STRINGS as PT_BR

LANGUAGES: Final[tuple[str, ...]] = ("pt-BR", "en")
DEFAULT_LANGUAGE: Final = "pt-BR"
CATALOGS: Final[dict[str, dict[str, str]]] = {"pt-BR": PT_BR, "en": EN}
LANGUAGE_LABELS: Final[dict[str, str]] = {"pt-BR": "Português (Brasil)", "en": "English"}


def normalise_language(lang: str | None) -> str:
    """Map any tag (`pt`, `pt_br`, `en-US`) to a supported language, pt-BR by default."""
    if not lang:
        return DEFAULT_LANGUAGE
    tag = lang.strip().replace("_", "-").lower()
    if tag.startswith("pt"):
        return "pt-BR"
    if tag.startswith("en"):
        return "en"
    return DEFAULT_LANGUAGE


def language_from_accept(header: str | None) -> str:
    """pt-BR if the browser lists Portuguese before English, else en (no header: pt-BR)."""
    if not header:
        return DEFAULT_LANGUAGE
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        weighted.append((-quality, index, tag.strip().lower()))
    for _, _, tag in sorted(weighted):
        if tag.startswith("pt"):
            return "pt-BR"
        if tag.startswith("en"):
            return "en"
    return "en"


def t(key: str, lang: str | None = None, **params: object) -> str:
    """The string for `key` in `lang` (English, then the key itself, as fallbacks)."""
    catalog = CATALOGS.get(normalise_language(lang), PT_BR)
    text = catalog.get(key) or EN.get(key) or key
    if params:
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError):
            return text
    return text


def error_key(code: str) -> str:
    """The catalog key for a domain error code (unknown codes map to the generic message)."""
    key = f"error.{code}"
    return key if key in EN else "error.generic"


def t_error(code: str, lang: str | None = None, **params: object) -> str:
    return t(error_key(code), lang, **params)

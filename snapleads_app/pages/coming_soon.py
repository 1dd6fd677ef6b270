"""Sections still to be built: a translated "coming soon" state inside the shell."""

from __future__ import annotations

import reflex as rx

from snapleads_app.components.widgets import empty_state
from snapleads_app.pages.layout import authenticated_page
from snapleads_app.state.i18n import tr

_SECTIONS = [
    ("/settings", "Settings", "nav.settings", "settings"),
]


def _coming_soon(key: str, icon: str):
    def view() -> rx.Component:
        return rx.vstack(
            rx.heading(tr(key), size="7"),
            empty_state(icon, tr("common.coming_soon_title"), tr("common.coming_soon_body")),
            width="100%",
        )

    view.__name__ = f"coming_soon_{key.split('.')[-1]}"
    return view


for _route, _title, _key, _icon in _SECTIONS:
    authenticated_page(_route, _title)(_coming_soon(_key, _icon))

"""Page registration: `authenticated_page` wraps a view with the shell and the session on_load.

Pattern from reflex-dev/templates dashboard `template.py`: the page decorator owns the shell and the
on_load, so a page is just a view. The on_load redirect is only UX: every data handler re-checks the
session itself (SessionState._ctx).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import reflex as rx

from snapleads_app.state.auth import AuthFormState
from snapleads_app.state.i18n import LangState
from snapleads_app.state.session import SessionState
from snapleads_app.views.shell import shell


@dataclass
class PageSpec:
    route: str
    component: Callable[[], rx.Component]
    title: str
    on_load: list[Any] = field(default_factory=list)


PAGES: list[PageSpec] = []


def authenticated_page(route: str, title: str, on_load: list[Any] | None = None):
    """Register `view()` at `route` inside the shell; loads the session first, then `on_load`."""

    def decorator(view: Callable[[], rx.Component]) -> Callable[[], rx.Component]:
        def component() -> rx.Component:
            return shell(view())

        component.__name__ = view.__name__
        PAGES.append(
            PageSpec(
                route,
                component,
                f"{title} · SnapLeads",
                [LangState.init_lang, SessionState.load_shell, *(on_load or [])],
            )
        )
        return view

    return decorator


def public_page(route: str, title: str, on_load: list[Any] | None = None):
    def decorator(view: Callable[[], rx.Component]) -> Callable[[], rx.Component]:
        PAGES.append(
            PageSpec(
                route,
                view,
                f"{title} · SnapLeads",
                [LangState.init_lang, *(on_load or [AuthFormState.load_login])],
            )
        )
        return view

    return decorator


def register_pages(app: rx.App) -> None:
    for spec in PAGES:
        app.add_page(spec.component, route=spec.route, title=spec.title, on_load=spec.on_load)

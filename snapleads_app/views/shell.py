"""The authenticated shell: sidebar navigation, top bar with the user menu, presence."""

from __future__ import annotations

from typing import Any

import reflex as rx

from snapleads_app.components.live import watch
from snapleads_app.components.widgets import ACCENT, brand, presence_list
from snapleads_app.i18n import LANGUAGE_LABELS, LANGUAGES
from snapleads_app.state.i18n import LangState, tr
from snapleads_app.state.nav import NavState
from snapleads_app.state.presence import PresenceState
from snapleads_app.state.realtime_inbox import InboxShared
from snapleads_app.state.session import SessionState
from snapleads_app.state.shared import WorkspaceShared
from snapleads_app.views.common import role_badge

# (route, i18n key, icon)
NAV_ITEMS: list[tuple[str, str, str]] = [
    ("/", "nav.dashboard", "layout_dashboard"),
    ("/leads", "nav.leads", "users"),
    ("/imports", "nav.imports", "file_up"),
    ("/kanban", "nav.kanban", "columns_3"),
    ("/inbox", "nav.inbox", "inbox"),
    ("/templates", "nav.templates", "file_text"),
    ("/automations", "nav.automations", "workflow"),
    ("/analytics", "nav.analytics", "chart_column"),
    ("/settings/members", "nav.settings", "settings"),
]


def _unread_count() -> Any:
    """The count of the last inbox push once one arrived (the relay counts it once per channel); until
    then, the shell's own read from the database."""
    return rx.cond(InboxShared.unread >= 0, InboxShared.unread, NavState.inbox_unread)


def inbox_unread_badge(test_id: str = "nav-unread") -> rx.Component:
    """Unread conversations the user can see; hidden at zero."""
    count = _unread_count()
    return rx.cond(
        count > 0,
        rx.badge(
            rx.cond(count > 99, "99+", count.to_string()),
            color_scheme=ACCENT,
            variant="solid",
            radius="full",
            data_testid=test_id,
            data_count=count,
            aria_label=tr("nav.inbox_unread", count=count),
        ),
    )


def _nav_item(route: str, key: str, icon: str) -> rx.Component:
    path = rx.State.router.url.path
    active = (path == route) | ((route != "/") & path.startswith(route.rsplit("/", 1)[0] or route))
    return rx.link(
        rx.hstack(
            rx.icon(icon, size=18),
            rx.text(tr(key), size="3", weight="medium"),
            *([rx.spacer(), inbox_unread_badge()] if route == "/inbox" else []),
            align="center",
            spacing="3",
            width="100%",
            padding_x="0.75em",
            padding_y="0.55em",
            border_radius="0.6em",
            color=rx.cond(active, rx.color(ACCENT, 11), rx.color("gray", 11)),
            background=rx.cond(active, rx.color(ACCENT, 3), "transparent"),
            _hover={"background": rx.color(ACCENT, 3), "color": rx.color(ACCENT, 11)},
        ),
        href=route,
        underline="none",
        width="100%",
        aria_current=rx.cond(active, "page", "false"),
    )


def _nav_links() -> rx.Component:
    return rx.vstack(*[_nav_item(*item) for item in NAV_ITEMS], spacing="1", width="100%")


def online_now(label: str = "online-now") -> rx.Component:
    return presence_list(
        WorkspaceShared.online, tr("shell.online_now"), tr("shell.nobody_online"), label=label
    )


def sidebar() -> rx.Component:
    return rx.box(
        rx.vstack(
            rx.box(brand(), padding_x="0.75em", padding_y="0.5em"),
            rx.el.nav(_nav_links(), aria_label=tr("nav.main"), width="100%"),
            rx.spacer(),
            rx.box(online_now(), padding="0.75em", width="100%"),
            spacing="5",
            height="100%",
            width="100%",
        ),
        display=["none", "none", "block"],
        width="15em",
        min_width="15em",
        height="100vh",
        position="sticky",
        top="0",
        padding="1em",
        border_right=f"1px solid {rx.color('gray', 4)}",
        background=rx.color("gray", 2),
    )


def _mobile_menu() -> rx.Component:
    return rx.box(
        rx.menu.root(
            rx.menu.trigger(
                rx.icon_button(rx.icon("menu"), variant="ghost", aria_label=tr("shell.open_menu")),
            ),
            rx.menu.content(
                *[
                    rx.menu.item(
                        rx.hstack(
                            rx.icon(icon, size=16),
                            rx.text(tr(key)),
                            *([inbox_unread_badge("nav-unread-mobile")] if route == "/inbox" else []),
                        ),
                        on_click=rx.redirect(route),
                    )
                    for route, key, icon in NAV_ITEMS
                ],
            ),
        ),
        display=["block", "block", "none"],
    )


def _check_mark(checked: rx.Var) -> rx.Component:
    """A tick before the current choice of a menu; an empty box of the same width before the others."""
    return rx.cond(checked, rx.icon("check", size=14), rx.box(width="14px"))


def _menu_label(text: rx.Var) -> rx.Component:
    return rx.text(text, size="1", weight="bold", color_scheme="gray", padding_x="0.75em", padding_y="0.35em")


def _user_menu() -> rx.Component:
    return rx.menu.root(
        rx.menu.trigger(
            rx.button(
                rx.avatar(fallback=SessionState.initials, size="2", radius="full", color_scheme=ACCENT),
                rx.vstack(
                    rx.text(SessionState.user_name, size="2", weight="medium", id="user-name"),
                    rx.text(SessionState.workspace_name, size="1", color_scheme="gray", id="workspace-name"),
                    spacing="0",
                    align="start",
                    display=["none", "flex"],
                ),
                rx.icon("chevron_down", size=16),
                variant="ghost",
                size="3",
                aria_label=tr("shell.user_menu"),
                id="user-menu",
            ),
        ),
        rx.menu.content(
            _menu_label(tr("shell.workspaces")),
            rx.foreach(
                SessionState.workspaces,
                lambda w: rx.menu.item(
                    rx.hstack(
                        _check_mark(w["id"] == SessionState.workspace_id.to_string()),
                        rx.text(w["name"]),
                        rx.spacer(),
                        role_badge(w["role"]),
                        width="100%",
                        align="center",
                    ),
                    on_click=SessionState.switch_workspace(w["id"]),
                ),
            ),
            rx.menu.separator(),
            _menu_label(tr("shell.language")),
            *[
                rx.menu.item(
                    rx.hstack(
                        _check_mark(LangState.lang == lang),
                        rx.text(LANGUAGE_LABELS[lang]),
                    ),
                    on_click=SessionState.set_language(lang),
                    lang=lang,
                )
                for lang in LANGUAGES
            ],
            rx.menu.separator(),
            rx.menu.item(
                rx.hstack(rx.icon("log_out", size=14), rx.text(tr("auth.logout"))),
                on_click=PresenceState.logout,
                color="red",
                id="logout",
            ),
            min_width="16em",
        ),
    )


def topbar() -> rx.Component:
    return rx.hstack(
        _mobile_menu(),
        rx.box(brand("4"), display=["block", "block", "none"]),
        rx.spacer(),
        _user_menu(),
        align="center",
        width="100%",
        padding_x="1.5em",
        padding_y="0.75em",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        background=rx.color("gray", 1),
        position="sticky",
        top="0",
        z_index="10",
    )


def shell(content: rx.Component) -> rx.Component:
    return rx.hstack(
        # The badge reads its count from the database when the shell mounts and whenever the tab has no
        # pushed count (a reconnect rehydrates InboxShared); the pushes carry it after that.
        watch(InboxShared.unread < 0, NavState.inbox_changed),
        sidebar(),
        rx.vstack(
            topbar(),
            rx.el.main(
                rx.box(content, width="100%", max_width="72em", margin_x="auto"),
                width="100%",
                padding=["1em", "1.5em", "2em"],
            ),
            spacing="0",
            width="100%",
            min_height="100vh",
        ),
        spacing="0",
        width="100%",
        align="start",
        background=rx.color("gray", 1),
    )

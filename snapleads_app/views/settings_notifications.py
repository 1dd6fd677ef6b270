"""Settings → Notifications: e-mail switches and the private calendar feed URL."""

from __future__ import annotations

import reflex as rx

from snapleads_app.components.widgets import page_title, section_card
from snapleads_app.state.i18n import tr
from snapleads_app.state.notification_settings import OPTIONAL
from snapleads_app.state.notification_settings import NotificationSettingsState as N


def _switch(kind: str) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(tr(f"notify.{kind}"), as_="label", html_for=f"pref-{kind}", weight="medium", size="2"),
            rx.text(tr(f"notify.{kind}_hint"), size="1", color_scheme="gray"),
            spacing="0",
            flex="1",
        ),
        rx.switch(
            id=f"pref-{kind}",
            checked=N.prefs.get(kind, True),
            on_change=lambda value: N.toggle(kind, value),
        ),
        align="center",
        spacing="3",
        width="100%",
    )


def _feed() -> rx.Component:
    return section_card(
        tr("calendar.title"),
        rx.text(tr("calendar.subtitle"), size="2", color_scheme="gray"),
        rx.cond(
            N.feed_url != "",
            rx.vstack(
                rx.callout(
                    tr("calendar.url_once"), icon="key_round", color_scheme="amber", size="1", width="100%"
                ),
                rx.hstack(
                    rx.input(
                        value=N.feed_url,
                        read_only=True,
                        id="feed-url",
                        flex="1",
                        aria_label=tr("calendar.title"),
                    ),
                    rx.button(
                        rx.icon("copy", size=14),
                        tr("common.copy"),
                        variant="soft",
                        on_click=[rx.set_clipboard(N.feed_url), rx.toast.success(tr("common.copied"))],
                    ),
                    width="100%",
                ),
                spacing="2",
                width="100%",
            ),
        ),
        rx.text(
            rx.cond(N.feed_active, tr("calendar.active_since", when=N.feed_since), tr("calendar.inactive")),
            size="2",
            id="feed-status",
        ),
        rx.hstack(
            rx.button(
                rx.icon("calendar_plus", size=14),
                rx.cond(N.feed_active, tr("calendar.replace"), tr("calendar.create")),
                on_click=N.create_feed,
                id="feed-create",
            ),
            rx.cond(
                N.feed_active,
                rx.button(
                    rx.icon("ban", size=14),
                    tr("calendar.revoke"),
                    color_scheme="red",
                    variant="soft",
                    on_click=N.revoke_feed,
                    id="feed-revoke",
                ),
            ),
            spacing="2",
        ),
        rx.text(tr("calendar.how_google"), size="1", color_scheme="gray"),
        rx.text(tr("calendar.how_outlook"), size="1", color_scheme="gray"),
    )


def settings_notifications_view() -> rx.Component:
    return rx.vstack(
        page_title(tr("notify.title"), tr("notify.subtitle")),
        rx.grid(
            section_card(
                tr("notify.emails_title"),
                *[_switch(kind) for kind in OPTIONAL],
                rx.text(tr("notify.always_sent"), size="1", color_scheme="gray"),
            ),
            _feed(),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="4",
            width="100%",
        ),
        spacing="5",
        width="100%",
    )

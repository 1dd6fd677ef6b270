"""/settings/notifications"""

from __future__ import annotations

import reflex as rx

from snapleads_app.pages.layout import authenticated_page
from snapleads_app.state.notification_settings import NotificationSettingsState
from snapleads_app.views.settings_nav import settings_nav
from snapleads_app.views.settings_notifications import settings_notifications_view


@authenticated_page("/settings/notifications", "Notifications", on_load=[NotificationSettingsState.load])
def settings_notifications() -> rx.Component:
    return rx.vstack(settings_nav(), settings_notifications_view(), spacing="5", width="100%")

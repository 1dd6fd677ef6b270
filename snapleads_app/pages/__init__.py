"""Routes. Importing this package registers every page in `layout.PAGES`."""

from snapleads_app.pages import (  # noqa: F401
    auth,
    automations,
    coming_soon,
    dashboard,
    imports,
    inbox,
    kanban,
    leads,
    members,
    password_reset,
    settings_notifications,
    settings_pipelines,
    settings_scoring,
    settings_tags,
    settings_webhooks,
    settings_workspace,
    templates,
)
from snapleads_app.pages.layout import PAGES, register_pages

__all__ = ["PAGES", "register_pages"]

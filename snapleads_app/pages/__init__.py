"""Routes. Importing this package registers every page in `layout.PAGES`."""

from snapleads_app.pages import (  # noqa: F401
    auth,
    coming_soon,
    dashboard,
    imports,
    inbox,
    kanban,
    leads,
    members,
    settings_pipelines,
    settings_tags,
    templates,
)
from snapleads_app.pages.layout import PAGES, register_pages

__all__ = ["PAGES", "register_pages"]

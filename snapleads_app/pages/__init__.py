"""Routes. Importing this package registers every page in `layout.PAGES`."""

from snapleads_app.pages import auth, coming_soon, dashboard, members  # noqa: F401
from snapleads_app.pages.layout import PAGES, register_pages

__all__ = ["PAGES", "register_pages"]

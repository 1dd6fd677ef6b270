"""The one place where Reflex state meets the domain: unit of work in a thread, auth, errors.

- `run_service(fn, **kwargs)`: runs a domain call inside a unit of work on a worker thread (DB and
  bcrypt never block the event loop) and returns its Public result.
- `session_token(cookie_header)`: the HttpOnly session token from the websocket's Cookie header.
- `error_message(exc, lang)`: a translated, actionable message for any domain/validation error.
- `guarded`: wraps an event handler so that Unauthenticated redirects to /login and any other domain
  error becomes a translated toast. `SessionState._ctx()` (state/session.py) resolves the ctx.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import math
from collections.abc import Callable, Coroutine
from http.cookies import CookieError, SimpleCookie
from typing import Any, Concatenate, ParamSpec, TypeVar, cast
from urllib.parse import quote

import reflex as rx
from pydantic import ValidationError

from snapleads_app.core.db import unit_of_work
from snapleads_app.core.errors import DomainError, RateLimited, Unauthenticated
from snapleads_app.core.settings import get_settings
from snapleads_app.i18n import t, t_error

log = logging.getLogger(__name__)
T = TypeVar("T")
S = TypeVar("S")
P = ParamSpec("P")

LOGIN_ROUTE = "/login"


def _in_unit_of_work(fn: Callable[..., T], kwargs: dict[str, Any]) -> T:
    with unit_of_work() as session:
        return fn(session=session, **kwargs)


async def run_service(fn: Callable[..., T], /, **kwargs: Any) -> T:
    """Call a domain service `fn(session=..., **kwargs)` in a unit of work, off the event loop."""
    return await asyncio.to_thread(_in_unit_of_work, fn, kwargs)


async def run_blocking(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Any other blocking call (presence store, Redis) off the event loop."""
    return await asyncio.to_thread(fn, *args, **kwargs)


def session_token(cookie_header: str | None) -> str:
    """The value of the HttpOnly session cookie in a raw `Cookie:` header ('' when absent)."""
    if not cookie_header:
        return ""
    name = get_settings().session_cookie_name
    jar = SimpleCookie()
    try:
        jar.load(cookie_header)
    except CookieError:
        # One malformed cookie must not hide ours: fall back to a plain split.
        for part in cookie_header.split(";"):
            key, _, value = part.strip().partition("=")
            if key == name:
                return value.strip().strip('"')
        return ""
    morsel = jar.get(name)
    return morsel.value if morsel is not None else ""


def _validation_code(exc: ValidationError) -> str:
    for err in exc.errors():
        loc = [str(part) for part in err.get("loc", ())]
        if "email" in loc:
            return "invalid_email"
        if err.get("type") in {"missing", "string_too_short"}:
            return "required_fields"
    return "invalid_input"


def error_message(exc: Exception, lang: str) -> str:
    """A translated message for `exc` (domain error codes map to `error.<code>` keys)."""
    if isinstance(exc, ValidationError):
        return t_error(_validation_code(exc), lang)
    if isinstance(exc, RateLimited):
        return t_error(exc.code, lang, minutes=max(1, math.ceil(exc.retry_after / 60)))
    if isinstance(exc, DomainError):
        if exc.code == "weak_password":
            problems = [p for p in ",".join(exc.errors.values()).split(",") if p]
            listed = ", ".join(t_error(p, lang) for p in problems) or t("auth.password_hint", lang)
            return t_error("weak_password", lang, problems=listed)
        return t_error(exc.code, lang)
    log.exception("unexpected error in a UI handler", exc_info=exc)
    return t_error("generic", lang)


def login_redirect(next_path: str = "/") -> rx.event.EventSpec:
    target = LOGIN_ROUTE if next_path in ("", "/") else f"{LOGIN_ROUTE}?next={quote(next_path, safe='/')}"
    return rx.redirect(target)


def full_page_load(url: str) -> rx.event.EventSpec:
    """Navigate with a real page load (rx.redirect does client-side routing for same-host URLs)."""
    import json

    return rx.call_script(f"window.location.assign({json.dumps(url)})")


def api_url(path: str) -> str:
    """An absolute URL of a REST route as the browser reaches it (the Reflex backend)."""
    return rx.config.get_config().api_url.rstrip("/") + path


def guarded(
    handler: Callable[Concatenate[S, P], Coroutine[Any, Any, Any]],
) -> Callable[Concatenate[S, P], Coroutine[Any, Any, Any]]:
    """Event handler wrapper: Unauthenticated → /login; other domain errors → translated toast.

    Use under `@rx.event`. The handler must be `async def` and return (not yield) its events.
    """

    @functools.wraps(handler)
    async def wrapper(self: S, *args: P.args, **kwargs: P.kwargs) -> Any:
        try:
            return await handler(self, *args, **kwargs)
        except Unauthenticated:
            return login_redirect(cast(Any, self).router.url.path or "/")
        except (DomainError, ValidationError) as exc:
            return rx.toast.error(error_message(exc, getattr(self, "lang", "")), duration=6000)
        except Exception as exc:  # noqa: BLE001 - the user gets a message, the log gets the trace
            return rx.toast.error(error_message(exc, getattr(self, "lang", "")), duration=6000)

    return wrapper

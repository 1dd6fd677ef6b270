"""Reflex states called directly (no server): a root state with router data, handlers via `.fn`."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest

os.environ.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
os.environ.setdefault("REFLEX_CHECK_LATEST_VERSION", "false")


@pytest.fixture
def make_state() -> Callable[..., Any]:
    """make_state(cls, cookie=..., accept_language=..., query=...) → a substate inside a fresh root."""
    from reflex.istate.data import RouterData
    from reflex.state import State

    from snapleads_app.core.settings import get_settings

    def build(
        cls: type,
        *,
        token: str | None = None,
        accept_language: str = "",
        path: str = "/",
        query: str = "",
        client_token: str = "tab-1",  # noqa: S107
    ) -> Any:
        root = State(_reflex_internal_init=True)  # pyright: ignore[reportCallIssue]
        cookie = f"{get_settings().session_cookie_name}={token}" if token else ""
        router_data = {
            "token": client_token,
            "sid": "sid-1",
            "ip": "127.0.0.1",
            "headers": {
                "cookie": cookie,
                "accept-language": accept_language,
                "user-agent": "pytest",
                "origin": "http://localhost:3000",
            },
            "pathname": path,
            "asPath": path + (f"?{query}" if query else ""),
            "query": {},
        }
        root.router = RouterData.from_router_data(router_data)
        names = cls.get_full_name().split(".")[1:]
        return root.get_substate(names)

    return build


async def run(handler: Any, state: Any, *args: Any) -> list[Any]:
    """Run an event handler's function; collect what it returns or yields."""
    import inspect

    result = handler.fn(state, *args)
    if inspect.isasyncgen(result):
        return [item async for item in result]
    if inspect.iscoroutine(result):
        result = await result
    if result is None:
        return []
    return list(result) if isinstance(result, list | tuple) else [result]

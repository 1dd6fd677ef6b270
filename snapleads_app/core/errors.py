"""Domain errors. Each adapter maps them: problem+json in the API, a toast in the UI, retry in workers."""

from __future__ import annotations


class DomainError(Exception):
    """Base class; `code` is a stable machine-readable key (also the i18n key in the UI)."""

    status = 400
    code = "error"
    title = "Request failed"
    # Some failures must still persist what the service wrote (e.g. revoking a token family on reuse):
    # the unit of work commits before re-raising those.
    commit_before_raise = False

    def __init__(self, detail: str = "", *, code: str | None = None, errors: dict[str, str] | None = None):
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        if code:
            self.code = code
        self.errors = errors or {}


class InvalidInput(DomainError):
    status = 422
    code = "invalid_input"
    title = "Invalid input"


class Unauthenticated(DomainError):
    status = 401
    code = "unauthenticated"
    title = "Authentication required"


class PermissionDenied(DomainError):
    status = 403
    code = "permission_denied"
    title = "Permission denied"


class NotFound(DomainError):
    status = 404
    code = "not_found"
    title = "Not found"


class Conflict(DomainError):
    status = 409
    code = "conflict"
    title = "Conflict"


class RateLimited(DomainError):
    status = 429
    code = "rate_limited"
    title = "Too many requests"

    def __init__(self, detail: str = "", *, retry_after: int, code: str | None = None):
        super().__init__(detail, code=code)
        self.retry_after = max(1, int(retry_after))

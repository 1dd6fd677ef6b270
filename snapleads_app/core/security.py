"""Password hashing, JWTs and opaque tokens. Blocking (bcrypt): adapters call services off the loop."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

import bcrypt
import jwt

from snapleads_app.core import clock
from snapleads_app.core.errors import Unauthenticated
from snapleads_app.core.settings import get_settings

# bcrypt only reads the first 72 bytes; longer passwords are pre-hashed so no byte is ignored.
_BCRYPT_MAX = 72


def _password_bytes(password: str) -> bytes:
    raw = password.encode()
    if len(raw) > _BCRYPT_MAX:
        raw = hashlib.sha256(raw).hexdigest().encode()
    return raw


def hash_password(password: str) -> str:
    rounds = get_settings().bcrypt_rounds
    return bcrypt.hashpw(_password_bytes(password), bcrypt.gensalt(rounds)).decode()


def verify_password(password: str, password_hash: str | None) -> bool:
    if not password_hash:
        # Spend the same time as a real check so unknown accounts are not revealed by timing.
        bcrypt.checkpw(b"timing-equaliser", _DUMMY_HASH)
        return False
    try:
        return bcrypt.checkpw(_password_bytes(password), password_hash.encode())
    except ValueError:
        return False


_DUMMY_HASH = bcrypt.hashpw(b"timing-equaliser", bcrypt.gensalt(12))


def new_token(nbytes: int = 32) -> str:
    """An unguessable URL-safe token (refresh tokens, invitations, web sessions)."""
    return secrets.token_urlsafe(nbytes)


def token_hash(token: str) -> str:
    """Tokens are stored only as SHA-256 hashes: a database leak reveals no usable token."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_access_token(*, user_id: int, workspace_id: int, session_id: int, role: str) -> tuple[str, int]:
    settings = get_settings()
    issued = clock.now()
    expires_in = settings.access_token_minutes * 60
    claims = {
        "sub": str(user_id),
        "wid": workspace_id,
        "sid": session_id,
        "role": role,
        "iat": int(issued.timestamp()),
        "exp": int((issued + timedelta(seconds=expires_in)).timestamp()),
        "typ": "access",
    }
    return jwt.encode(claims, settings.jwt_secret, algorithm=settings.jwt_algorithm), expires_in


def decode_access_token(token: str) -> dict[str, Any]:
    settings = get_settings()
    try:
        claims = jwt.decode(
            token,
            settings.jwt_secret,
            algorithms=[settings.jwt_algorithm],
            options={"require": ["exp", "sub", "wid", "sid"], "verify_exp": False},
        )
    except jwt.PyJWTError as exc:
        raise Unauthenticated("Invalid token", code="invalid_token") from exc
    # Expiry is checked against our clock so tests can move time.
    if claims.get("typ") != "access":
        raise Unauthenticated("Invalid token", code="invalid_token")
    if int(claims["exp"]) <= int(clock.now().timestamp()):
        raise Unauthenticated("Token expired", code="token_expired")
    return claims

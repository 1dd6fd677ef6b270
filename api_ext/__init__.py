"""REST adapter: FastAPI routes that translate HTTP to domain service calls."""

from api_ext.app import build_api

__all__ = ["build_api"]

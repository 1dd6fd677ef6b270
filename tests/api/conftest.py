from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api_ext import build_api


@pytest.fixture
def api() -> FastAPI:
    return build_api()


@pytest.fixture
def client(api: FastAPI) -> Iterator[TestClient]:
    with TestClient(api, raise_server_exceptions=False, base_url="http://localhost:3000") as test_client:
        yield test_client

"""Shared test configuration: real databases, one fresh database per test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from tests import pgadmin as _admin

# The provider kit's own tests run deliberately broken providers through it (tests/core/testing).
pytest_plugins = ["pytester"]

POSTGRES_URL = os.environ.get("HOOKGATE_TEST_POSTGRES_URL")
TEST_SECRET_KEY = Fernet.generate_key().decode()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'hookgate.db'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A new, empty PostgreSQL database, dropped after the test."""
    if not POSTGRES_URL:
        pytest.skip("set HOOKGATE_TEST_POSTGRES_URL to run PostgreSQL tests")
    name = f"hookgate_test_{uuid.uuid4().hex[:12]}"
    _admin.execute(POSTGRES_URL, f'CREATE DATABASE "{name}"')
    try:
        yield _admin.with_database(POSTGRES_URL, name)
    finally:
        _admin.execute(POSTGRES_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """Each test using this runs on SQLite and on PostgreSQL."""
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(fixture))

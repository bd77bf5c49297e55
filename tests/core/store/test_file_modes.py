"""The embedded store's files are readable by their owner only: the database holds every
payload, the key file decrypts every secret."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest
from hookgate import Runtime
from hookgate.crypto import load_secret_box

from tests.support import custom_source, settings_for

pytestmark = pytest.mark.anyio


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_database_wal_and_key_files_are_created_0600(tmp_path: Path) -> None:
    database = tmp_path / "data" / "hookgate.db"
    settings = settings_for(f"sqlite:///{database}", secret_key=None, providers="custom")
    async with Runtime(settings) as runtime:
        await custom_source(runtime)  # writes: the WAL and its index exist now
        files = [database, *database.parent.glob("hookgate.db-*"), tmp_path / "data/hookgate.key"]
        assert {p.name for p in files} >= {"hookgate.db", "hookgate.db-wal", "hookgate.db-shm"}
        assert {p.name: mode(p) for p in files} == {p.name: 0o600 for p in files}


def test_a_key_file_others_can_read_is_warned_about(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    key_file = tmp_path / "hookgate.key"
    load_secret_box(None, key_file)  # made 0600: nothing to say
    assert not caplog.records
    key_file.chmod(0o644)
    with caplog.at_level(logging.WARNING, logger="hookgate"):
        load_secret_box(None, key_file)
    (record,) = caplog.records
    assert "can be read by other users (mode 644)" in record.getMessage()
    assert f"chmod 600 {key_file}" in record.getMessage()

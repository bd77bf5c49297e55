"""Secrets at rest: encrypted in the database, key rotation, a clear error without a key."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from hookgate import ConfigurationError, Runtime
from hookgate.crypto import SecretBox, load_secret_box
from hookgate.services.common import default_actor
from hookgate.services.sources import create_source, get_source
from sqlalchemy import text

from tests.support import settings_for

pytestmark = pytest.mark.anyio


def test_key_rotation_decrypts_with_old_keys_and_encrypts_with_the_newest() -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    token = SecretBox([old]).encrypt("s3cret")
    rotated = load_secret_box(f"{new}, {old}", None)
    assert rotated.decrypt(token) == "s3cret"
    fresh = rotated.encrypt("s3cret")
    assert SecretBox([new]).decrypt(fresh) == "s3cret"  # the newest key encrypts
    with pytest.raises(ConfigurationError, match="keep the old key in the list"):
        SecretBox([new]).decrypt(token)
    with pytest.raises(ConfigurationError, match="must be Fernet keys"):
        SecretBox(["not-a-key"])


async def test_a_server_database_without_a_key_refuses_to_start(sqlite_url: str) -> None:
    settings = settings_for("postgresql://postgres@127.0.0.1/none", secret_key=None)
    with pytest.raises(ConfigurationError, match="HOOKGATE_SECRET_KEY is required") as caught:
        await Runtime(settings).start()
    assert "hookgate keygen" in str(caught.value)  # says how to make one


async def test_the_embedded_default_keeps_a_private_key_file(tmp_path: Path) -> None:
    settings = settings_for(f"sqlite:///{tmp_path / 'hookgate.db'}", secret_key=None)
    async with Runtime(settings) as rt:
        view = await create_source(
            rt,
            await default_actor(rt),
            provider="custom",
            name="s",
            config={"signature_header": "X-Sig", "algorithm": "sha256"},
        )
    key_file = tmp_path / "hookgate.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    async with Runtime(settings) as rt:  # a restart reads the same key back
        shown = await get_source(rt, await default_actor(rt), view.id)
    assert shown.secret_hint == "…" + str(view.secret)[-4:]


async def test_signing_and_url_secrets_are_stored_encrypted(database_url: str) -> None:
    async with Runtime(settings_for(database_url)) as rt:
        view = await create_source(
            rt,
            await default_actor(rt),
            provider="custom",
            name="s",
            secret="plain-signing-secret-123",
            config={"signature_header": "X-Sig", "algorithm": "sha256"},
        )
        assert view.url is not None
        url_secret = view.url.rsplit("/", 1)[-1]
        async with rt.db.engine.connect() as conn:
            rows = (await conn.execute(text("SELECT * FROM sources"))).all()
    dump = repr(rows)
    assert "plain-signing-secret-123" not in dump
    assert url_secret not in dump

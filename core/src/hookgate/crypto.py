"""Secrets at rest: signing secrets and OAuth tokens are stored encrypted.

Keys come from ``HOOKGATE_SECRET_KEY``: one or more Fernet keys separated by
commas, newest first. New values are encrypted with the newest key; any listed
key decrypts, so a key can be rotated by prepending a new one and
re-encrypting at leisure.

Without ``HOOKGATE_SECRET_KEY`` the embedded default (a SQLite database) keeps
a generated key in ``hookgate.key`` next to the database file, readable by its
owner only. A server database (PostgreSQL) refuses to start without a key:
a key generated on one machine would make the secrets unreadable on the next.
"""

from __future__ import annotations

import logging
import os
import secrets
import stat
import time
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from hookgate.errors import ConfigurationError

log = logging.getLogger("hookgate")


class SecretBox:
    """Encrypts and decrypts short secrets with one or more Fernet keys."""

    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise ConfigurationError("no encryption key: set HOOKGATE_SECRET_KEY")
        try:
            self._fernet = MultiFernet([Fernet(k.strip().encode()) for k in keys])
        except ValueError as exc:
            raise ConfigurationError(
                "HOOKGATE_SECRET_KEY must be Fernet keys (32 url-safe base64-encoded bytes), "
                "comma-separated; make one with `hookgate keygen`"
            ) from exc

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            raise ConfigurationError(
                "a stored secret cannot be decrypted with HOOKGATE_SECRET_KEY: "
                "keep the old key in the list (comma-separated, after the new one)"
            ) from None


def load_secret_box(secret_key: str | None, key_file: Path | None) -> SecretBox:
    """The box for ``HOOKGATE_SECRET_KEY``, or the embedded dev key in ``key_file``."""
    if secret_key:
        return SecretBox([k for k in secret_key.split(",") if k.strip()])
    if key_file is None:
        raise ConfigurationError(
            "HOOKGATE_SECRET_KEY is required with a server database: make one with "
            "`hookgate keygen` and keep it safe"
        )
    key_file.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass  # made earlier, or by a concurrent process: use it
    else:
        with os.fdopen(fd, "w") as handle:
            handle.write(Fernet.generate_key().decode())
    _warn_if_shared(key_file)
    for _ in range(50):  # a concurrent creator may not have written the key yet
        key = key_file.read_text().strip()
        if key:
            return SecretBox([key])
        time.sleep(0.01)
    raise ConfigurationError(f"{key_file} is empty: delete it or set HOOKGATE_SECRET_KEY")


def _warn_if_shared(key_file: Path) -> None:
    mode = key_file.stat().st_mode
    if mode & 0o077:
        log.warning(
            "%s can be read by other users (mode %o): it decrypts every stored secret; "
            "restrict it with: chmod 600 %s",
            key_file,
            stat.S_IMODE(mode),
            key_file,
        )


def random_token(nbytes: int = 32) -> str:
    """A URL-safe random string with ``nbytes`` bytes of randomness."""
    return secrets.token_urlsafe(nbytes)


__all__ = ["SecretBox", "load_secret_box", "random_token"]

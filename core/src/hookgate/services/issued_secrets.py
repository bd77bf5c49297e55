"""Signing secrets a provider issues: stored as the source's own, previous ones in grace.

Some providers generate each webhook's signing secret themselves (it cannot be
set, only read back). The registration hooks return it as
``RemoteHook.issued_secret``; this module makes it the source's current secret,
encrypted like any other, and keeps the one it replaces verifying for a grace
period, since deliveries in flight still carry the old signature.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from hookgate.source_cache import StoredSecret, decode_secrets, encode_secrets

if TYPE_CHECKING:
    from hookgate.crypto import SecretBox
    from hookgate.store.models import Source
    from hookgate.types import RemoteHook

#: How long a replaced secret keeps verifying when a provider issued a new one on its
#: own (an adopted hook, a secret reset outside hookgate); rotations choose their own.
ISSUED_GRACE = timedelta(hours=24)


def rotated(
    stored: Sequence[StoredSecret], new: str, *, grace: timedelta, now: datetime
) -> list[StoredSecret]:
    """``new`` as current; the old current kept for ``grace``, older ones still in theirs.

    ``grace`` 0 (a leaked secret) stops every previous secret at once.
    """
    current, *older = stored
    kept: list[StoredSecret] = []
    if grace > timedelta(0) and not hmac.compare_digest(current.secret.encode(), new.encode()):
        kept.append(StoredSecret(current.secret, now + grace))
        kept += [s for s in older if s.expires_at is not None and s.expires_at > now]
    return [StoredSecret(new), *kept]


def issued_by(hooks: Sequence[RemoteHook]) -> str | None:
    """The secret the provider issued for the source's hooks, if it issues them."""
    for hook in hooks:
        if hook.issued_secret is not None and hook.issued_secret.get_secret_value():
            return hook.issued_secret.get_secret_value()
    return None


def adopt_issued(
    row: Source, box: SecretBox, secret: str, *, grace: timedelta, now: datetime
) -> bool:
    """Make ``secret`` the source's current one; ``False`` when it already is."""
    stored = decode_secrets(box.decrypt(row.secrets_enc))
    if stored and hmac.compare_digest(stored[0].secret.encode(), secret.encode()):
        return False
    row.secrets_enc = box.encrypt(encode_secrets(rotated(stored, secret, grace=grace, now=now)))
    return True


__all__ = ["ISSUED_GRACE", "adopt_issued", "issued_by", "rotated"]

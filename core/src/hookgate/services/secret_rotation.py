"""Rotating a secret the provider issues: reset it there, read the new one, keep the old.

For providers that implement ``rotate_webhook_secret`` (their webhooks' signing
secrets cannot be set, only read back). The previous secret keeps verifying
for the grace period, since deliveries in flight still carry its signature.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from hookgate.errors import ProviderAPIError
from hookgate.oauth.manager import oauth_for
from hookgate.services.common import Invalid, NotFound
from hookgate.services.connections import NeedsAuthorization, translate
from hookgate.services.issued_secrets import adopt_issued, issued_by
from hookgate.services.registration import connection_problem, hook_of, source_and_hooks
from hookgate.store.models import Source, utcnow
from hookgate.types import RemoteHook

if TYPE_CHECKING:
    from hookgate.runtime import Runtime


def provider_issues(runtime: Runtime, provider: str) -> bool:
    """Whether the provider issues its webhooks' signing secrets (rotation resets them there)."""
    return runtime.plugins.provider(provider).implements("rotate_webhook_secret")


async def rotate_issued(runtime: Runtime, source_id: str, *, grace: timedelta) -> str:
    """Have the provider issue new secrets for the source's hooks; store them (rotation).

    The previous secret keeps verifying for ``grace``. Returns the new current secret.
    """
    source, rows = await source_and_hooks(runtime, source_id)
    assert source.connection_id is not None
    if problem := await connection_problem(runtime, source.connection_id):
        raise NeedsAuthorization(problem)
    if not rows:
        raise Invalid(f"source {source_id} has no registered webhook yet: reconcile it first")
    hooks = runtime.plugins.provider(source.provider)
    context = runtime.sources.record(source).context()
    issued: list[RemoteHook] = []
    async with oauth_for(runtime).client(source.connection_id) as client:
        for hook in [hook_of(r) for r in rows]:
            try:
                issued.append(await hooks.rotate_webhook_secret(context, hook, client))
            except ProviderAPIError as exc:
                raise translate(
                    exc, f"cannot reset the signing secret of {hook.remote_id}"
                ) from exc
    secret = issued_by(issued)
    assert secret is not None  # ProviderHooks refuses a rotation without one
    async with runtime.db.session() as session, session.begin():
        row = await session.get(Source, source_id)
        if row is None:
            raise NotFound(f"no source {source_id!r}")
        adopt_issued(row, runtime.secret_box, secret, grace=grace, now=utcnow())
    runtime.sources.invalidate(source_id)
    return secret


__all__ = ["provider_issues", "rotate_issued"]

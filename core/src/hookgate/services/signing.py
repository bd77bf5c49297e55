"""Sign a payload the way a source's sender would: to try a source with ``curl``.

The provider's ``sign_payload`` hook makes the headers with the source's
current secret, so this is an admin action (the headers prove knowledge of
the secret) and it is audited.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from hookgate.errors import ProviderContractError, UnknownProviderError
from hookgate.payloads import parse_payload
from hookgate.services.common import Actor, Invalid, NotFound, audit
from hookgate.store.models import utcnow

if TYPE_CHECKING:
    from hookgate.runtime import Runtime

CONTENT_TYPE = "application/json"


@dataclass(frozen=True)
class SignedDelivery:
    """Where to send a payload and the headers to send it with (content type included)."""

    url: str
    headers: dict[str, str]
    signed_at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {"url": self.url, "headers": self.headers, "signed_at": self.signed_at.isoformat()}


def absolute_url(runtime: Runtime, url: str) -> str:
    """``url`` as a sender can use it: on this server's address when no public URL is set."""
    if not url.startswith("/"):
        return url
    host = runtime.settings.host
    if host in ("0.0.0.0", "::", ""):  # noqa: S104 - listening on all interfaces, not binding
        host = "127.0.0.1"
    return f"http://{host}:{runtime.settings.port}{url}"


async def sign_delivery(
    runtime: Runtime, actor: Actor, source_id: str, body: bytes, *, at: datetime | None = None
) -> SignedDelivery:
    """The URL and headers that deliver ``body`` (JSON) to a source, signed at ``at``."""
    actor.require_admin("sign payloads (the signature is made with the source's secret)")
    try:
        parse_payload(body, CONTENT_TYPE)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Invalid(f"the payload is not JSON ({exc}): hookgate would refuse it") from exc
    record = await runtime.sources.load(source_id)
    if record is None or record.workspace_id != actor.workspace_id:
        raise NotFound(f"no source {source_id!r} in this workspace")
    moment = at or utcnow()
    try:
        hooks = runtime.plugins.provider(record.provider)
        headers = hooks.sign_payload(record.context(moment), body, moment)
    except UnknownProviderError as exc:
        raise Invalid(f"cannot sign for source {source_id}: {exc}") from exc
    except (ValueError, ProviderContractError) as exc:
        raise Invalid(f"provider {record.provider} could not sign: {exc}") from exc
    async with runtime.db.session() as session, session.begin():
        audit(session, actor, "source.payload_signed", source_id, size=len(body))
    return SignedDelivery(
        absolute_url(runtime, record.url), {"Content-Type": CONTENT_TYPE, **headers}, moment
    )


def curl_command(delivery: SignedDelivery, data: str) -> str:
    """A shell command line that sends the delivery; ``data`` is curl's ``--data-binary``."""
    parts = ["curl", delivery.url]
    for name, value in delivery.headers.items():
        parts += ["-H", f"{name}: {value}"]
    parts += ["--data-binary", data]
    return " ".join(shlex.quote(part) for part in parts)


__all__ = ["SignedDelivery", "absolute_url", "curl_command", "sign_delivery"]

"""The reconcile loop: make a provider's webhooks match what a source wants.

For each target of the source: list the target's hooks; adopt one that
already delivers to the source's URL (and delete duplicates of it), or create
one; update it when it drifted (events, inactive) or when asked to push the
whole desired state (``force``: after a secret rotation, an events change, or
``hookgate sources reconcile``); refresh it when it expires within the margin.
Hooks on targets the source no longer wants are deleted. Every provider call
goes through the connection's client (timeouts, retries on 429/5xx) and, on
top, is retried when the provider's error says how long to wait
(``ProviderAPIError.retry_after``, e.g. a rate limit answered with 403).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TypeVar

import httpx
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from hookgate.errors import ProviderAPIError
from hookgate.provider_hooks import ProviderHooks
from hookgate.registration.plan import drift, expiring, key, ours, pick
from hookgate.store.models import utcnow
from hookgate.types import RemoteHook, SourceContext, Target

log = logging.getLogger("hookgate.registration")
T = TypeVar("T")
#: A delete answered with these means the hook is gone already: nothing to undo.
GONE = frozenset({404, 410})


@dataclass
class Outcome:
    """What one reconcile found and did."""

    #: The hook serving each target now (created, adopted or kept).
    hooks: list[RemoteHook] = field(default_factory=list)
    #: Hooks this run created (a failed source creation deletes them again).
    created: list[RemoteHook] = field(default_factory=list)
    #: (target, error) per target that could not be brought in line.
    errors: list[tuple[Target, ProviderAPIError]] = field(default_factory=list)
    #: Unwanted hooks that could not be deleted: still recorded, retried next time.
    leftover: list[RemoteHook] = field(default_factory=list)
    #: Remote ids of the hooks whose expiry this run extended.
    refreshed: set[str] = field(default_factory=set)


def _wait_asked(max_wait: float) -> Callable[[BaseException], bool]:
    def asked(exc: BaseException) -> bool:
        return (
            isinstance(exc, ProviderAPIError)
            and exc.retry_after is not None
            and exc.retry_after <= max_wait
        )

    return asked


def _waited(state: RetryCallState) -> float:
    exc = state.outcome.exception() if state.outcome else None
    return (exc.retry_after or 0.0) if isinstance(exc, ProviderAPIError) else 0.0


class Reconciler:
    """One reconcile of one source through one provider client."""

    def __init__(
        self,
        hooks: ProviderHooks,
        client: httpx.AsyncClient,
        source: SourceContext,
        *,
        known: set[str],
        margin: timedelta,
        attempts: int = 3,
        max_wait: float = 60.0,
    ) -> None:
        self.hooks = hooks
        self.client = client
        self.source = source
        self.known = known
        self.margin = margin
        self.attempts = attempts
        self.max_wait = max_wait

    async def call(self, step: Callable[[], Awaitable[T]]) -> T:
        """Run one provider call, retrying when the provider says how long to wait."""
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.attempts),
            wait=_waited,
            retry=retry_if_exception(_wait_asked(self.max_wait)),
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                return await step()
        raise AssertionError("unreachable")  # pragma: no cover

    async def run(
        self, targets: list[Target], unwanted: list[RemoteHook], *, force: bool, stop_on_error: bool
    ) -> Outcome:
        outcome = Outcome()
        for target in targets:
            try:
                outcome.hooks.append(await self._target(target, force, outcome))
            except ProviderAPIError as exc:
                outcome.errors.append((target, exc))
                if stop_on_error:
                    return outcome
        wanted = {key(t) for t in targets}
        outcome.leftover = await self.remove([h for h in unwanted if key(h.target) not in wanted])
        return outcome

    async def _target(self, target: Target, force: bool, outcome: Outcome) -> RemoteHook:
        source, client = self.source, self.client
        found = ours(
            await self.call(lambda: self.hooks.list_webhooks(source, target, client)), source
        )
        if not found:
            hook = await self.call(lambda: self.hooks.create_webhook(source, target, client))
            outcome.created.append(hook)
            log.info(
                "created webhook %s on %s for source %s", hook.remote_id, target.name, source.id
            )
            return hook
        hook, duplicates = pick(found, self.known)
        if hook.remote_id not in self.known:
            log.info(
                "adopted webhook %s on %s for source %s", hook.remote_id, target.name, source.id
            )
        await self.remove(duplicates)
        if force or drift(hook, source):
            hook = await self.call(lambda: self.hooks.update_webhook(source, hook, client))
        if expiring(hook, utcnow(), self.margin):
            hook = await self._refresh(hook)
            outcome.refreshed.add(hook.remote_id)
        return hook

    async def _refresh(self, hook: RemoteHook) -> RemoteHook:
        source, client = self.source, self.client
        if self.hooks.implements("refresh_webhook"):
            return await self.call(lambda: self.hooks.refresh_webhook(source, hook, client))
        return await self.call(lambda: self.hooks.update_webhook(source, hook, client))

    async def remove(self, hooks: list[RemoteHook]) -> list[RemoteHook]:
        """Delete ``hooks``; a hook already gone is fine. Returns those that could not go."""
        failed = []
        for hook in hooks:
            try:
                await self.delete(hook)
            except ProviderAPIError as exc:
                log.warning(
                    "could not delete webhook %s on %s: %s", hook.remote_id, hook.target.name, exc
                )
                failed.append(hook)
        return failed

    async def delete(self, hook: RemoteHook) -> None:
        source, client = self.source, self.client
        try:
            await self.call(lambda: self.hooks.delete_webhook(source, hook, client))
        except ProviderAPIError as exc:
            if exc.status not in GONE:
                raise
        log.info("deleted webhook %s on %s", hook.remote_id, hook.target.name)


__all__ = ["GONE", "Outcome", "Reconciler"]

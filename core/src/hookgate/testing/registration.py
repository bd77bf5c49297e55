"""Registration contract tests: a provider's webhook hooks against its own fake API.

For providers with ``needs_oauth`` (hookgate registers their webhooks).
Subclass :class:`RegistrationContract` instead of ``ProviderContract`` and
say how to drive your fake API through a :class:`RegistrationFake`::

    class TestAcmeContract(RegistrationContract):
        provider = "acme"

        def registration_fake(self) -> RegistrationFake:
            return FakeAPIRegistration(FakeAcmeAPI())

The tests run core's own reconcile loop (:class:`hookgate.registration.
reconcile.Reconciler`) against the fake, so they fail exactly where core
would misbehave with the provider: a duplicate instead of an adoption, drift
left in place, an error that is not a :class:`~hookgate.ProviderAPIError`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import timedelta
from typing import Any, ClassVar, Protocol, TypeVar

import httpx
import pytest

from hookgate.errors import ProviderAPIError
from hookgate.provider_hooks import ProviderHooks
from hookgate.registration.reconcile import GONE, Outcome, Reconciler
from hookgate.testing.contract import ProviderContract, expect, how_to_fix
from hookgate.testing.fake_api import FakeProviderAPI
from hookgate.testing.provider_owned import ProviderOwnedTests
from hookgate.types import RemoteHook, SourceContext, Target

T = TypeVar("T")


class RegistrationFake(Protocol):
    """What the kit needs from a provider's fake API. Read state straight from the fake."""

    @property
    def targets(self) -> Sequence[Target]:
        """At least two targets the fake account may register webhooks on."""

    def client(self) -> httpx.AsyncClient:
        """A client that reaches the fake as core's client would (token already sent)."""

    def add_hook(
        self, target: Target, url: str, events: Sequence[str], *, active: bool = True
    ) -> str:
        """Create a hook behind hookgate's back (made by hand earlier); return its id."""

    def hooks_on(self, target: Target) -> list[RemoteHook]:
        """Every hook the fake holds on ``target``, as it stores them."""

    def delete_behind_back(self, remote_id: str) -> None:
        """Remove a hook without hookgate knowing (an admin deleted it)."""

    def refuse_create_on(self, target: Target) -> None:
        """Make creating a hook on ``target`` fail for good (no admin rights there)."""

    def fail_next(self, status: int, *, retry_after: int) -> None:
        """Answer the next API request with ``status`` and ``Retry-After: retry_after``."""


class FakeAPIRegistration:
    """:class:`RegistrationFake` over :class:`~hookgate.testing.FakeProviderAPI`."""

    def __init__(self, api: FakeProviderAPI) -> None:
        self.api = api

    @property
    def targets(self) -> list[Target]:
        return [Target.model_validate(t) for t in self.api.targets]

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.api.app),
            base_url=self.api.base_url,
            headers={"Authorization": f"Bearer {self.api.issue_token()}"},
        )

    def add_hook(
        self, target: Target, url: str, events: Sequence[str], *, active: bool = True
    ) -> str:
        hook = self.api.add_hook(target.model_dump(mode="json"), url, list(events))
        hook.active = active
        return hook.id

    def hooks_on(self, target: Target) -> list[RemoteHook]:
        return [
            RemoteHook(
                remote_id=h.id,
                target=Target.model_validate(h.target),
                url=h.url,
                events=tuple(h.events),
                active=h.active,
                expires_at=h.expires_at,
            )
            for h in self.api.hooks_on(target.name)
        ]

    def delete_behind_back(self, remote_id: str) -> None:
        self.api.delete_hook_behind_back(remote_id)

    def refuse_create_on(self, target: Target) -> None:
        self.api.fail_create_on(target.name)

    def fail_next(self, status: int, *, retry_after: int) -> None:
        self.api.fail_next(status, retry_after=str(retry_after))


def _run(step: Callable[[], Awaitable[T]]) -> T:
    return asyncio.run(_guarded(step))


async def _guarded(step: Callable[[], Awaitable[T]]) -> T:
    try:
        return await step()
    except ProviderAPIError:
        raise
    except Exception as exc:
        pytest.fail(
            f"a registration hook raised {type(exc).__name__}: {exc}"
            + how_to_fix(
                "catch the API's failures (httpx errors, unexpected bodies) and raise "
                "hookgate.ProviderAPIError(message for an admin, status=..., retryable=...)"
            )
        )


class RegistrationContract(ProviderContract, ProviderOwnedTests):
    """The ingest contract plus the registration hooks, against the provider's fake API."""

    #: Events the test source subscribes to (default: the first two event types).
    registration_events: ClassVar[tuple[str, ...]] = ()
    #: The API has no update call: ``update_webhook`` creates the new hook first, then
    #: deletes the old one (its id changes), so a source is never without a hook.
    replaces_on_update: ClassVar[bool] = False

    def registration_fake(self) -> RegistrationFake:
        """Return a fresh fake of the provider's API (one per test)."""
        pytest.fail(
            f"{type(self).__name__} does not say how to reach the provider's fake API"
            + how_to_fix("override registration_fake() to return a RegistrationFake")
        )

    @pytest.fixture
    def fake(self) -> RegistrationFake:
        return self.registration_fake()

    @pytest.fixture
    def reg_source(self, source: SourceContext, hooks: ProviderHooks) -> SourceContext:
        events = self.registration_events or tuple(s.event_type for s in hooks.event_schemas()[:2])
        return replace(source, events=events)

    def _reconcile(
        self,
        hooks: ProviderHooks,
        fake: RegistrationFake,
        source: SourceContext,
        targets: Sequence[Target],
        known: set[str] | None = None,
    ) -> Outcome:
        async def run() -> Outcome:
            async with fake.client() as client:
                reconciler = Reconciler(
                    hooks, client, source, known=known or set(), margin=timedelta(0), max_wait=0
                )
                return await reconciler.run(list(targets), [], force=False, stop_on_error=False)

        return _run(run)

    def _targets(self, fake: RegistrationFake) -> list[Target]:
        targets = list(fake.targets)
        expect(len(targets) >= 2, "the fake offers fewer than two targets", "add a second one")
        return targets[:2]

    @staticmethod
    def _ours(fake: RegistrationFake, target: Target, source: SourceContext) -> list[RemoteHook]:
        return [h for h in fake.hooks_on(target) if h.url.rstrip("/") == source.url.rstrip("/")]

    def _one(
        self, fake: RegistrationFake, target: Target, source: SourceContext, fix: str
    ) -> RemoteHook:
        ours = self._ours(fake, target, source)
        if len(ours) != 1:
            pytest.fail(
                f"{len(ours)} hooks deliver to the source on {target.name}, not one"
                + how_to_fix(fix),
                pytrace=False,
            )
        return ours[0]

    # -- tests ------------------------------------------------------------------------

    def test_registration_creates_one_hook_per_target(
        self, hooks: ProviderHooks, fake: RegistrationFake, reg_source: SourceContext
    ) -> None:
        """A new source gets one hook per target, with its URL and events; a rerun adds none."""
        targets = self._targets(fake)
        outcome = self._reconcile(hooks, fake, reg_source, targets)
        expect(
            not outcome.errors,
            f"registration failed: {outcome.errors}",
            "create_webhook must succeed against the fake for a target it lists",
        )
        for target in targets:
            hook = self._one(fake, target, reg_source, "create_webhook must send source.url")
            expect(
                set(hook.events) == set(reg_source.events),
                f"the hook on {target.name} has events {hook.events}",
                "send source.events",
            )
        known = {h.remote_id for h in outcome.hooks}
        again = self._reconcile(hooks, fake, reg_source, targets, known)
        for target in targets:
            count = len(self._ours(fake, target, reg_source))
            expect(
                count == 1,
                f"a second reconcile left {count} hooks on {target.name}",
                "list_webhooks must return every hook on the target with its URL exactly as "
                "create_webhook set it, or core cannot see the hook and creates another",
            )
        expect(not again.created, "a second reconcile created hooks again", "see above")

    def test_registration_adopts_an_existing_hook(
        self, hooks: ProviderHooks, fake: RegistrationFake, reg_source: SourceContext
    ) -> None:
        """A hook already delivering to the source's URL is adopted, not duplicated."""
        target = self._targets(fake)[0]
        existing = fake.add_hook(target, reg_source.url, reg_source.events)
        outcome = self._reconcile(hooks, fake, reg_source, [target])
        ours = self._ours(fake, target, reg_source)
        expect(
            len(ours) == 1,
            f"{len(ours)} hooks deliver to the source on {target.name} after adopting one",
            "list_webhooks must return the existing hook with remote_id and url as the API "
            "stores them (the URL compared with source.url), so core adopts it instead of "
            "calling create_webhook",
        )
        expect(
            [h.remote_id for h in outcome.hooks] == [existing],
            f"core kept hook {[h.remote_id for h in outcome.hooks]}, not the existing {existing}",
            "return the API's own hook id as RemoteHook.remote_id",
        )

    def test_registration_repairs_drift(
        self, hooks: ProviderHooks, fake: RegistrationFake, reg_source: SourceContext
    ) -> None:
        """An adopted hook with other events, or switched off, is updated in place."""
        target = self._targets(fake)[0]
        existing = fake.add_hook(target, reg_source.url, reg_source.events[:1], active=False)
        self._reconcile(hooks, fake, reg_source, [target])
        hook = self._one(fake, target, reg_source, "update the hook, never create another")
        replaced = hook.remote_id != existing
        expect(
            replaced if self.replaces_on_update else not replaced,
            f"the drifted hook {existing} "
            + ("is still there" if not replaced else "was replaced"),
            "list_webhooks must report the hook's real events and active flag, and "
            "update_webhook must change that hook (or, with replaces_on_update, create its "
            "replacement and then delete it), never leave two",
        )
        expect(
            set(hook.events) == set(reg_source.events) and hook.active,
            f"after update_webhook the hook has events {hook.events}, active={hook.active}",
            "update_webhook must send source.events and switch the hook on",
        )

    def test_deleting_a_hook_that_is_already_gone_is_fine(
        self, hooks: ProviderHooks, fake: RegistrationFake, reg_source: SourceContext
    ) -> None:
        """``delete_webhook`` on a hook someone removed already does not fail."""
        target = self._targets(fake)[0]

        async def scenario() -> None:
            async with fake.client() as client:
                hook = await hooks.create_webhook(reg_source, target, client)
                fake.delete_behind_back(hook.remote_id)
                try:
                    await hooks.delete_webhook(reg_source, hook, client)
                except ProviderAPIError as exc:
                    expect(
                        exc.status in GONE,
                        f"deleting a gone hook raised {exc!r}",
                        "treat the API's 404/410 on delete as success (or raise "
                        "ProviderAPIError with status=404)",
                    )

        _run(scenario)

    def test_a_refused_target_fails_alone_and_rolls_back(
        self, hooks: ProviderHooks, fake: RegistrationFake, reg_source: SourceContext
    ) -> None:
        """One target refusing the hook reports a readable error; the rest can be undone."""
        good, refused = self._targets(fake)
        fake.refuse_create_on(refused)
        outcome = self._reconcile(hooks, fake, reg_source, [good, refused])
        failed = {t.name: e for t, e in outcome.errors}
        expect(
            refused.name in failed,
            "creating a hook on a refusing target succeeded",
            "check the API's answer in create_webhook and raise ProviderAPIError on failure",
        )
        error = failed[refused.name]
        expect(
            str(error).strip() and not error.retryable,
            f"the refusal was {error!r}",
            "raise ProviderAPIError with a message for an admin (what was refused and why), "
            "retryable=False for a 4xx refusal",
        )
        expect(
            len(self._ours(fake, good, reg_source)) == 1,
            f"the target {good.name} that accepts hooks got none",
            "a refusal on one target must not stop create_webhook on the others",
        )

        async def roll_back() -> list[RemoteHook]:
            async with fake.client() as client:
                reconciler = Reconciler(hooks, client, reg_source, known=set(), margin=timedelta(0))
                return await reconciler.remove(outcome.created)

        left = _run(roll_back)
        expect(
            not left and not self._ours(fake, good, reg_source),
            "deleting what the failed registration created left hooks behind",
            "delete_webhook must remove the hook create_webhook returned",
        )

    def test_rate_limits_carry_retry_after(
        self, hooks: ProviderHooks, fake: RegistrationFake, reg_source: SourceContext
    ) -> None:
        """A 429 with ``Retry-After`` is a retryable ProviderAPIError saying how long to wait."""
        target = self._targets(fake)[0]
        fake.fail_next(429, retry_after=7)

        async def scenario() -> Any:
            async with fake.client() as client:
                return await hooks.list_webhooks(reg_source, target, client)

        with pytest.raises(ProviderAPIError) as caught:
            _run(scenario)
        error = caught.value
        expect(
            error.retryable and error.retry_after == 7,
            f"a rate limit was reported as {error!r}",
            "raise ProviderAPIError(..., status=429, retry_after=<seconds from Retry-After>) "
            "(hookgate.httputil.parse_retry_after reads the header)",
        )

    def test_refresh_extends_expiry(
        self, hooks: ProviderHooks, fake: RegistrationFake, reg_source: SourceContext
    ) -> None:
        """Where hooks expire, ``refresh_webhook`` pushes the expiry out."""
        if not hooks.implements("refresh_webhook"):
            pytest.skip("the provider's hooks do not expire (no refresh_webhook)")
        target = self._targets(fake)[0]

        async def scenario() -> tuple[RemoteHook, RemoteHook]:
            async with fake.client() as client:
                created = await hooks.create_webhook(reg_source, target, client)
                return created, await hooks.refresh_webhook(reg_source, created, client)

        created, refreshed = _run(scenario)
        if created.expires_at is None:
            pytest.skip("the fake's hooks do not expire")
        expect(
            refreshed.expires_at is not None and refreshed.expires_at >= created.expires_at,
            f"refresh_webhook returned expires_at={refreshed.expires_at}",
            "return the hook with the new expiry the API answered",
        )


__all__ = ["FakeAPIRegistration", "RegistrationContract", "RegistrationFake"]

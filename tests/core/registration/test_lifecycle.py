"""Registration against the fake provider: create, roll back, adopt, repair, refresh, delete."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hookgate.services import registration, sources
from hookgate.services.common import Invalid
from hookgate.services.connections import NeedsAuthorization, ProviderFailed, ProviderRefused
from hookgate.store.models import RemoteHookRow, Source, utcnow
from hookgate.testing import FakeProviderAPI
from sqlalchemy import func, select

from tests.core.oauth.support import TARGETS, Lab, lab
from tests.support import eventually

pytestmark = pytest.mark.anyio


async def _count(w: Lab, model: type[Source] | type[RemoteHookRow]) -> int:
    async with w.runtime.db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_create_registers_one_hook_per_target(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with lab(database_url, monkeypatch) as w:
        source = await w.source(await w.connect(), "alpha", "beta")
        assert (source.registration_status, source.registration_error) == ("active", None)
        assert source.reconciled_at is not None
        for name in ("alpha", "beta"):
            (hook,) = w.api.hooks_on(name)
            assert hook.url == source.url
            assert hook.url.startswith("http://127.0.0.1:")
            assert hook.secret == source.secret
            assert hook.events == ["item.created"]
        assert await _count(w, RemoteHookRow) == 2


async def test_a_failed_target_rolls_back_everything(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with lab(database_url, monkeypatch) as w:
        connection = await w.connect()
        w.api.fail_create_on("beta", 403, "you are not an admin of beta")
        with pytest.raises(ProviderRefused, match=r"project beta.*not an admin of beta"):
            await w.source(connection, "alpha", "beta")
        assert w.api.hooks == {}  # alpha's hook was created, then deleted again
        assert ("DELETE", "/api/hooks/1") in w.api.requests
        assert await _count(w, Source) == 0
        assert await _count(w, RemoteHookRow) == 0
        w.api.fail_next(500, times=10, path="/api/hooks", method="POST")
        with pytest.raises(ProviderFailed, match="500"):
            await w.source(connection, "alpha")
        assert await _count(w, Source) == 0


async def test_keep_on_error_keeps_the_source_with_the_reason(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with lab(database_url, monkeypatch) as w:
        connection = await w.connect()
        w.api.fail_create_on("beta", 403, "limit of 20 hooks reached")
        source = await w.source(connection, "alpha", "beta", keep_on_error=True)
        assert source.registration_status == "error"
        assert "project beta" in (source.registration_error or "")
        assert "limit of 20 hooks reached" in (source.registration_error or "")
        assert len(w.api.hooks_on("alpha")) == 1


async def test_an_existing_hook_with_the_same_url_is_adopted(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with lab(database_url, monkeypatch) as w:
        source = await w.source(await w.connect(), "alpha")
        assert source.url is not None
        made_by_hand = w.api.add_hook(TARGETS[1], source.url, ["item.deleted"])
        duplicate = w.api.add_hook(TARGETS[0], source.url, [])
        view = await sources.update_source(w.runtime, w.actor, source.id, targets=TARGETS)
        assert view.registration_status == "active"
        (hook,) = w.api.hooks_on("beta")
        assert hook.id == made_by_hand.id  # adopted, not duplicated
        assert hook.events == ["item.created"]
        assert hook.secret == source.secret
        assert [h.id for h in w.api.hooks_on("alpha")] != [duplicate.id]
        assert len(w.api.hooks_on("alpha")) == 1  # the duplicate is gone
        # Dropping a target deletes its hook.
        view = await sources.update_source(w.runtime, w.actor, source.id, targets=TARGETS[:1])
        assert w.api.hooks_on("beta") == []
        assert await _count(w, RemoteHookRow) == 1


async def test_a_hook_deleted_remotely_is_recreated_by_the_schedule(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with lab(database_url, monkeypatch, worker=True, reconcile_interval=0.2) as w:
        source = await w.source(await w.connect(), "alpha")
        (hook,) = w.api.hooks_on("alpha")
        w.api.delete_hook_behind_back(hook.id)

        async def recreated() -> bool:
            remote = [h.id for h in w.api.hooks_on("alpha")]
            if remote in ([], [hook.id]):
                return False
            # The provider answers before the reconcile's own transaction commits.
            async with w.runtime.db.session() as session:
                stored = [r.remote_id for r in await session.scalars(select(RemoteHookRow))]
            return stored == remote

        await eventually(recreated)
        (new,) = w.api.hooks_on("alpha")
        async with w.runtime.db.session() as session:
            rows = list(await session.scalars(select(RemoteHookRow)))
        assert [r.remote_id for r in rows] == [new.id]
        view = await sources.get_source(w.runtime, w.actor, source.id)
        assert view.registration_status == "active"


async def test_a_hook_near_expiry_is_refreshed(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = FakeProviderAPI(targets=TARGETS, hook_ttl=timedelta(days=30))
    async with lab(database_url, monkeypatch, api=api) as w:
        source = await w.source(await w.connect(), "alpha")
        (hook,) = api.hooks_on("alpha")
        hook.expires_at = utcnow() + timedelta(days=2)  # 28 days later; the margin is 7 days
        await registration.reconcile(w.runtime, source.id)
        assert ("POST", f"/api/hooks/{hook.id}/refresh") in api.requests
        assert hook.expires_at is not None
        assert hook.expires_at > utcnow() + timedelta(days=29)
        view = await sources.get_source(w.runtime, w.actor, source.id)
        assert view.registration_status == "active"
        async with w.runtime.db.session() as session:
            row = await session.scalar(select(RemoteHookRow))
        assert row is not None
        assert row.expires_at == hook.expires_at


async def test_a_hook_that_cannot_be_extended_shows_expiring(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = FakeProviderAPI(targets=TARGETS, hook_ttl=timedelta(days=1))  # always inside 7 days
    async with lab(database_url, monkeypatch, api=api) as w:
        source = await w.source(await w.connect(), "alpha")
        assert source.registration_status == "expiring"


async def test_secret_rotation_and_event_changes_reach_the_provider(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with lab(database_url, monkeypatch) as w:
        source = await w.source(await w.connect(), "alpha")
        rotated = await sources.rotate_secret(w.runtime, w.actor, source.id)
        (hook,) = w.api.hooks_on("alpha")
        assert hook.secret == rotated.secret != source.secret
        await sources.update_source(w.runtime, w.actor, source.id, events=["item.deleted"])
        assert hook.events == ["item.deleted"]


async def test_delete_unregisters_and_tolerates_a_hook_already_gone(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with lab(database_url, monkeypatch) as w:
        connection = await w.connect()
        source = await w.source(connection, "alpha", "beta")
        w.api.delete_hook_behind_back(w.api.hooks_on("alpha")[0].id)
        await sources.delete_source(w.runtime, w.actor, source.id)
        assert w.api.hooks == {}
        assert await _count(w, Source) == 0
        # The provider failing keeps the source, unless forced.
        kept = await w.source(connection, "alpha", name="kept")
        w.api.fail_next(500, times=10, method="DELETE")
        with pytest.raises(ProviderFailed, match="force"):
            await sources.delete_source(w.runtime, w.actor, kept.id)
        assert await _count(w, Source) == 1
        await sources.delete_source(w.runtime, w.actor, kept.id, force=True)
        assert await _count(w, Source) == 0


async def test_a_revoked_grant_shows_needs_reauth_on_connection_and_source(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with lab(database_url, monkeypatch) as w:
        connection = await w.connect()
        source = await w.source(connection, "alpha")
        w.api.revoke_grant()
        await registration.reconcile_now(w.runtime, w.actor, source.id)
        view = await sources.get_source(w.runtime, w.actor, source.id)
        assert view.registration_status == "needs_reauth"
        assert "reauthorize" in (view.registration_error or "")
        from hookgate.services import connections

        shown = await connections.get_connection(w.runtime, w.actor, connection.id)
        assert shown.status == "needs_reauth"
        with pytest.raises(NeedsAuthorization):
            await w.source(connection, "beta", name="another")
        with pytest.raises(NeedsAuthorization, match="force"):
            await sources.delete_source(w.runtime, w.actor, source.id)


async def test_manual_sources_of_oauth_providers_still_work(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with lab(database_url, monkeypatch) as w:
        manual = await sources.create_source(w.runtime, w.actor, provider="fake", name="manual")
        assert manual.registration_status is None
        assert manual.connection_id is None
        assert await registration.reconcile(w.runtime, manual.id) is None
        await sources.rotate_secret(w.runtime, w.actor, manual.id)
        await sources.delete_source(w.runtime, w.actor, manual.id)
        assert w.api.requests == []
        with pytest.raises(Invalid, match="connection_id"):
            await sources.create_source(
                w.runtime, w.actor, provider="fake", name="x", targets=TARGETS
            )

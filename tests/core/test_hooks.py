"""One test per hook in hookspecs.py (``test_hook_<name>``), and the docs check.

Each test registers a small in-test plugin and goes through the same typed
wrapper core uses, so a hook that core cannot call correctly fails here.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from hookgate import (
    Delivery,
    DeliveryResult,
    EventIdentity,
    EventNotice,
    EventSchema,
    FilterGenerationRequest,
    Headers,
    OAuthAccount,
    OAuthClientSpec,
    OAuthToken,
    Principal,
    ProviderContractError,
    ProviderInfo,
    RemoteHook,
    SourceContext,
    Target,
    Verification,
    WebhookRequest,
    hookimpl,
    hookspecs,
)
from hookgate.config import Settings, load_settings
from hookgate.plugins import PluginManager
from pydantic import BaseModel, Field, SecretStr
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

ROOT = Path(__file__).resolve().parents[2]
HOOK_NAMES = sorted(
    name
    for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
    if hasattr(fn, "hookgate_spec")
)

SOURCE = SourceContext(
    id="src_1",
    provider="acme",
    name="acme",
    url="https://hg.test/hooks/src_1/u",
    secrets=("s3cret",),
    events=("thing.made",),
)
REQUEST = WebhookRequest(
    method="POST",
    path="/hooks/src_1/u",
    headers=Headers({"X-Acme": "s3cret"}),
    body=b"{}",
    received_at=datetime.now(UTC),
)


class FakeHookAPI:
    """A provider's webhook API as a small ASGI app: /targets/{name}/hooks[/{id}]."""

    def __init__(self) -> None:
        self.hooks: dict[str, dict[str, Any]] = {}
        self.app = Starlette(
            routes=[
                Route("/targets/{target}/hooks", self.collection, methods=["GET", "POST"]),
                Route("/targets/{target}/hooks/{id}", self.item, methods=["PATCH", "DELETE"]),
                Route("/me", self.me),
            ]
        )

    async def me(self, request: Request) -> Response:
        if request.headers.get("authorization") != "Bearer tok":
            return JSONResponse({"message": "Bad credentials"}, 401)
        return JSONResponse({"id": 7, "login": "octo", "targets": ["web", "api"]})

    async def collection(self, request: Request) -> Response:
        target = request.path_params["target"]
        if request.method == "GET":
            return JSONResponse([h for h in self.hooks.values() if h["target"] == target])
        body = await request.json()
        hook = {"id": str(len(self.hooks) + 1), "target": target, **body}
        self.hooks[hook["id"]] = hook
        return JSONResponse(hook, 201)

    async def item(self, request: Request) -> Response:
        hook_id = request.path_params["id"]
        if request.method == "DELETE":
            self.hooks.pop(hook_id, None)
            return Response(status_code=204)
        self.hooks[hook_id].update(await request.json())
        return JSONResponse(self.hooks[hook_id])


def _remote(data: dict[str, Any]) -> RemoteHook:
    return RemoteHook(
        remote_id=data["id"],
        target=Target(type="site", name=data["target"]),
        url=data["url"],
        events=tuple(data["events"]),
        expires_at=data.get("expires_at"),
    )


class AcmeProvider:
    """A complete provider, written the way a third party would."""

    @hookimpl
    def provider_info(self) -> ProviderInfo:
        return ProviderInfo(name="acme", title="Acme", needs_oauth=True)

    @hookimpl
    def event_schemas(self) -> list[EventSchema]:
        return [
            EventSchema(
                event_type="thing.made",
                description="A thing was made.",
                schema={"type": "object", "required": ["id"]},
                sample={"id": 1},
            )
        ]

    @hookimpl
    def verify_signature(self, source: SourceContext, request: WebhookRequest) -> Verification:
        if request.headers.get("x-acme") in source.secrets:
            return Verification.ok()
        return Verification.fail("missing header X-Acme")

    @hookimpl
    def identify_event(self, request: WebhookRequest) -> EventIdentity:
        return EventIdentity(event_type="thing.made", delivery_id=request.headers.get("x-id"))

    @hookimpl
    def sign_payload(self, source: SourceContext) -> dict[str, str]:  # opt-in: fewer arguments
        return {"X-Acme": source.secrets[0]}

    @hookimpl
    def new_secret(self, source: SourceContext) -> str:
        return f"acme_{source.provider}_" + "k" * 40

    @hookimpl
    def signing_key(self, secret: str) -> bytes | None:
        return bytes.fromhex(secret.removeprefix("hex:")) if secret.startswith("hex:") else None

    @hookimpl
    def setup_instructions(self, source: SourceContext) -> str:
        return f"Payload URL: {source.url}\nSecret: {source.secrets[0]}"

    @hookimpl
    def oauth_client(self) -> OAuthClientSpec:
        return OAuthClientSpec(
            authorize_url="https://acme.test/authorize",
            token_url="https://acme.test/token",
            scopes=("hooks",),
            extra_authorize_params={"audience": "api.acme.test"},
        )

    @hookimpl
    async def oauth_account(self, client: httpx.AsyncClient) -> OAuthAccount:
        me = (await client.get("/me")).raise_for_status().json()
        return OAuthAccount(
            account_id=str(me["id"]),
            name=me["login"],
            targets=[Target(type="site", name=t) for t in me["targets"]],
        )

    @hookimpl
    async def list_webhooks(self, target: Target, client: httpx.AsyncClient) -> list[RemoteHook]:
        found = (await client.get(f"/targets/{target.name}/hooks")).json()
        return [_remote(h) for h in found]

    @hookimpl
    async def create_webhook(
        self, source: SourceContext, target: Target, client: httpx.AsyncClient
    ) -> RemoteHook:
        body = {"url": source.url, "events": list(source.events), "secret": source.secrets[0]}
        return _remote((await client.post(f"/targets/{target.name}/hooks", json=body)).json())

    @hookimpl
    async def update_webhook(
        self, source: SourceContext, hook: RemoteHook, client: httpx.AsyncClient
    ) -> RemoteHook:
        url = f"/targets/{hook.target.name}/hooks/{hook.remote_id}"
        return _remote((await client.patch(url, json={"events": list(source.events)})).json())

    @hookimpl
    async def delete_webhook(self, hook: RemoteHook, client: httpx.AsyncClient) -> None:
        await client.delete(f"/targets/{hook.target.name}/hooks/{hook.remote_id}")

    @hookimpl
    async def refresh_webhook(self, hook: RemoteHook, client: httpx.AsyncClient) -> RemoteHook:
        url = f"/targets/{hook.target.name}/hooks/{hook.remote_id}"
        new = (await client.patch(url, json={"expires_at": "2030-01-01T00:00:00Z"})).json()
        return _remote(new)


@pytest.fixture
def plugins() -> PluginManager:
    manager = PluginManager(entry_points=False)
    assert manager.add_provider(AcmeProvider(), "acme").status == "ok"
    return manager


@pytest.fixture
def api() -> FakeHookAPI:
    return FakeHookAPI()


@pytest.fixture
def client(api: FakeHookAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=api.app),
        base_url="https://acme.test",
        headers={"Authorization": "Bearer tok"},
    )


# -- per-provider hooks ---------------------------------------------------------


def test_hook_provider_info(plugins: PluginManager) -> None:
    record = next(r for r in plugins.records() if r.name == "acme")
    assert record.info is not None
    assert record.info.title == "Acme"
    assert record.info.needs_oauth


def test_hook_event_schemas(plugins: PluginManager) -> None:
    schemas = plugins.schemas("acme")
    assert list(schemas) == ["thing.made"]
    assert schemas["thing.made"].sample == {"id": 1}


def test_hook_verify_signature(plugins: PluginManager) -> None:
    hooks = plugins.provider("acme")
    assert hooks.verify_signature(SOURCE, REQUEST).valid
    unsigned = WebhookRequest("POST", "/", Headers(), b"{}", datetime.now(UTC))
    assert hooks.verify_signature(SOURCE, unsigned) == Verification.fail("missing header X-Acme")


def test_hook_identify_event(plugins: PluginManager) -> None:
    request = WebhookRequest("POST", "/", Headers({"X-Id": "d-1"}), b"{}", datetime.now(UTC))
    identity = plugins.provider("acme").identify_event(SOURCE, request)
    assert identity == EventIdentity(event_type="thing.made", delivery_id="d-1")


def test_hook_sign_payload(plugins: PluginManager) -> None:
    hooks = plugins.provider("acme")
    headers = hooks.sign_payload(SOURCE, b"{}", datetime.now(UTC))
    assert headers == {"X-Acme": "s3cret"}


def test_hook_new_secret(plugins: PluginManager) -> None:
    assert plugins.provider("acme").new_secret(SOURCE) == "acme_acme_" + "k" * 40


def test_hook_signing_key(plugins: PluginManager) -> None:
    acme = plugins.provider("acme")
    assert acme.signing_key(SOURCE, "hex:00ff") == b"\x00\xff"
    assert acme.signing_key(SOURCE, "plain") == b"plain"  # None: the UTF-8 bytes
    with pytest.raises(ValueError, match="non-hexadecimal"):
        acme.signing_key(SOURCE, "hex:zz")


def test_hook_setup_instructions(plugins: PluginManager) -> None:
    text = plugins.provider("acme").setup_instructions(SOURCE)
    assert text == "Payload URL: https://hg.test/hooks/src_1/u\nSecret: s3cret"


def test_hook_oauth_client(plugins: PluginManager) -> None:
    spec = plugins.provider("acme").oauth_client()
    assert spec is not None
    assert spec.extra_authorize_params == {"audience": "api.acme.test"}
    assert spec.pkce


@pytest.mark.anyio
async def test_hook_oauth_account(plugins: PluginManager, client: httpx.AsyncClient) -> None:
    account = await plugins.provider("acme").oauth_account(OAuthToken(access_token="tok"), client)
    assert account.name == "octo"
    assert [t.name for t in account.targets] == ["web", "api"]


@pytest.mark.anyio
async def test_hook_create_webhook(
    plugins: PluginManager, client: httpx.AsyncClient, api: FakeHookAPI
) -> None:
    hook = await plugins.provider("acme").create_webhook(
        SOURCE, Target(type="site", name="web"), client
    )
    assert hook.url == SOURCE.url
    assert api.hooks[hook.remote_id]["secret"] == "s3cret"


@pytest.mark.anyio
async def test_hook_list_webhooks(plugins: PluginManager, client: httpx.AsyncClient) -> None:
    hooks = plugins.provider("acme")
    web = Target(type="site", name="web")
    await hooks.create_webhook(SOURCE, web, client)
    listed = await hooks.list_webhooks(SOURCE, web, client)
    assert [h.url for h in listed] == [SOURCE.url]
    assert await hooks.list_webhooks(SOURCE, Target(type="site", name="api"), client) == []


@pytest.mark.anyio
async def test_hook_update_webhook(plugins: PluginManager, client: httpx.AsyncClient) -> None:
    hooks = plugins.provider("acme")
    created = await hooks.create_webhook(SOURCE, Target(type="site", name="web"), client)
    wider = replace(SOURCE, events=("thing.made", "thing.gone"))
    updated = await hooks.update_webhook(wider, created, client)
    assert updated.events == ("thing.made", "thing.gone")


@pytest.mark.anyio
async def test_hook_delete_webhook(
    plugins: PluginManager, client: httpx.AsyncClient, api: FakeHookAPI
) -> None:
    hooks = plugins.provider("acme")
    created = await hooks.create_webhook(SOURCE, Target(type="site", name="web"), client)
    await hooks.delete_webhook(SOURCE, created, client)
    assert api.hooks == {}


@pytest.mark.anyio
async def test_hook_refresh_webhook(plugins: PluginManager, client: httpx.AsyncClient) -> None:
    hooks = plugins.provider("acme")
    created = await hooks.create_webhook(SOURCE, Target(type="site", name="web"), client)
    assert created.expires_at is None
    refreshed = await hooks.refresh_webhook(SOURCE, created, client)
    assert refreshed.expires_at == datetime(2030, 1, 1, tzinfo=UTC)


@pytest.mark.anyio
async def test_hook_rotate_webhook_secret(plugins: PluginManager) -> None:
    class Issuing(AcmeProvider):
        """A provider that issues its hooks' secrets: rotation resets and reads one."""

        @hookimpl
        def provider_info(self) -> ProviderInfo:
            return ProviderInfo(name="issuing", title="Issuing", needs_oauth=True)

        @hookimpl
        async def rotate_webhook_secret(self, hook: RemoteHook) -> RemoteHook:
            return hook.model_copy(update={"issued_secret": SecretStr("issued-" + "z" * 32)})

    class Forgetful(Issuing):
        @hookimpl
        def provider_info(self) -> ProviderInfo:
            return ProviderInfo(name="forgetful", title="Forgetful", needs_oauth=True)

        @hookimpl
        async def rotate_webhook_secret(self, hook: RemoteHook) -> RemoteHook:
            return hook

    plugins.add_provider(Issuing(), "issuing")
    plugins.add_provider(Forgetful(), "forgetful")
    hook = RemoteHook(remote_id="1", target=Target(type="site", name="web"), url=SOURCE.url)
    async with httpx.AsyncClient() as client:
        rotated = await plugins.provider("issuing").rotate_webhook_secret(SOURCE, hook, client)
        assert rotated.issued_secret is not None
        assert rotated.issued_secret.get_secret_value() == "issued-" + "z" * 32
        assert "issued-" not in repr(rotated)  # never printed
        # A provider that forgets to read the new secret back is named, not trusted.
        with pytest.raises(ProviderContractError, match="no issued_secret"):
            await plugins.provider("forgetful").rotate_webhook_secret(SOURCE, hook, client)


def test_connection_params_are_checked_by_the_provider_model(plugins: PluginManager) -> None:
    class Subdomain(BaseModel):
        host: str = Field(pattern=r"^[a-z]+$")

    class PerHost(AcmeProvider):
        @hookimpl
        def provider_info(self) -> ProviderInfo:
            return ProviderInfo(
                name="perhost", title="Per host", needs_oauth=True, connection_model=Subdomain
            )

        @hookimpl
        def oauth_client(self, connection: dict[str, str]) -> OAuthClientSpec:
            base = f"https://{connection['host']}.acme.test"
            return OAuthClientSpec(authorize_url=f"{base}/authorize", token_url=f"{base}/token")

    plugins.add_provider(PerHost(), "perhost")
    hooks = plugins.provider("perhost")
    params = hooks.connection_params({"host": "octo"})
    spec = hooks.oauth_client(params)
    assert spec is not None
    assert spec.token_url == "https://octo.acme.test/token"
    with pytest.raises(ValueError, match="host"):
        hooks.connection_params({"host": "evil.test/x"})
    with pytest.raises(ValueError, match="takes no connection parameters"):
        plugins.provider("acme").connection_params({"host": "octo"})


def test_per_provider_hooks_reach_only_their_own_provider(plugins: PluginManager) -> None:
    calls: list[str] = []

    class Other(AcmeProvider):
        @hookimpl
        def provider_info(self) -> ProviderInfo:
            return ProviderInfo(name="other", title="Other")

        @hookimpl
        def verify_signature(self, source: SourceContext, request: WebhookRequest) -> Verification:
            calls.append(source.provider)
            return Verification.fail("other provider answered")

    plugins.add_provider(Other(), "other")
    assert plugins.provider("acme").verify_signature(SOURCE, REQUEST).valid
    assert calls == []


def test_wrong_return_type_is_a_contract_error(plugins: PluginManager) -> None:
    class Liar(AcmeProvider):
        @hookimpl
        def provider_info(self) -> ProviderInfo:
            return ProviderInfo(name="liar", title="Liar")

        @hookimpl
        def verify_signature(self) -> bool:  # type: ignore[override]
            return True

    plugins.add_provider(Liar(), "liar")
    with pytest.raises(ProviderContractError, match="'liar': verify_signature\\(\\) returned bool"):
        plugins.provider("liar").verify_signature(SOURCE, REQUEST)


# -- cross-cutting hooks ----------------------------------------------------------


class EchoSink:
    name = "echo"

    def __init__(self) -> None:
        self.seen: list[Delivery] = []

    async def deliver(self, delivery: Delivery) -> DeliveryResult:
        self.seen.append(delivery)
        return DeliveryResult(conversation_id=f"conv-{delivery.run_id}")


@pytest.mark.anyio
async def test_hook_run_sinks(plugins: PluginManager) -> None:
    sink = EchoSink()

    class SinkPlugin:
        @hookimpl
        def run_sinks(self) -> list[EchoSink]:
            return [sink]

    plugins.register(SinkPlugin(), name="sinks")
    found = plugins.run_sinks(load_settings())["echo"]
    delivery = Delivery(
        "run_1",
        1,
        "trg_1",
        "agent",
        "src_1",
        "ws",
        "evt_1",
        "thing.made",
        {"id": 1},
        datetime.now(UTC),
    )
    assert (await found.deliver(delivery)).conversation_id == "conv-run_1"

    plugins.register(SinkPlugin(), name="again")
    with pytest.raises(ProviderContractError, match="two plugins offer a sink named 'echo'"):
        plugins.run_sinks(load_settings())


def test_hook_event_notice(plugins: PluginManager, caplog: pytest.LogCaptureFixture) -> None:
    seen: list[EventNotice] = []

    class Broken:
        @hookimpl
        def event_notice(self) -> None:
            raise RuntimeError("observer bug")

    class Recorder:
        @hookimpl
        def event_notice(self, notice: EventNotice) -> None:
            seen.append(notice)

    plugins.register(Broken(), name="broken")
    plugins.register(Recorder(), name="recorder")
    plugins.event_notice(EventNotice(kind="stored", source_id="src_1", event_id="evt_1"))
    assert [n.event_id for n in seen] == ["evt_1"]
    assert "event observer broken failed" in caplog.text


def test_hook_authenticate(plugins: PluginManager) -> None:
    class HeaderAuth:
        @hookimpl
        def authenticate(self, headers: Headers) -> Principal | None:
            user = headers.get("x-forwarded-user")
            return Principal("ws_1", user, "member") if user else None

    assert plugins.authenticate(Headers(), "GET", "/api/v1/sources") is None
    plugins.register(HeaderAuth(), name="header-auth")
    found = plugins.authenticate(Headers({"X-Forwarded-User": "ada"}), "GET", "/api/v1/sources")
    assert found == Principal("ws_1", "ada", "member")
    assert plugins.authenticate(Headers(), "GET", "/api/v1/sources") is None


@pytest.mark.anyio
async def test_hook_filter_generator(plugins: PluginManager) -> None:
    class Canned:
        name = "canned"

        async def generate(self, request: FilterGenerationRequest) -> str:
            return f'(eq "action" "{request.description}")'

    class GeneratorPlugin:
        @hookimpl
        def filter_generator(self, settings: Settings) -> Canned:
            return Canned()

    assert plugins.filter_generator(load_settings(llm_base_url="", llm_model="")) is None
    plugins.register(GeneratorPlugin(), name="gen")
    generator = plugins.filter_generator(load_settings())
    assert generator is not None
    request = FilterGenerationRequest("opened", "acme", "thing.made", None, None, "grammar")
    assert await generator.generate(request) == '(eq "action" "opened")'


# -- every hook is documented and tested ------------------------------------------------


@pytest.mark.parametrize("name", HOOK_NAMES)
def test_hook_has_a_test(name: str) -> None:
    assert f"test_hook_{name}" in globals(), f"add test_hook_{name} to {__file__}"


@pytest.mark.parametrize("name", HOOK_NAMES)
def test_hook_is_documented(name: str) -> None:
    docs = (ROOT / "docs" / "hooks.md").read_text()
    args = ", ".join(inspect.signature(getattr(hookspecs, name)).parameters)
    heading = f"### {name}({args})"
    assert re.search(rf"^{re.escape(heading)}$", docs, re.M), f"docs/hooks.md needs '{heading}'"
    section = docs.split(heading, 1)[1].split("\n### ", 1)[0]
    assert "@hookimpl" in section, f"the {name} section of docs/hooks.md needs an example"

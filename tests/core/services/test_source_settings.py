"""The one merge rule for a source's provider settings (``resolve_settings``), which the API's
``config`` and the CLI's ``--set`` both go through, on providers with different models."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import pytest
from hookgate import (
    EventIdentity,
    ProviderInfo,
    Runtime,
    SourceContext,
    Verification,
    WebhookRequest,
    hookimpl,
)
from hookgate.plugins import PluginManager
from hookgate.services.common import Invalid
from hookgate.services.source_settings import resolve_settings
from pydantic import BaseModel, ConfigDict, Field

from tests.support import settings_for


class StrictSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mode: Literal["fast", "safe"] = "safe"
    ports: list[int] = Field(default_factory=list)
    verbose: bool = False
    label: str | None = None


class OpenSettings(BaseModel):
    model_config = ConfigDict(extra="allow")

    label: str | None = None


class Plugin:
    """A provider whose settings model is the one given (``None``: it takes none)."""

    def __init__(self, name: str, model: type[BaseModel] | None) -> None:
        self.name, self.model = name, model

    @hookimpl
    def provider_info(self) -> ProviderInfo:
        return ProviderInfo(name=self.name, title=self.name, config_model=self.model)

    @hookimpl
    def event_schemas(self) -> list[Any]:
        return []

    @hookimpl
    def verify_signature(self, source: SourceContext, request: WebhookRequest) -> Verification:
        return Verification.ok()

    @hookimpl
    def identify_event(self, source: SourceContext, request: WebhookRequest) -> EventIdentity:
        return EventIdentity(event_type="webhook")

    @hookimpl
    def sign_payload(
        self, source: SourceContext, body: bytes, timestamp: datetime
    ) -> dict[str, str]:
        return {}


@pytest.fixture
def runtime(sqlite_url: str) -> Runtime:
    plugins = PluginManager(entry_points=False)
    for name, model in (("strict", StrictSettings), ("open", OpenSettings), ("bare", None)):
        assert plugins.add_provider(Plugin(name, model), name).status == "ok"
    return Runtime(settings_for(sqlite_url), plugins=plugins)


def test_text_is_typed_and_merged_over_config_over_stored(runtime: Runtime) -> None:
    stored = {"mode": "fast", "label": "old", "verbose": True}
    settings = resolve_settings(
        runtime,
        "strict",
        current=stored,
        config={"label": None, "verbose": False},  # None: back to the default
        assignments=["ports=80, 443"],
    )
    assert settings == {"mode": "fast", "verbose": False, "ports": [80, 443]}
    assert stored == {"mode": "fast", "label": "old", "verbose": True}  # not changed in place


@pytest.mark.parametrize(
    ("config", "assignments", "message"),
    [
        ({"ports": [1]}, ["ports=2"], "settings given both in config and as --set: ports"),
        ({}, ["mode=fast", "mode=safe"], "setting mode is given twice"),
        ({}, ["mode"], "write KEY=VALUE"),
        ({"prots": [1]}, [], "unknown strict setting 'prots' (did you mean ports?)"),
        ({}, ["mode=slow"], "invalid strict settings: mode: must be one of fast, safe"),
        (
            {},
            ["ports=80,http"],
            "invalid strict settings: ports.1: Input should be a valid integer",
        ),
    ],
)
def test_refusals_name_the_key(
    runtime: Runtime, config: dict[str, Any], assignments: list[str], message: str
) -> None:
    with pytest.raises(Invalid) as caught:
        resolve_settings(runtime, "strict", config=config, assignments=assignments)
    assert message in str(caught.value)
    if "unknown" in message:
        assert caught.value.details["allowed"] == ["mode", "ports", "verbose", "label"]


def test_a_model_with_extra_allow_keeps_undeclared_keys(runtime: Runtime) -> None:
    settings = resolve_settings(runtime, "open", assignments=["region=eu", "label=x"])
    assert settings == {"label": "x", "region": "eu"}


def test_a_provider_without_a_model_takes_no_settings(runtime: Runtime) -> None:
    assert resolve_settings(runtime, "bare") == {}
    with pytest.raises(Invalid, match="provider 'bare' takes no settings, got label"):
        resolve_settings(runtime, "bare", assignments=["label=x"])
    with pytest.raises(Invalid, match="unknown provider 'nope'"):
        resolve_settings(runtime, "nope")

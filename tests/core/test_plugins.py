"""Plugin loading: discovery through entry points, selection, broken-plugin isolation."""

from __future__ import annotations

import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hookgate import ProviderContractError, Runtime, UnknownProviderError
from hookgate.config import load_settings
from hookgate.plugins import PluginManager

GOOD_PROVIDER = """
from hookgate import EventIdentity, EventSchema, ProviderInfo, Verification, hookimpl

@hookimpl
def provider_info():
    return ProviderInfo(name="{name}", title="Acme")

@hookimpl
def event_schemas():
    return [EventSchema(event_type="thing.made", description="A thing was made.",
                        schema={{"type": "object"}}, sample={{"id": 1}})]

@hookimpl
def verify_signature(source, request):
    return Verification.ok() if request.headers.get("x-acme") == source.secrets[0] else \\
        Verification.fail("missing header X-Acme")

@hookimpl
def identify_event(request):
    return EventIdentity(event_type="thing.made")

@hookimpl
def sign_payload(source):
    return {{"X-Acme": source.secrets[0]}}
"""


class ThirdPartySite:
    """Writes provider distributions (module + *.dist-info) into a directory on sys.path."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def install(
        self,
        name: str,
        module_source: str,
        *,
        version: str = "1.2.3",
        group: str = "hookgate.providers",
    ) -> str:
        module = f"acme_{name}_{uuid.uuid4().hex[:8]}"
        (self.root / f"{module}.py").write_text(textwrap.dedent(module_source))
        dist = self.root / f"hookgate_{module}-{version}.dist-info"
        dist.mkdir()
        metadata = f"Metadata-Version: 2.1\nName: hookgate-{module}\nVersion: {version}\n"
        (dist / "METADATA").write_text(metadata)
        (dist / "entry_points.txt").write_text(f"[{group}]\n{name} = {module}\n")
        return module


@pytest.fixture
def site(tmp_path: Path) -> Iterator[ThirdPartySite]:
    sys.path.insert(0, str(tmp_path))
    try:
        yield ThirdPartySite(tmp_path)
    finally:
        sys.path.remove(str(tmp_path))


def record(plugins: PluginManager, name: str):  # type: ignore[no-untyped-def]
    return next(r for r in plugins.records() if r.name == name)


def test_third_party_provider_is_discovered_listed_and_usable(site: ThirdPartySite) -> None:
    site.install("acme", GOOD_PROVIDER.format(name="acme"), version="4.5.6")
    runtime = Runtime(load_settings(providers=""))
    acme = record(runtime.plugins, "acme")
    assert acme.status == "ok"
    assert acme.version == "4.5.6"
    assert acme.event_types == ("thing.made",)
    assert {"github", "jira", "zendesk", "custom", "acme"} <= set(runtime.plugins.enabled)
    assert runtime.plugins.provider("acme").provider_info().title == "Acme"


def test_provider_that_fails_to_import_is_isolated(site: ThirdPartySite) -> None:
    site.install("explodes", "raise RuntimeError('boom at import')\n")
    plugins = PluginManager()
    broken = record(plugins, "explodes")
    assert broken.status == "broken"
    assert "boom at import" in broken.reason
    assert record(plugins, "github").status == "ok"  # the others still load
    with pytest.raises(UnknownProviderError, match="explodes"):
        plugins.provider("explodes")


def test_provider_with_a_hook_signature_not_in_the_spec_is_isolated(
    site: ThirdPartySite,
) -> None:
    bad = GOOD_PROVIDER.format(name="badargs").replace(
        "def identify_event(request)", "def identify_event(request, colour)"
    )
    site.install("badargs", bad)
    broken = record(PluginManager(), "badargs")
    assert broken.status == "broken"
    assert "colour" in broken.reason


def test_provider_with_a_misspelt_hook_is_isolated(site: ThirdPartySite) -> None:
    site.install("typo", GOOD_PROVIDER.format(name="typo") + "\n@hookimpl\ndef verfy(): pass\n")
    broken = record(PluginManager(), "typo")
    assert broken.status == "broken"
    assert "unknown hooks ['verfy']" in broken.reason


def test_provider_missing_required_hooks_is_isolated(site: ThirdPartySite) -> None:
    source = GOOD_PROVIDER.format(name="partial").split("@hookimpl\ndef verify_signature")[0]
    site.install("partial", source)
    broken = record(PluginManager(), "partial")
    assert broken.status == "broken"
    assert "identify_event" in broken.reason
    assert "verify_signature" in broken.reason


def test_provider_whose_identity_has_the_wrong_type_is_isolated(site: ThirdPartySite) -> None:
    wrong = GOOD_PROVIDER.format(name="wrongtype").replace(
        'return ProviderInfo(name="wrongtype", title="Acme")', 'return {"name": "wrongtype"}'
    )
    site.install("wrongtype", wrong)
    broken = record(PluginManager(), "wrongtype")
    assert broken.status == "broken"
    assert "returned dict, expected ProviderInfo" in broken.reason


def test_provider_whose_schemas_raise_is_isolated(site: ThirdPartySite) -> None:
    failing = GOOD_PROVIDER.format(name="nodata").replace(
        "def event_schemas():\n    return [",
        "def event_schemas():\n    open('/nonexistent/samples.json')\n    return [",
    )
    site.install("nodata", failing)
    plugins = PluginManager()
    broken = record(plugins, "nodata")
    assert broken.status == "broken"
    assert "FileNotFoundError" in broken.reason
    assert record(plugins, "github").status == "ok"


def test_provider_whose_name_differs_from_its_entry_point_is_isolated(
    site: ThirdPartySite,
) -> None:
    site.install("alias", GOOD_PROVIDER.format(name="somethingelse"))
    broken = record(PluginManager(), "alias")
    assert broken.status == "broken"
    assert "'somethingelse'" in broken.reason


def test_needs_oauth_without_registration_hooks_is_isolated(site: ThirdPartySite) -> None:
    source = GOOD_PROVIDER.format(name="halfoauth").replace(
        'title="Acme")', 'title="Acme", needs_oauth=True)'
    )
    site.install("halfoauth", source)
    broken = record(PluginManager(), "halfoauth")
    assert broken.status == "broken"
    assert "create_webhook" in broken.reason


def test_selection_disables_the_unselected() -> None:
    plugins = PluginManager(["custom"])
    states = {r.name: r.status for r in plugins.records()}
    assert states["custom"] == "ok"
    assert states["github"] == states["jira"] == states["zendesk"] == "disabled"
    assert plugins.enabled == ["custom"]
    with pytest.raises(UnknownProviderError, match="HOOKGATE_PROVIDERS"):
        plugins.provider("github")


def test_selection_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOOKGATE_PROVIDERS", " github , custom ")
    assert Runtime().plugins.enabled == ["custom", "github"]


def test_each_runtime_has_its_own_plugin_manager() -> None:
    first, second = Runtime(load_settings(providers="custom")), Runtime(load_settings())
    assert first.plugins is not second.plugins
    assert first.plugins.enabled == ["custom"]
    assert "github" in second.plugins.enabled


def test_cross_cutting_plugin_may_not_implement_provider_hooks() -> None:
    class Sneaky:
        from hookgate import hookimpl

        @hookimpl
        def verify_signature(self, source, request):  # type: ignore[no-untyped-def]
            raise AssertionError("never called")

    plugins = PluginManager(entry_points=False)
    with pytest.raises(ProviderContractError, match="add_provider"):
        plugins.register(Sneaky(), name="sneaky")


SINK_PLUGIN = """
from hookgate import DeliveryResult, hookimpl

class Pigeon:
    name = "pigeon"

    async def deliver(self, delivery):
        return DeliveryResult(conversation_id="coo")

@hookimpl
def run_sinks():
    return [Pigeon()]
"""


def test_a_sink_only_plugin_installs_through_its_own_entry_point(site: ThirdPartySite) -> None:
    site.install("pigeon", SINK_PLUGIN, version="0.3.0", group="hookgate.plugins")
    plugins = PluginManager()
    [pigeon] = [r for r in plugins.plugin_records() if r.name == "pigeon"]
    assert (pigeon.status, pigeon.version, pigeon.hooks) == ("ok", "0.3.0", ("run_sinks",))
    assert "pigeon" in plugins.run_sinks(load_settings())
    assert "pigeon" not in {r.name for r in plugins.records()}  # not a provider


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("raise RuntimeError('boom at import')\n", "boom at import"),
        (SINK_PLUGIN.replace("def run_sinks", "def run_sink"), "did you mean 'run_sinks'?"),
        (SINK_PLUGIN.replace("def run_sinks():", "def run_sinks(colour):"), "colour"),
        (GOOD_PROVIDER.format(name="x"), "implements provider hooks"),
    ],
    ids=["import-error", "misspelt-hook", "unknown-argument", "provider-hooks"],
)
def test_a_broken_plugin_is_isolated(site: ThirdPartySite, source: str, reason: str) -> None:
    site.install("bad", source, group="hookgate.plugins")
    site.install("good", SINK_PLUGIN, group="hookgate.plugins")
    plugins = PluginManager()
    bad = next(r for r in plugins.plugin_records() if r.name == "bad")
    assert bad.status == "broken"
    assert reason in bad.reason
    assert "pigeon" in plugins.run_sinks(load_settings())  # the good one still works
    assert record(plugins, "github").status == "ok"


def test_a_misspelt_hook_in_a_registered_plugin_fails_at_load_time() -> None:
    from hookgate import hookimpl

    class Typo:
        @hookimpl
        def authentcate(self, headers):  # type: ignore[no-untyped-def]
            return None

    plugins = PluginManager(entry_points=False)
    with pytest.raises(ProviderContractError, match="did you mean 'authenticate'"):
        plugins.register(Typo(), name="typo")
    plugins.pm.check_pending()  # nothing half-registered is left behind


def test_hookgate_providers_lists_plugins_and_why_one_is_broken(site: ThirdPartySite) -> None:
    from click.testing import CliRunner
    from hookgate.cli import main

    site.install("pigeon", SINK_PLUGIN, version="0.3.0", group="hookgate.plugins")
    site.install(
        "typo", SINK_PLUGIN.replace("def run_sinks", "def run_sink"), group="hookgate.plugins"
    )
    output = CliRunner().invoke(main, ["providers"]).output
    assert "plugin pigeon  0.3.0  ok  hooks: run_sinks" in output
    assert "plugin typo  1.2.3  broken: " in output
    assert "did you mean 'run_sinks'?" in output

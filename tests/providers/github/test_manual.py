"""Manual mode: the settings an admin pastes into GitHub's webhook page."""

from __future__ import annotations

from dataclasses import replace

from hookgate import SourceContext
from hookgate.provider_hooks import ProviderHooks

from tests.providers.github.conftest import SECRET


def test_instructions_carry_the_exact_settings(hooks: ProviderHooks, source: SourceContext) -> None:
    text = hooks.setup_instructions(source)
    assert text is not None
    lines = text.splitlines()
    assert f"  Payload URL:       {source.url}" in lines
    assert "  Content type:      application/json" in lines
    assert f"  Secret:            {SECRET}" in lines
    assert "  SSL verification:  Enable SSL verification" in lines
    assert "    - Pull requests (pull_request)" in lines
    assert "    - Issues (issues)" in lines
    assert "Send me everything" not in text


def test_no_events_means_send_me_everything(hooks: ProviderHooks, source: SourceContext) -> None:
    text = hooks.setup_instructions(replace(source, events=()))
    assert text is not None
    assert '  Which events:      "Send me everything."' in text.splitlines()


def test_unknown_event_names_are_listed_as_is(hooks: ProviderHooks, source: SourceContext) -> None:
    text = hooks.setup_instructions(replace(source, events=("deployment_status",)))
    assert text is not None
    assert "    - deployment_status (deployment_status)" in text.splitlines()

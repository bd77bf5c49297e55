"""Installation settings: core's and every provider's, from ``HOOKGATE_*`` variables and the
config file, validated by a pydantic model, with errors that name the variable to fix."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hookgate.config import load_settings, provider_settings
from hookgate.errors import ConfigurationError
from hookgate.oauth.clients import client_credentials
from hookgate.oauth.errors import OAuthNotConfigured
from pydantic import BaseModel, Field, SecretStr


class AcmeSettings(BaseModel):
    """What a provider ``acme-cloud`` needs of its installation."""

    server_url: str = "https://acme.example"
    timeout: float = Field(default=10.0, gt=0)
    verify_tls: bool = True
    regions: list[str] = Field(default_factory=lambda: ["eu"])
    api_token: SecretStr | None = None


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("HOOKGATE_"):
            monkeypatch.delenv(name)


def _config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> Path:
    path = tmp_path / "hookgate.toml"
    path.write_text(text)
    monkeypatch.setenv("HOOKGATE_CONFIG_FILE", str(path))
    return path


def test_defaults_without_any_setting() -> None:
    settings = provider_settings("acme-cloud", AcmeSettings)
    assert settings == AcmeSettings()


def test_environment_variables_are_typed_from_the_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOOKGATE_ACME_CLOUD_SERVER_URL", "https://acme.internal")
    monkeypatch.setenv("HOOKGATE_ACME_CLOUD_TIMEOUT", "2.5")
    monkeypatch.setenv("HOOKGATE_ACME_CLOUD_VERIFY_TLS", "false")
    monkeypatch.setenv("HOOKGATE_ACME_CLOUD_REGIONS", "eu, us")
    monkeypatch.setenv("HOOKGATE_ACME_CLOUD_API_TOKEN", "t0k3n-value")
    monkeypatch.setenv("HOOKGATE_ACME_CLOUD_UNRELATED", "ignored")  # another model's key
    settings = provider_settings("acme-cloud", AcmeSettings)
    assert settings.server_url == "https://acme.internal"
    assert (settings.timeout, settings.verify_tls, settings.regions) == (2.5, False, ["eu", "us"])
    assert settings.api_token is not None
    assert settings.api_token.get_secret_value() == "t0k3n-value"


def test_config_file_table_and_flat_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _config(
        tmp_path,
        monkeypatch,
        'port = 9000\nacme_cloud_timeout = 3\n[acme-cloud]\nregions = ["us"]\nverify_tls = false\n',
    )
    settings = provider_settings("acme-cloud", AcmeSettings)
    assert (settings.timeout, settings.regions, settings.verify_tls) == (3.0, ["us"], False)
    assert load_settings().port == 9000  # core reads the same file, and ignores the table


def test_precedence_overrides_then_env_then_file_then_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _config(tmp_path, monkeypatch, '[acme-cloud]\ntimeout = 3\nserver_url = "https://file"\n')
    monkeypatch.setenv("HOOKGATE_ACME_CLOUD_TIMEOUT", "4")
    monkeypatch.setenv("HOOKGATE_ACME_CLOUD_VERIFY_TLS", "no")
    settings = provider_settings("acme-cloud", AcmeSettings, verify_tls=True)
    assert settings.timeout == 4  # env over file
    assert settings.server_url == "https://file"  # file over default
    assert settings.verify_tls is True  # overrides over env
    assert settings.regions == ["eu"]  # default


def test_errors_name_the_variable_or_file_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOOKGATE_ACME_CLOUD_TIMEOUT", "-1")
    with pytest.raises(ConfigurationError) as env_error:
        provider_settings("acme-cloud", AcmeSettings)
    assert str(env_error.value) == (
        "invalid acme-cloud settings: HOOKGATE_ACME_CLOUD_TIMEOUT: Input should be greater than 0"
    )
    monkeypatch.delenv("HOOKGATE_ACME_CLOUD_TIMEOUT")
    _config(tmp_path, monkeypatch, "[acme-cloud]\nverify_tls = 'sometimes'\n")
    with pytest.raises(ConfigurationError, match="acme_cloud_verify_tls in HOOKGATE_CONFIG_FILE"):
        provider_settings("acme-cloud", AcmeSettings)


def test_a_required_setting_names_its_variable_and_no_value_is_echoed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Needs(BaseModel):
        api_token: SecretStr
        retries: int = 1

    monkeypatch.setenv("HOOKGATE_ACME_RETRIES", "s3cr3t-typed-here")
    with pytest.raises(ConfigurationError) as caught:
        provider_settings("acme", Needs)
    message = str(caught.value)
    assert "HOOKGATE_ACME_API_TOKEN: Field required" in message
    assert "HOOKGATE_ACME_RETRIES: Input should be a valid integer" in message
    assert "s3cr3t" not in message


def test_an_unreadable_config_file_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _config(tmp_path, monkeypatch, "not = [toml")
    with pytest.raises(ConfigurationError, match=f"HOOKGATE_CONFIG_FILE={path}: cannot read it"):
        provider_settings("acme", AcmeSettings)
    with pytest.raises(ConfigurationError, match="cannot read it"):
        load_settings()


def test_oauth_client_credentials_use_the_same_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(OAuthNotConfigured, match="set HOOKGATE_ACME_CLOUD_CLIENT_ID"):
        client_credentials("acme-cloud")
    _config(tmp_path, monkeypatch, '[acme-cloud]\nclient_id = "from-file"\n')
    monkeypatch.setenv("HOOKGATE_ACME_CLOUD_CLIENT_SECRET", "from-env-secret")
    app = client_credentials("acme-cloud")
    assert (app.client_id, app.client_secret) == ("from-file", "from-env-secret")
    assert "from-env-secret" not in repr(app)

"""A source's provider settings: validated by the provider's model and nothing else.

Settings arrive as a JSON object (the admin API's ``config``), as
``KEY=VALUE`` text (the CLI's ``--set``, typed from the model's fields), or
both; :func:`resolve_settings` is the one merge rule every surface uses:

1. start from the stored settings (none for a new source);
2. each key of ``config`` replaces the stored value; ``null`` removes the key,
   so the model's default applies again;
3. then each ``KEY=VALUE`` the same way (a key given in both is refused, as is
   a key given twice);
4. refuse keys the model does not declare (naming the allowed ones), then
   validate the whole with the provider's ``ProviderInfo.config_model``.

What is stored is the model's dump of the settings that were set.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from hookgate.errors import UnknownProviderError
from hookgate.services.common import Invalid
from hookgate.setting_fields import (
    SettingField,
    accepts_unknown,
    problems,
    setting_fields,
    suggestion,
    unknown_key,
)

if TYPE_CHECKING:
    from hookgate.runtime import Runtime

_NOT_A_SETTING = (
    "'secret' is not a provider setting: give the signing secret as the source's secret "
    "(--secret, or `secret` in the API body); it is stored encrypted and can be rotated"
)


def settings_model(runtime: Runtime, provider: str) -> type[BaseModel] | None:
    """The provider's settings model (``None``: it takes no settings)."""
    try:
        return runtime.plugins.provider(provider).provider_info().config_model
    except UnknownProviderError as exc:
        raise Invalid(str(exc)) from exc


def parse_assignments(items: Iterable[str]) -> dict[str, str]:
    """``KEY=VALUE`` texts as a mapping; dashes in keys are underscores (``signature-header``)."""
    found: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip().replace("-", "_")
        if not sep or not key:
            raise Invalid(f"--set {item!r}: write KEY=VALUE, e.g. --set name=value")
        if key in found:
            raise Invalid(f"setting {key} is given twice: keep one --set {key}=...")
        found[key] = value
    return found


def typed(provider: str, model: type[BaseModel] | None, texts: Mapping[str, str]) -> dict[str, Any]:
    """Each text value typed from the model's field (integers, booleans, lists, ...)."""
    fields = _fields(provider, model, texts)
    out: dict[str, Any] = {}
    for key, text in texts.items():
        field = fields.get(key)
        try:
            out[key] = field.parse(text) if field else text
        except ValueError as exc:
            raise Invalid(f"invalid {provider} settings: {key}: {exc}") from None
    return out


def merge_settings(current: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """``current`` with ``changes`` applied: a value replaces, ``None`` removes the key."""
    merged = dict(current)
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def validate_settings(
    provider: str, model: type[BaseModel] | None, config: Mapping[str, Any]
) -> dict[str, Any]:
    """The settings as the provider's model accepts them, ready to store."""
    fields = _fields(provider, model, config)
    if model is None:
        return {}
    try:
        valid = model.model_validate(dict(config))
    except ValidationError as exc:
        found = problems(exc, fields)
        raise Invalid(
            f"invalid {provider} settings: {'; '.join(found)}",
            details={"problems": found, "allowed": list(fields)},
        ) from None
    return valid.model_dump(mode="json", exclude_unset=True)


def resolve_settings(
    runtime: Runtime,
    provider: str,
    *,
    current: Mapping[str, Any] | None = None,
    config: Mapping[str, Any] | None = None,
    assignments: Sequence[str] = (),
) -> dict[str, Any]:
    """The merge rule of this module's docstring, then validation: what to store."""
    model = settings_model(runtime, provider)
    texts = parse_assignments(assignments)
    twice = sorted(set(texts) & set(config or {}))
    if twice:
        raise Invalid(f"settings given both in config and as --set: {', '.join(twice)}")
    merged = merge_settings(current or {}, config or {})
    merged = merge_settings(merged, typed(provider, model, texts))
    return validate_settings(provider, model, merged)


def _fields(
    provider: str, model: type[BaseModel] | None, given: Iterable[str]
) -> dict[str, SettingField]:
    """The model's fields; refuses keys it does not declare, naming those it does."""
    keys = list(given)
    if model is None:
        if keys:
            raise Invalid(
                f"provider {provider!r} takes no settings, got {', '.join(sorted(keys))}",
                details={"key": keys[0], "allowed": []},
            )
        return {}
    fields = setting_fields(model)
    for key in keys:
        if key == "secret" and "secret" not in fields:
            raise Invalid(_NOT_A_SETTING, details={"key": key, "allowed": list(fields)})
        if key not in fields and not accepts_unknown(model):
            raise Invalid(
                unknown_key(key, list(fields), what=f"{provider} setting"),
                details={
                    "key": key,
                    "suggestion": suggestion(key, fields),
                    "allowed": list(fields),
                },
            )
    return fields


__all__ = [
    "merge_settings",
    "parse_assignments",
    "resolve_settings",
    "settings_model",
    "typed",
    "validate_settings",
]

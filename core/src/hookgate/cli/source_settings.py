"""``--set KEY=VALUE`` on the command line: help from the provider's own settings model.

``hookgate sources create --provider P --help`` lists the fields of P's
``ProviderInfo.config_model`` with their descriptions, types and allowed
values, so the help is as exact as the model that validates. An option that
names one of those settings (``--some-key`` for ``some_key``: the flags of
earlier versions) is answered with the ``--set`` spelling.
"""

from __future__ import annotations

from collections.abc import Sequence

import click
from pydantic import BaseModel

from hookgate.config import load_settings
from hookgate.errors import HookgateError
from hookgate.plugins import PluginManager
from hookgate.setting_fields import setting_fields

_PROVIDER_META = "hookgate.provider"


def provider_model(name: str) -> type[BaseModel] | None:
    """The settings model of an installed provider (for help: no runtime, no database)."""
    plugins = PluginManager(load_settings().provider_selection)
    return plugins.provider(name).provider_info().config_model


def _provider_in(args: Sequence[str]) -> str | None:
    """The ``--provider`` value among raw arguments (help is shown before they are parsed)."""
    for index, arg in enumerate(args):
        if arg == "--provider" and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith("--provider="):
            return arg.partition("=")[2]
    return None


def settings_rows(model: type[BaseModel]) -> list[tuple[str, str]]:
    """``(KEY=TYPE, description (default: ...))`` for each field, in the model's order."""
    rows = []
    for field in setting_fields(model).values():
        text = field.description or ""
        default = field.default_text()
        if field.required:
            text += " Required."
        elif default is not None:
            text += f" Default: {default}."
        rows.append((f"{field.name}={field.type_text()}", text.strip()))
    return rows


class ProviderSettingsCommand(click.Command):
    """A command taking ``--provider P`` and ``--set KEY=VALUE`` settings of P's model."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        provider = _provider_in(args)
        ctx.meta[_PROVIDER_META] = provider
        try:
            return super().parse_args(ctx, args)
        except click.NoSuchOption as exc:
            raise _moved_setting(exc, provider) or exc from None

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_options(ctx, formatter)
        provider = ctx.meta.get(_PROVIDER_META)
        if not provider:
            with formatter.section("Settings (--set KEY=VALUE)"):
                formatter.write_text(
                    "Each provider has its own: add --provider P to --help to list them."
                )
            return
        try:
            model = provider_model(provider)
        except HookgateError as exc:
            with formatter.section(f"Settings of {provider}"):
                formatter.write_text(str(exc))
            return
        with formatter.section(f"Settings of {provider} (--set KEY=VALUE, repeat)"):
            if model is None:
                formatter.write_text(f"{provider} takes no settings.")
            else:
                formatter.write_dl(settings_rows(model))


def _moved_setting(exc: click.NoSuchOption, provider: str | None) -> click.UsageError | None:
    """``--some-key`` when ``some_key`` is a setting of the provider: say to use ``--set``."""
    key = exc.option_name.lstrip("-").partition("=")[0].replace("-", "_")
    if not provider:
        return None
    try:
        model = provider_model(provider)
    except HookgateError:
        return None
    if model is None or key not in setting_fields(model):
        return None
    return click.UsageError(
        f"{exc.option_name} is not an option: {key} is a {provider} setting, "
        f"give it as --set {key}=VALUE",
        exc.ctx,
    )


__all__ = ["ProviderSettingsCommand", "provider_model", "settings_rows"]

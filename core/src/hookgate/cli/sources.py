"""``hookgate sources``: create, list, show, rotate, delete webhook sources."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import click

from hookgate.cli._common import emit, json_option, table, with_runtime
from hookgate.services import sources as service


@click.group()
def sources() -> None:
    """Webhook sources (admins only)."""


def _config_from(options: dict[str, Any], extra: tuple[str, ...]) -> dict[str, Any]:
    config = {k: v for k, v in options.items() if v is not None}
    for item in extra:
        key, sep, value = item.partition("=")
        if not sep:
            raise click.BadParameter(f"{item!r}: use KEY=VALUE", param_hint="--set")
        try:
            config[key.replace("-", "_")] = json.loads(value)
        except json.JSONDecodeError:
            config[key.replace("-", "_")] = value
    return config


@sources.command("create")
@click.option("--provider", required=True, help="Provider name (see `hookgate providers`).")
@click.option("--name", required=True, help="Unique in the workspace.")
@click.option("--signature-header", help="Custom sources: header carrying the signature.")
@click.option(
    "--algorithm",
    type=click.Choice(["sha1", "sha256", "sha512"]),
    help="Custom sources: HMAC algorithm.",
)
@click.option("--secret", help="Signing secret (generated when omitted; shown once).")
@click.option("--event", "events", multiple=True, help="Subscribe to an event type (repeat).")
@click.option(
    "--schema-policy",
    type=click.Choice(["record", "enforce"]),
    default="record",
    show_default=True,
    help="What a payload failing its schema does.",
)
@click.option(
    "--set",
    "extra",
    multiple=True,
    metavar="KEY=VALUE",
    help="Any other provider setting (repeat).",
)
@json_option
def create(
    provider: str,
    name: str,
    signature_header: str | None,
    algorithm: str | None,
    secret: str | None,
    events: tuple[str, ...],
    schema_policy: str,
    extra: tuple[str, ...],
    as_json: bool,
) -> None:
    """Create a source; prints its URL and signing secret (shown this once)."""
    config = _config_from({"signature_header": signature_header, "algorithm": algorithm}, extra)
    view = with_runtime(
        lambda rt, actor: service.create_source(
            rt,
            actor,
            provider=provider,
            name=name,
            config=config,
            secret=secret,
            events=list(events),
            schema_policy=schema_policy,
        )
    )
    emit(
        view.as_dict(),
        as_json,
        [
            f"id      {view.id}",
            f"url     {view.url}",
            f"secret  {view.secret}",
            "The secret is shown this once: configure the sender with it now.",
        ],
    )


@sources.command("list")
@json_option
def list_(as_json: bool) -> None:
    """List the workspace's sources."""
    views = with_runtime(service.list_sources)
    emit(
        [v.as_dict() for v in views],
        as_json,
        table([[v.id, v.provider, v.name, v.status, ",".join(v.events) or "*"] for v in views]),
    )


@sources.command("show")
@click.argument("source_id")
@json_option
def show(source_id: str, as_json: bool) -> None:
    """Show one source (its secret only as a hint)."""
    view = with_runtime(lambda rt, actor: service.get_source(rt, actor, source_id))
    emit(view.as_dict(), as_json, [f"{k:<14}{v}" for k, v in view.as_dict().items()])


@sources.command("rotate-secret")
@click.argument("source_id")
@click.option(
    "--grace", default=24.0, show_default=True, help="Hours the previous secret keeps verifying."
)
@json_option
def rotate(source_id: str, grace: float, as_json: bool) -> None:
    """Replace the signing secret; prints the new one (shown this once)."""
    view = with_runtime(
        lambda rt, actor: service.rotate_secret(rt, actor, source_id, grace=timedelta(hours=grace))
    )
    emit(view.as_dict(), as_json, [f"secret  {view.secret}"])


@sources.command("delete")
@click.argument("source_id")
def delete(source_id: str) -> None:
    """Delete a source with its triggers, events and runs."""
    with_runtime(lambda rt, actor: service.delete_source(rt, actor, source_id))
    click.echo(f"deleted {source_id}")

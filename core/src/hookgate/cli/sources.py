"""``hookgate sources``: create, list, show, change, sign for, rotate, delete webhook sources.

A source's provider settings are ``--set KEY=VALUE`` (repeatable): the
provider's settings model types and validates them, and
``hookgate sources create --provider P --help`` lists them
(:mod:`hookgate.cli.source_settings`).
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import click

from hookgate.cli._common import emit, json_option, table, with_runtime
from hookgate.cli.source_schemas import infer_schema_command, schema_group
from hookgate.cli.source_settings import ProviderSettingsCommand
from hookgate.runtime import Runtime
from hookgate.services import registration
from hookgate.services import sources as service
from hookgate.services.common import Actor
from hookgate.services.signing import curl_command, sign_delivery

_SET_HELP = "A provider setting (repeat); --provider P --help lists them."


@click.group()
def sources() -> None:
    """Webhook sources (admins only)."""


sources.add_command(infer_schema_command)
sources.add_command(schema_group)


@sources.command("create", cls=ProviderSettingsCommand)
@click.option("--provider", required=True, help="Provider name (see `hookgate providers`).")
@click.option("--name", required=True, help="Unique in the workspace.")
@click.option("--secret", help="Signing secret (generated when omitted; shown once).")
@click.option("--event", "events", multiple=True, help="Subscribe to an event type (repeat).")
@click.option(
    "--schema-policy",
    type=click.Choice(["record", "enforce"]),
    default="record",
    show_default=True,
    help="What a payload failing its schema does: recorded, or stopped.",
)
@click.option("--set", "assignments", multiple=True, metavar="KEY=VALUE", help=_SET_HELP)
@click.option(
    "--manual",
    is_flag=True,
    help="You will configure the sender by hand: print the provider's setup instructions.",
)
@click.option(
    "--connection",
    "connection_id",
    metavar="ID",
    help="Register the webhooks through this OAuth connection (see `hookgate connections`).",
)
@click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="TYPE:NAME",
    help="Register on this target (repeat), e.g. repository:octo-org/webapp.",
)
@click.option(
    "--project",
    "projects",
    multiple=True,
    metavar="KEY",
    help="Only these projects of the target (repeat), for targets that hold projects "
    "(e.g. site:<id> --project ENG --project OPS).",
)
@json_option
def create(
    provider: str,
    name: str,
    secret: str | None,
    events: tuple[str, ...],
    schema_policy: str,
    assignments: tuple[str, ...],
    manual: bool,
    connection_id: str | None,
    targets: tuple[str, ...],
    projects: tuple[str, ...],
    as_json: bool,
) -> None:
    """Create a source; prints its URL and signing secret (shown this once).

    Provider settings are --set KEY=VALUE (repeat), typed and checked by the
    provider's settings model; --provider P --help lists P's settings.
    """
    chosen: list[dict[str, Any]] = [_target(t) for t in targets]
    if projects:
        if not chosen:
            raise click.BadParameter("--project needs a --target", param_hint="--project")
        chosen = [{**t, "projects": list(projects)} for t in chosen]

    async def body(runtime: Runtime, actor: Actor) -> tuple[service.SourceView, str | None]:
        view = await service.create_source(
            runtime,
            actor,
            provider=provider,
            name=name,
            assignments=assignments,
            secret=secret,
            events=list(events),
            schema_policy=schema_policy,
            connection_id=connection_id,
            targets=chosen or None,
        )
        return view, await _instructions(runtime, view) if manual else None

    view, instructions = with_runtime(body)
    data = view.as_dict()
    if manual:
        data["setup_instructions"] = instructions
    emit(data, as_json, [*_created_lines(view), *(["", instructions] if instructions else [])])


def _target(text: str) -> dict[str, str]:
    kind, sep, name = text.partition(":")
    if not sep or not kind.strip() or not name.strip():
        raise click.BadParameter(f"{text!r}: use TYPE:NAME", param_hint="--target")
    return {"type": kind.strip(), "name": name.strip()}


async def _instructions(runtime: Runtime, view: service.SourceView) -> str:
    """The provider's own instructions for setting the sender up, else the generic ones."""
    record = await runtime.sources.load(view.id)
    assert record is not None  # created a moment ago
    text = runtime.plugins.provider(view.provider).setup_instructions(record.context())
    if text:
        return text
    events = ", ".join(view.events) or "the ones your triggers need"
    return "\n".join(
        [
            "Configure the sender's webhook with:",
            f"  URL           {record.url}",
            "  Content type  application/json",
            f"  Secret        {view.secret}",
            f"  Events        {events}",
        ]
    )


def _created_lines(view: service.SourceView) -> list[str]:
    lines = [
        f"id      {view.id}",
        f"url     {view.url}",
        f"secret  {view.secret}",
    ]
    if view.registration_status:
        lines.append(f"registration  {view.registration_status} on {len(view.targets)} target(s)")
        lines.append("The secret is shown this once; hookgate configured the provider with it.")
    else:
        lines.append("The secret is shown this once: configure the sender with it now.")
    if (view.url or "").startswith("/"):
        lines.append("The URL is relative: set HOOKGATE_PUBLIC_URL to the server's public address.")
    return lines


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
    """Show one source (its secret only as a hint) and its registered webhooks."""
    view = with_runtime(lambda rt, actor: service.get_source(rt, actor, source_id))
    data = view.as_dict()
    lines = [f"{k:<14}{v}" for k, v in data.items() if k != "webhooks"]
    lines += [
        f"webhook       {w['target']} #{w['remote_id']}  expires {w['expires_at'] or 'never'}"
        f"  refreshed {w['refreshed_at'] or 'never'}"
        for w in view.webhooks
    ]
    emit(data, as_json, lines)


@sources.command("update")
@click.argument("source_id")
@click.option("--name", help="A new name, unique in the workspace.")
@click.option("--event", "events", multiple=True, help="Subscribe to these event types (repeat).")
@click.option("--schema-policy", type=click.Choice(["record", "enforce"]))
@click.option("--set", "assignments", multiple=True, metavar="KEY=VALUE", help=_SET_HELP)
@click.option(
    "--unset", "unset", multiple=True, metavar="KEY", help="Back to the setting's default (repeat)."
)
@json_option
def update(
    source_id: str,
    name: str | None,
    events: tuple[str, ...],
    schema_policy: str | None,
    assignments: tuple[str, ...],
    unset: tuple[str, ...],
    as_json: bool,
) -> None:
    """Change a source: name, subscribed events, schema policy, provider settings.

    --set replaces one setting and keeps the others; --unset removes one (its
    default applies again). --event replaces the subscribed event types.
    """
    view = with_runtime(
        lambda rt, actor: service.update_source(
            rt,
            actor,
            source_id,
            name=name,
            events=list(events) if events else None,
            schema_policy=schema_policy,
            config={key.replace("-", "_"): None for key in unset},
            assignments=assignments,
        )
    )
    emit(view.as_dict(), as_json, [f"{k:<14}{v}" for k, v in view.as_dict().items()])


@sources.command("sign")
@click.argument("source_id")
@click.argument("payload_file")
@json_option
def sign(source_id: str, payload_file: str, as_json: bool) -> None:
    """Print the headers a sender adds to deliver PAYLOAD_FILE (- reads stdin), and a
    curl command that sends it.

    Signatures with a timestamp are accepted for a few minutes only (as long
    as the provider accepts a signed timestamp): sign again when testing later.
    """
    body = _read_body(payload_file)
    delivery = with_runtime(lambda rt, actor: sign_delivery(rt, actor, source_id, body))
    command = curl_command(delivery, _curl_data(payload_file, body))
    lines = [f"{name}: {value}" for name, value in delivery.headers.items()]
    emit({**delivery.as_dict(), "curl": command}, as_json, [*lines, "", command])


def _read_body(payload_file: str) -> bytes:
    if payload_file == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(payload_file).read_bytes()
    except OSError as exc:
        raise click.FileError(payload_file, exc.strerror or str(exc)) from exc


def _curl_data(payload_file: str, body: bytes) -> str:
    """curl's --data-binary: the file itself (exact bytes), or the body inline from stdin."""
    if payload_file != "-":
        return "@" + payload_file
    try:
        text = body.decode()
    except UnicodeDecodeError:
        return "@-"
    return "@-" if text.startswith("@") or "\0" in text else text


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
@click.option(
    "--force", is_flag=True, help="Delete even when the provider cannot delete the webhooks."
)
def delete(source_id: str, force: bool) -> None:
    """Delete a source with its triggers, events and runs (and its registered webhooks)."""
    with_runtime(lambda rt, actor: service.delete_source(rt, actor, source_id, force=force))
    click.echo(f"deleted {source_id}")


@sources.command("reconcile")
@click.argument("source_id")
@json_option
def reconcile(source_id: str, as_json: bool) -> None:
    """Check a registered source's webhooks now: create, adopt, repair, refresh, remove.

    Pushes the whole desired state (URL, secret, events) to the provider;
    exits 1 when the registration is not active afterwards.
    """

    async def body(runtime: Runtime, actor: Actor) -> service.SourceView:
        await registration.reconcile_now(runtime, actor, source_id)
        return await service.get_source(runtime, actor, source_id)

    view = with_runtime(body)
    status = view.registration_status
    lines = [f"registration  {status or 'none (no connection: nothing to reconcile)'}"]
    if view.registration_error:
        lines.append(f"error         {view.registration_error}")
    emit(view.as_dict(), as_json, lines)
    if status not in (None, "active"):
        raise SystemExit(1)


__all__ = ["sources"]

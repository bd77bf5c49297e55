"""``hookgate connections``: connect providers over OAuth from a terminal (admins).

``create`` prints the provider's authorize URL: open it in a browser, approve,
and the provider sends the browser back to hookgate's
``/oauth/{provider}/callback``, which activates the connection.
"""

from __future__ import annotations

import click

from hookgate.cli._common import emit, json_option, table, with_runtime
from hookgate.services import connections as service
from hookgate.services.connections import ConnectionView


def _lines(view: ConnectionView) -> list[str]:
    return [f"{k:<14}{'' if v is None else v}" for k, v in view.as_dict().items()]


def _authorize_lines(view: ConnectionView) -> list[str]:
    return [
        f"connection  {view.id} ({view.provider}, {view.status})",
        "Open this URL in a browser, approve hookgate's access, then confirm the account:",
        "",
        f"  {view.authorize_url}",
        "",
        f"Then `hookgate connections show {view.id}` says active. The URL works once, in "
        "one browser, for 10 minutes (HOOKGATE_OAUTH_STATE_TTL).",
    ]


def _pair(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise click.BadParameter(f"{text!r} is not KEY=VALUE", param_hint="--param")
    return key.strip(), value.strip()


@click.group()
def connections() -> None:
    """OAuth connections to providers (admins only)."""


@connections.command("create")
@click.option("--provider", required=True, help="A provider that uses OAuth.")
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="KEY=VALUE",
    help="What the provider needs first, e.g. subdomain=acme (repeat; see its docs page).",
)
@json_option
def create(provider: str, params: tuple[str, ...], as_json: bool) -> None:
    """Start a connection: prints the URL to open in a browser."""
    given = dict(_pair(p) for p in params)
    view = with_runtime(lambda rt, actor: service.create_connection(rt, actor, provider, given))
    emit(view.as_dict(), as_json, _authorize_lines(view))


@connections.command("reauthorize")
@click.argument("connection_id")
@json_option
def reauthorize(connection_id: str, as_json: bool) -> None:
    """Authorize a connection again (its grant was revoked or expired)."""
    view = with_runtime(lambda rt, actor: service.reauthorize(rt, actor, connection_id))
    emit(view.as_dict(), as_json, _authorize_lines(view))


@connections.command("list")
@json_option
def list_(as_json: bool) -> None:
    """List the workspace's connections."""
    views = with_runtime(service.list_connections)
    rows = [[v.id, v.provider, v.status, v.account_name or "", str(v.sources)] for v in views]
    emit([v.as_dict() for v in views], as_json, table(rows))


@connections.command("show")
@click.argument("connection_id")
@json_option
def show(connection_id: str, as_json: bool) -> None:
    """Show one connection."""
    view = with_runtime(lambda rt, actor: service.get_connection(rt, actor, connection_id))
    emit(view.as_dict(), as_json, _lines(view))


@connections.command("account")
@click.argument("connection_id")
@json_option
def account(connection_id: str, as_json: bool) -> None:
    """What the grant reaches: the targets sources can register on (asks the provider)."""
    found = with_runtime(lambda rt, actor: service.connection_account(rt, actor, connection_id))
    targets = [t.model_dump(mode="json") for t in found.targets]
    lines = [f"account  {found.name} ({found.account_id})"]
    lines += table([[t["type"], t["name"]] for t in targets])
    lines += [f"note     {note}" for note in found.notes]
    emit({**found.model_dump(mode="json"), "targets": targets}, as_json, lines)


@connections.command("delete")
@click.argument("connection_id")
def delete(connection_id: str) -> None:
    """Delete a connection no source uses."""
    with_runtime(lambda rt, actor: service.delete_connection(rt, actor, connection_id))
    click.echo(f"deleted {connection_id}")


__all__ = ["connections"]

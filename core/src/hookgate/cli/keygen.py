"""``hookgate keygen``: a new key for secrets at rest."""

from __future__ import annotations

import click
from cryptography.fernet import Fernet


@click.command()
@click.option("--bare", is_flag=True, help="Print the key alone, without `HOOKGATE_SECRET_KEY=`.")
def keygen(bare: bool) -> None:
    """Print a new HOOKGATE_SECRET_KEY (a Fernet key: 256 bits from the operating system).

    Set the same key on every process. To rotate, put a new key first and keep the old
    ones after it (HOOKGATE_SECRET_KEY=new,old): old secrets still decrypt (docs/deploy.md).
    """
    key = Fernet.generate_key().decode()
    click.echo(key if bare else f"HOOKGATE_SECRET_KEY={key}")

"""``hookgate new-provider NAME``: write a complete provider package to start from.

The package installs (``uv pip install -e ./hookgate-NAME``) and passes its
own tests at once: a plugin module with every ingest hook, a schemas folder
with one sample, the contract kit, a check that ``hookgate providers`` lists
it, a README. ``--oauth`` adds the OAuth and registration hooks and a fake API
that the kit's registration tests drive. The files are ``string.Template``s
under ``templates/provider`` (``$name``, ``$module``, ...).
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from string import Template

import click

NAME = re.compile(r"^[a-z][a-z0-9_]{1,30}$")
SAMPLE_EVENT = "item.created"

OAUTH_README = """

`--oauth` added `registration.py` (the OAuth flow and the webhook registration hooks) and
`fake_api.py` (a fake of the API they call, which the contract kit's registration tests
drive): change both together to match $title's API."""

# pluggy finds hooks by attribute: importing them into the plugin module registers them.
OAUTH_IMPORT = """from {module}.registration import (  # noqa: F401 - OAuth and registration hooks
    create_webhook,
    delete_webhook,
    list_webhooks,
    oauth_account,
    oauth_client,
    refresh_webhook,
    update_webhook,
)
"""

REGISTRATION_FAKE = '''
    def registration_fake(self) -> RegistrationFake:
        """A fresh fake $title API per test (see src/$module/fake_api.py)."""
        return FakeAPIRegistration(Fake${classname}API())
'''


@dataclass(frozen=True)
class ProviderNames:
    """Every spelling of the provider's name the templates use."""

    name: str

    @property
    def values(self) -> dict[str, str]:
        title = self.name.replace("_", " ").title()
        classname = title.replace(" ", "")
        return {
            "name": self.name,
            "module": f"hookgate_{self.name}",
            "dist": f"hookgate-{self.name.replace('_', '-')}",
            "title": title,
            "classname": classname,
            "header": f"X-{classname}",
        }


def _template(name: str) -> Template:
    text = (resources.files("hookgate.cli") / "templates" / "provider" / name).read_text("utf-8")
    return Template(text)


def render(name: str, *, oauth: bool = False) -> dict[str, str]:
    """The package's files (relative path → text) for provider ``name``."""
    values = ProviderNames(name).values
    module = values["module"]
    extra = {
        "oauth_import": OAUTH_IMPORT.format(module=module) if oauth else "",
        "oauth_info": "\n        needs_oauth=True," if oauth else "",
        "oauth_readme": Template(OAUTH_README).substitute(values) if oauth else "",
        "kit_class": "RegistrationContract" if oauth else "ProviderContract",
        "kit_imports": (
            "FakeAPIRegistration, RegistrationContract, RegistrationFake"
            if oauth
            else "ProviderContract"
        ),
        "fake_import": f"from {module}.fake_api import Fake{values['classname']}API\n"
        if oauth
        else "",
        "registration_fake": Template(REGISTRATION_FAKE).substitute(values) if oauth else "",
    }
    values = {**values, **extra}
    files = {
        "pyproject.toml": "pyproject.toml.tmpl",
        "README.md": "README.md.tmpl",
        f"src/{module}/__init__.py": "plugin.py.tmpl",
        f"src/{module}/schemas/{SAMPLE_EVENT}.json": "schema.json.tmpl",
        "tests/test_contract.py": "test_contract.py.tmpl",
        "tests/test_listed.py": "test_listed.py.tmpl",
    }
    if oauth:
        files[f"src/{module}/registration.py"] = "registration.py.tmpl"
        files[f"src/{module}/fake_api.py"] = "fake_api.py.tmpl"
    return {path: _template(source).substitute(values) for path, source in files.items()}


def check_name(name: str) -> str:
    if not NAME.match(name) or keyword.iskeyword(name):
        raise click.BadParameter(
            f"{name!r} is not a provider name: use 2-31 lower-case letters, digits and "
            "underscores, starting with a letter (it becomes the entry-point name and "
            f"the module hookgate_{name})"
        )
    return name


@click.command("new-provider")
@click.argument("name")
@click.option("--oauth", is_flag=True, help="Add OAuth, webhook registration and a fake API.")
@click.option(
    "--directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to write the package [default: ./hookgate-NAME].",
)
def new_provider(name: str, oauth: bool, directory: Path | None) -> None:
    """Write a provider package for NAME that installs and passes its tests as it is."""
    check_name(name)
    target = directory or Path(ProviderNames(name).values["dist"])
    if target.exists() and any(target.iterdir()):
        raise click.ClickException(f"{target} exists and is not empty: choose another --directory")
    for relative, text in render(name, oauth=oauth).items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    click.echo(f"wrote {target}/ for provider {name!r}. Next:")
    click.echo(f"  uv pip install -e '{target}[test]'   # or pip install -e ...")
    click.echo(f"  pytest {target}/tests                  # the contract kit")
    click.echo(f"  hookgate providers                     # lists {name} ok")


__all__ = ["new_provider", "render"]

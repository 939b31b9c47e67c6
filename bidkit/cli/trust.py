"""``bidkit trust``: the company trust file (admin) and the trust this machine has installed."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bidkit.cli.common import out
from bidkit.core.errors import InputError
from bidkit.store import keys, trust

app = typer.Typer(help="Company trust: which QA reviewers' keys open the price lock (signed by the company admin).",
                  no_args_is_help=True)

File = Annotated[Path, typer.Argument(help="The company trust file (JSON, signed by the admin key).",
                                      show_default=False)]
AdminKey = Annotated[Path, typer.Option("--admin-key", help="The company admin's private key file.",
                                        show_default=False)]


def _show(label: str, tf: object) -> None:
    from bidkit.core.trust import TrustFile

    assert isinstance(tf, TrustFile)
    out(f"{label}{tf.label()}")
    for r in tf.reviewers:
        out(f"  {r.role} {r.name}  {r.public_key}")


@app.command()
def init(
    file: File,
    issuer: Annotated[str, typer.Option("--issuer", help="Who keeps it, e.g. the company's QA department.",
                                        show_default=False)],
    admin_key: AdminKey,
    project: Annotated[list[str] | None, typer.Option("--project", help="Limit it to this project code "
                                                      "(repeatable; default: every project).")] = None,
) -> None:
    """Create a company trust file (version 1, no reviewers), signed with the admin key (admin)."""
    tf = trust.create(file, issuer, keys.load_private(admin_key), project or [])
    out(f"created {file}: {tf.label()}")
    out(f"publish this admin key fingerprint to every user (they compare it when installing): {tf.admin_fingerprint}")


@app.command()
def add(
    file: File,
    name: Annotated[str, typer.Option("--name", help="The reviewer's name, as it appears on approvals.",
                                      show_default=False)],
    public_key: Annotated[str, typer.Option("--public-key", help="The line printed by bidkit keys new.",
                                            show_default=False)],
    admin_key: AdminKey,
) -> None:
    """Trust a QA reviewer's public key: a new version of the file, signed (admin)."""
    tf = trust.add(file, name, public_key, keys.load_private(admin_key))
    out(f"{file}: v{tf.version} trusts {name}; each machine installs it: bidkit trust install {file} "
        f"--fingerprint '{tf.admin_fingerprint}'")


@app.command()
def remove(
    file: File,
    name: Annotated[str, typer.Option("--name", help="The reviewer to remove.", show_default=False)],
    admin_key: AdminKey,
) -> None:
    """Stop trusting a reviewer: a new version of the file, signed (admin)."""
    tf = trust.remove(file, name, keys.load_private(admin_key))
    out(f"{file}: v{tf.version} no longer trusts {name}; install it on every machine")


@app.command()
def install(
    file: Annotated[Path | None, typer.Argument(help="The company trust file (not with --demo).",
                                                show_default=False)] = None,
    fingerprint: Annotated[str | None, typer.Option(
        "--fingerprint", help="The admin key fingerprint the company admin published (compare it out of band).",
        show_default=False)] = None,
    demo: Annotated[bool, typer.Option("--demo", help="Install the bundled DEMO trust (the sample's project only).")
                    ] = False,
) -> None:
    """Install a company trust file on this machine (after checking the admin key's fingerprint)."""
    if demo:
        tf, what = trust.install_demo()
    else:
        if file is None:
            raise InputError("FILE: give the company trust file to install (or --demo for the bundled sample's)")
        if not fingerprint:
            raise InputError("--fingerprint: give the admin key fingerprint the company admin published "
                             "(bidkit never trusts a file by its own word)")
        tf, what = trust.install(file, fingerprint)
    out(f"{what}: {tf.label()}")
    for r in tf.reviewers:
        out(f"  trusts {r.role} {r.name}  {r.public_key}")
    out(f"logged in {trust.trust_dir() / trust.LOG}")


@app.command()
def show(file: Annotated[Path | None, typer.Argument(help="A trust file to show (default: what this machine "
                                                     "has installed).")] = None) -> None:
    """Show a trust file, or every trust file this machine has installed."""
    if file is not None:
        _show("", trust.read(file))
        return
    files = trust.installed()
    if not files:
        out(f"no trust installed in {trust.trust_dir()}: no QA approval opens a price lock on this machine")
        return
    for tf in files:
        _show("installed: ", tf)

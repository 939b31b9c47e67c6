"""``bidkit keys``: reviewer key pairs and the workspace's trusted reviewers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bidkit.cli import common
from bidkit.cli.common import out
from bidkit.core.errors import InputError
from bidkit.store import audit, keys, lock
from bidkit.store.files import atomic_write

app = typer.Typer(help="Reviewer keys (Ed25519), trusted reviewers, signing certificates and tokens.",
                  no_args_is_help=True)

Name = Annotated[str, typer.Option("--name", help="The reviewer's name, as it appears on approvals.",
                                   show_default=False)]


@app.command()
def new(name: Name) -> None:
    """Create your key pair; the private key stays in your config folder (mode 0600)."""
    path, public = keys.new_key(name)
    out(f"private key: {path} (keep it private; never copy it into a workspace)")
    out("add this to the workspace's reviewers.yaml (the company admin does, e.g. with bidkit keys trust):")
    out(f"  - name: {name}")
    out(f"    public_key: {public}")


@app.command()
def show(name: Name) -> None:
    """Print the public key line of your key."""
    out(keys.public_line(keys.load_private(keys.key_path(name)).public_key()))


@app.command()
def trust(
    directory: Annotated[Path, typer.Argument(help="The bid workspace folder.", show_default=False)],
    name: Name,
    public_key: Annotated[str, typer.Option("--public-key", help="The line printed by bidkit keys new.",
                                            show_default=False)],
) -> None:
    """Add a reviewer's public key to the workspace's reviewers.yaml (company admin)."""
    ws = common.load(directory)
    keys.check_name(name)
    keys.parse_public(public_key)
    trusted = lock.reviewers(ws)
    if public_key in trusted.keys_of(name):
        out(f"{name} is trusted already")
        return
    if trusted.name_of(public_key) is not None:
        raise InputError(f"{lock.REVIEWERS}: this key is already trusted for '{trusted.name_of(public_key)}'")
    path = ws.root / lock.REVIEWERS
    text = path.read_text(encoding="utf-8") if path.exists() else (
        "# 可信审核人（质量管理部），由公司管理员维护。 Trusted QA reviewers, kept by the company admin.\nreviewers:\n"
    )
    if not trusted.reviewers and "reviewers:" not in text:
        text = text.rstrip("\n") + "\nreviewers:\n"
    quoted = name.replace('"', '\\"')
    text = text.rstrip("\n") + f'\n  - name: "{quoted}"\n    public_key: {public_key}\n'
    text = text.replace("reviewers: []\n", "reviewers:\n")
    atomic_write(path, text)
    lock.reviewers(ws)  # re-read: the file must still parse
    audit.append(ws.root, "keys.trust", {"reviewer": name, "public_key": public_key})
    out(f"trusted {name} in {path}")

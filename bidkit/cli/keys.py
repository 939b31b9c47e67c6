"""``bidkit keys``: reviewer key pairs, signing certificates and tokens (trust: ``bidkit trust``)."""

from __future__ import annotations

from typing import Annotated

import typer

from bidkit.cli.common import out
from bidkit.store import keys

app = typer.Typer(help="Reviewer keys (Ed25519), signing certificates and tokens.",
                  no_args_is_help=True)

Name = Annotated[str, typer.Option("--name", help="The reviewer's name, as it appears on approvals.",
                                   show_default=False)]


@app.command()
def new(name: Name) -> None:
    """Create your key pair; the private key stays in your config folder (mode 0600)."""
    path, public = keys.new_key(name)
    out(f"private key: {path} (keep it private; never copy it into a workspace)")
    out(f"public key: {public}")
    out("send the public key to the company admin, who adds it to the company trust file "
        f"(bidkit trust add FILE --name '{name}' --public-key {public})")


@app.command()
def show(
    name: Name,
    fingerprint: Annotated[bool, typer.Option(
        "--fingerprint", help="Print the key's fingerprint instead (the company admin publishes the admin key's: "
                              "every machine compares it in bidkit trust install).")] = False,
) -> None:
    """Print the public key line of your key (or its fingerprint)."""
    from bidkit.core.trust import fingerprint as fingerprint_of

    public = keys.public_line(keys.load_private(keys.key_path(name)).public_key())
    out(fingerprint_of(public) if fingerprint else public)



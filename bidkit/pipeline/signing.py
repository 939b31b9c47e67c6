"""The company certificate a workspace signs with, and the one ``bidkit verify`` trusts for a workspace."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from bidkit.core.errors import InputError
from bidkit.store.workspace import Workspace
from bidkit.store.workspace import load as load_ws

if TYPE_CHECKING:
    from bidkit.adapters.pdf.sign import Signer

SIGN_PASSWORD_ENV = "BIDKIT_SIGN_PASSWORD"  # bidkit.adapters.pdf.sign.ENV, without importing pyHanko (0.4 s)
Prompter = Callable[[str], str]

def workspace_signer(ws: Workspace, *, prompter: Prompter | None = None) -> Signer | None:
    """The signer configured in bidkit.yaml (``signing.certificate``), or None when there is none."""
    signing = ws.data.config.signing
    if signing is None:
        return None
    from bidkit.adapters.pdf.sign import load_signer  # pyHanko loads in the thread that needs it

    return load_signer(ws.path(signing.certificate, what="signing certificate"),
                       f"bidkit.yaml signing.certificate {signing.certificate}", prompter=prompter)


def workspace_trust(package: Path, workspace: Path | None = None) -> tuple[Path, str] | None:
    """The certificate a workspace trusts: the ``.crt`` beside ``signing.certificate`` of its bidkit.yaml.

    ``workspace`` defaults to the folder holding the package's ``build/`` folder (``WS/build/x.pdf``).
    """
    if workspace is None:
        parent = package.resolve().parent
        if parent.name != "build" or not (parent.parent / "bidkit.yaml").is_file():
            return None
        workspace = parent.parent
    ws = load_ws(workspace, check_files=False)
    signing = ws.data.config.signing
    if signing is None:
        raise InputError(f"{workspace / 'bidkit.yaml'}: no signing.certificate; give the certificate with --trust")
    rel = str(Path(signing.certificate).with_suffix(".crt"))
    return ws.path(rel, what="trusted certificate"), f"{workspace.name}/{rel}"

"""``bidkit keys tokens MODULE``: the tokens a PKCS#11 module sees, and the certificates and keys on them (no
PIN)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bidkit.cli.common import out


def tokens(
    module: Annotated[Path, typer.Argument(help="The PKCS#11 module of the token's driver (a .so), e.g. "
                                                "/usr/lib/softhsm/libsofthsm2.so.", show_default=False)],
) -> None:
    """List the tokens a PKCS#11 module sees, their PIN state, certificates and keys (no PIN is asked)."""
    from bidkit.adapters.pdf.token import list_tokens

    path = str(module.absolute())  # a bare name would be looked up in the library path, not where it was given
    found = list_tokens(path, display=str(module))
    if not found:
        out(f"{module}: no token present (plug in the CA token)")
        return
    example = None
    for t in found:
        if not t.initialised:
            out(f"slot {t.slot}: uninitialised token ({t.manufacturer} {t.model})")
            continue
        out(f"slot {t.slot}: token '{t.label}' ({t.manufacturer} {t.model}, serial {t.serial}), PIN: {t.pin}")
        for c in t.certificates:
            out(f"  certificate '{c.label}' (id {c.id or '-'}, {c.usage}): {c.subject}, issued by {c.issuer}, "
                f"valid {c.valid_from} – {c.valid_to}")
            if example is None and c.usage in ("signing", "any") and c.label:
                example = (t.label, c.label)
        for k in t.keys:
            seen = "private key" if k.private else "public key; its private half shows only after login"
            out(f"  key '{k.label}' (id {k.id or '-'}, {k.kind}, {seen})")
        if t.note:
            out(f"  {t.note}")
        elif not t.certificates and not t.keys:
            out("  no certificate or key readable without the PIN")
    if example is not None:
        out(f"bidkit.yaml: signing: {{pkcs11: {{module: {path}, token: {example[0]}, key: {example[1]}}}}}")

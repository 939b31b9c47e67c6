"""``bidkit verify PACKAGE.pdf``: signature, coverage, trust and manifest of a sealed package."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from bidkit.cli.common import out
from bidkit.core.errors import InputError, PackageInvalid


def verify(
    package: Annotated[Path, typer.Argument(help="The package PDF.", show_default=False)],
    trust: Annotated[Path | None, typer.Option(
        "--trust", help="The certificate to trust (PEM/DER .crt); default: the .crt beside the workspace's "
                        "signing.certificate.", show_default=False)] = None,
    workspace: Annotated[Path | None, typer.Option(
        "--workspace", help="Workspace whose certificate to trust (default: the one holding the package's "
                            "build/ folder).", show_default=False)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a machine-readable report.")] = False,
) -> None:
    """Check that PACKAGE is exactly what the company signed; exit 6 with one line per finding if not."""
    from bidkit.adapters.pdf.verify import load_trusted, verify_package
    from bidkit.pipeline.signing import workspace_trust

    if trust is not None:
        source: tuple[Path, str] | None = (trust, str(trust))
    else:
        source = workspace_trust(package, workspace)
    if source is None:
        raise InputError(f"{package}: no certificate to trust; give it with --trust CERT.crt "
                         "(or --workspace DIR whose bidkit.yaml names signing.certificate)")
    trusted = load_trusted(*source)
    report = verify_package(package, trusted, display=str(package))
    if as_json:
        out(json.dumps({**report.summary(), "trusted": source[1]}, ensure_ascii=False))
    if report.problems:
        raise PackageInvalid(str(package), report.problems)
    if as_json:
        return
    m = report.manifest or {}
    out(f"ok: {package}")
    out(f"signed by: {report.signer} (certificate sha256 {report.signer_sha256}), trusted via {source[1]}")
    out(f"signed at: {report.signed_at} (signer's clock)")
    out("signature: PAdES, intact, covers the entire file")
    entries = m.get("entries", [])
    out(f"manifest: {m.get('project')} v{m.get('version')}, {len(entries)} entries, {report.pages} pages, "
        "every entry's pages match their digests")

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
    ca: Annotated[Path | None, typer.Option(
        "--ca", help="The CA root certificate(s) (PEM/DER) the signer's chain must reach, validated offline as "
                     "of the signing time; default for a token workspace: its signing.pkcs11.chain.",
        show_default=False)] = None,
    workspace: Annotated[Path | None, typer.Option(
        "--workspace", help="Workspace whose certificate to trust (default: the one holding the package's "
                            "build/ folder).", show_default=False)] = None,
    reviewers: Annotated[Path | None, typer.Option(
        "--reviewers", help="The company trust file: the QA approval the manifest carries must be signed by a "
                            "reviewer key it lists for the package's project.", show_default=False)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a machine-readable report.")] = False,
) -> None:
    """Check that PACKAGE is exactly what the company signed; exit 6 with one line per finding if not."""
    from bidkit.adapters.pdf.verify import load_trusted, verify_package
    from bidkit.pipeline.signing import Trust, approval_line, check_approval, workspace_trust

    if trust is not None and ca is not None:
        raise InputError("--trust and --ca: give one (--trust: the signer's own certificate; --ca: the CA root)")
    if trust is not None:
        source: Trust | None = Trust(trust, str(trust))
    elif ca is not None:
        source = Trust(ca, str(ca), ca=True)
    else:
        source = workspace_trust(package, workspace)
    if source is None:
        raise InputError(f"{package}: no certificate to trust; give it with --trust CERT.crt or --ca ROOT.pem "
                         "(or --workspace DIR whose bidkit.yaml names signing.certificate)")
    trusted = load_trusted(source.path, source.display)
    report = verify_package(package, trusted, display=str(package), ca=source.ca)
    if reviewers is not None and report.manifest is not None:
        report.problems.extend(check_approval(report.manifest, reviewers))
    if as_json:
        out(json.dumps({**report.summary(), "trusted": source.display, "ca": source.ca}, ensure_ascii=False))
    if report.problems:
        raise PackageInvalid(str(package), report.problems)
    if as_json:
        return
    m = report.manifest or {}
    out(f"ok: {package}")
    via = f"its chain reaches a CA root in {source.display}" if source.ca else f"trusted via {source.display}"
    out(f"signed by: {report.signer} (certificate sha256 {report.signer_sha256}), {via}")
    out(f"signed at: {report.signed_at} (signer's clock)")
    out("signature: PAdES, intact, covers the entire file")
    entries = m.get("entries", [])
    out(f"manifest: {m.get('project')} v{m.get('version')}, {len(entries)} entries, {report.pages} pages, "
        "every entry's pages match their digests")
    if report.chain:
        out(f"chain: {' ← '.join(report.chain)}")
    within = {True: "signed within it", False: "signed outside it", None: "no signing time"}
    out(f"certificate: issued by {report.issuer}, valid {report.valid_from} – {report.valid_to}; "
        f"{within[report.signed_within_validity]}")
    line = approval_line(m)
    if line is not None:
        checked = f"; checked against {reviewers}" if reviewers is not None else ""
        out(f"approval: {line}{checked}")

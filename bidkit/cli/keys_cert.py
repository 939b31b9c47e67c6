"""``bidkit keys cert``: a self-signed TEST certificate for signing packages (never for real bids)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bidkit.cli.common import out
from bidkit.core.errors import OutputError, SecretError
from bidkit.store.files import atomic_write


def cert(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for NAME.p12 and NAME.crt.", show_default=False)],
    name: Annotated[str, typer.Option("--name", help="Company name in the certificate's subject.")] = "bidkit",
    file: Annotated[str, typer.Option("--file", help="File name stem.")] = "TEST-company-cert",
    days: Annotated[int, typer.Option("--days", min=1, max=3650, help="Validity in days.")] = 365,
) -> None:
    """Make a self-signed TEST signing certificate: NAME.p12 (key, password-protected) and NAME.crt."""
    import os

    from bidkit.adapters.pdf import sign

    if "/" in file or "\\" in file or file.startswith("."):
        raise OutputError(f"--file: '{file}' must be a plain file name stem")
    p12_path, crt_path = out_dir / f"{file}.p12", out_dir / f"{file}.crt"
    for path in (p12_path, crt_path):
        if path.exists():
            raise OutputError(f"{path}: exists already and is never overwritten")
    secret = sign.password(str(p12_path))
    if os.environ.get(sign.ENV) is None and sign.PROMPT["ask"]("再次输入 (repeat): ") != secret:
        raise SecretError("the two passwords differ; nothing was written")
    p12, pem, subject = sign.make_test_certificate(name, secret, label="TEST", days=days)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{out_dir}: cannot create ({exc.strerror or exc})") from None
    atomic_write(p12_path, p12, overwrite=False)
    atomic_write(crt_path, pem, overwrite=False)
    out(f"certificate: {subject}")
    out(f"private key and certificate: {p12_path} (keep it private; bidkit.yaml signing.certificate points here)")
    out(f"certificate to trust: {crt_path} (bidkit verify --trust {crt_path})")

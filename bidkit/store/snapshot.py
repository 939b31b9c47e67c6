"""Read once: a private copy of everything that shapes a sealed package, taken at the start of an assembly.

Scans, seals, ID copies, chapter files, templates, the data files, the audit log and the encrypted prices are copied
once into a private temporary folder (``$TMPDIR/bidkit-snapshot-*``, 0700, removed however the assembly ends); the
approval is checked against the digests of those copies and every later stage reads only them. A file swapped in
the workspace while LibreOffice converts — and swapped back afterwards — is never read: what is sealed is exactly
what was checked.
"""

from __future__ import annotations

import contextlib
import dataclasses
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from bidkit.core import review
from bidkit.core.errors import OutputError
from bidkit.core.validation import DATA_FILES
from bidkit.store import audit, workspace
from bidkit.store.workspace import Workspace

PREFIX = "bidkit-snapshot-"


def files_of(ws: Workspace) -> list[str]:
    """Workspace-relative paths of every file an assembly reads."""
    rels = [f.name for f in DATA_FILES if (ws.root / f.name).exists()]
    rels += [name for name in (audit.LOG_NAME, "pricing.enc") if (ws.root / name).exists()]
    rels += review.embedded_files(ws.data)
    signing = ws.data.config.signing
    if signing is not None and signing.certificate:
        rels.append(signing.certificate)
        crt = Path(signing.certificate).with_suffix(".crt").as_posix()
        if (ws.root / crt).exists():
            rels.append(crt)
    if signing is not None and signing.pkcs11 is not None and signing.pkcs11.chain:
        rels.append(signing.pkcs11.chain)  # the token's certificate chain (the module itself is outside)
    rels += list(ws.data.config.templates.values())
    templates = ws.root / "templates"
    if templates.is_dir():
        rels += [p.relative_to(ws.root).as_posix() for p in sorted(templates.rglob("*"))
                 if (p.is_file() or p.is_symlink()) and not p.name.startswith(".")]
    return sorted(set(rels))


@contextlib.contextmanager
def snapshot(ws: Workspace) -> Iterator[Workspace]:
    """A workspace reading from a private copy of ``ws`` (its build/ and messages stay ``ws``'s). The copy lives in
    a private temporary folder (0700), not in build/: nothing is written to the workspace before the work starts
    (a wrong token PIN leaves no build folder), and it holds no plaintext price (pricing.enc stays encrypted)."""
    try:
        folder = Path(tempfile.mkdtemp(prefix=PREFIX))
    except OSError as exc:
        raise OutputError(f"{tempfile.gettempdir()}: cannot write ({exc.strerror or exc})") from None
    try:
        for rel in files_of(ws):
            source = ws.path(rel, what="file")  # inside the workspace (symlinks resolved and checked)
            target = folder / rel
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
            except OSError as exc:
                raise OutputError(f"{folder.parent}: cannot write a private copy of {rel} for the assembly "
                                  f"({exc.strerror or exc})") from None
        # the data is what the copies hold: a data file swapped between the first load and the copy cannot make
        # the checked bytes and the rendered data differ (the files they name were checked by the first load; the
        # book reads only those copied here). Copies byte for byte what the first load parsed are that data
        # already (parsing and validating the big bid's data again took 0.08 s); any other are parsed again.
        if _same_data(ws, folder):
            yield dataclasses.replace(ws, root=folder, origin=ws.home)
        else:
            yield dataclasses.replace(workspace.load(folder, check_files=False), origin=ws.home)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _same_data(ws: Workspace, folder: Path) -> bool:
    """The data files copied into ``folder`` are exactly those ``ws`` was parsed from (same names, same bytes)."""
    copied = {f.name for f in DATA_FILES if (folder / f.name).is_file()}
    if not ws.sources or copied != set(ws.sources):
        return False
    try:
        return all((folder / name).read_bytes() == blob for name, blob in ws.sources.items())
    except OSError:
        return False

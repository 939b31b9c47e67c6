"""DEMO material: the files of bidkit's bundled samples (seals, ID pictures, scans, chapter files, the DEMO
certificate), known by their content, and the project codes they serve. A workspace's own files are compared with
them by size, then SHA-256, so a copy is recognised under any name and whatever the workspace says of itself.

The project codes are those the bundled DEMO trust file is scoped to (``samples/demo-trust.json``, signed by the
DEMO admin key): one statement of what DEMO material serves, for the DEMO reviewer key (through the trust file) and
for the DEMO seals and certificate (here) alike."""

from __future__ import annotations

import functools
from pathlib import Path

from bidkit.core.errors import BidkitError
from bidkit.core.trust import same_fingerprint
from bidkit.store import trust
from bidkit.store.files import file_sha256
from bidkit.store.resources import samples_dir

SUFFIXES = (".png", ".jpg", ".jpeg", ".pdf", ".docx", ".p12", ".pfx", ".crt", ".pem", ".cer")


@functools.cache
def index() -> dict[int, dict[str, str]]:
    """size → sha256 → the sample's file, e.g. ``city-surveillance/seals/company_seal.png``. Read once per process
    from the bundled samples."""
    files: dict[int, dict[str, str]] = {}
    root = samples_dir()
    for sample in sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []:
        for f in sorted(sample.rglob("*")):
            rel = f.relative_to(sample)
            if f.is_file() and f.suffix.lower() in SUFFIXES and "build" not in rel.parts:
                files.setdefault(f.stat().st_size, {})[file_sha256(f)] = f"{sample.name}/{rel.as_posix()}"
    return files


def sample_copy(path: Path) -> str | None:
    """The bundled sample's file that ``path`` is a byte-for-byte copy of, if any."""
    files = index()
    try:
        known = files.get(path.stat().st_size)
        return known.get(file_sha256(path)) if known else None
    except OSError:
        return None


@functools.cache
def sample_codes() -> frozenset[str]:
    """The project codes DEMO material serves: those the bundled DEMO trust file is scoped to (none when it cannot
    be read: then DEMO material serves no project)."""
    try:
        tf = trust.read(trust.demo_path())
    except BidkitError:
        return frozenset()
    if not tf.demo or not same_fingerprint(trust.DEMO_ADMIN_FINGERPRINT, tf.admin_key):
        return frozenset()
    return frozenset(tf.projects)

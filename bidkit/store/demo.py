"""DEMO material: the files of bidkit's bundled samples (seals, ID pictures, scans, chapter files, the DEMO
certificate), known by their content, and the project codes they serve. A workspace's own files are compared with
them by size, then SHA-256, so a copy is recognised under any name and whatever the workspace says of itself."""

from __future__ import annotations

import functools
from pathlib import Path

from bidkit.core.errors import InputError
from bidkit.store import yamlio
from bidkit.store.files import file_sha256
from bidkit.store.resources import samples_dir

SUFFIXES = (".png", ".jpg", ".jpeg", ".pdf", ".docx", ".p12", ".pfx", ".crt", ".pem", ".cer")


@functools.cache
def index() -> tuple[dict[int, dict[str, str]], frozenset[str]]:
    """(size → sha256 → the sample's file, e.g. ``city-surveillance/seals/company_seal.png``; the samples' project
    codes). Read once per process from the bundled samples."""
    files: dict[int, dict[str, str]] = {}
    codes: set[str] = set()
    root = samples_dir()
    for sample in sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []:
        project = sample / "project.yaml"
        if project.is_file():
            try:
                code = yamlio.parse(project.read_bytes(), "project.yaml").get("code")
            except (InputError, AttributeError):
                code = None
            if isinstance(code, str):
                codes.add(code)
        for f in sorted(sample.rglob("*")):
            rel = f.relative_to(sample)
            if f.is_file() and f.suffix.lower() in SUFFIXES and "build" not in rel.parts:
                files.setdefault(f.stat().st_size, {})[file_sha256(f)] = f"{sample.name}/{rel.as_posix()}"
    return files, frozenset(codes)


def sample_copy(path: Path) -> str | None:
    """The bundled sample's file that ``path`` is a byte-for-byte copy of, if any."""
    files, _ = index()
    try:
        known = files.get(path.stat().st_size)
        return known.get(file_sha256(path)) if known else None
    except OSError:
        return None


def sample_codes() -> frozenset[str]:
    """The project codes DEMO material serves: the bundled samples' own."""
    return index()[1]

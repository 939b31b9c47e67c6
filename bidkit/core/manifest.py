"""The package manifest (pure): what is in a sealed package, where, and digests to check it by.

Interface (used by :mod:`bidkit.pipeline.assemble` and :mod:`bidkit.adapters.pdf.verify`)::

    build_manifest(*, project_code, version, bidkit_version, parts, attachments, approval, draft, front=(),
                   signer=None) -> dict            # entries are ManifestEntry values
    with_page_digests(manifest, {name: digest}) -> dict   # fills each entry's "pages_sha256"
    manifest_json(manifest) -> bytes               # canonical: sorted keys, no spaces, UTF-8
    parse_manifest(blob, where) -> dict            # IntegrityError when it is not a bidkit manifest
    check_manifest(manifest, pages_total, part_digests) -> list[str]   # problems, [] when consistent

Two digests per entry: ``sha256`` is of the part's own PDF (as converted, or the attachment file as given) and
documents the input; it cannot be recomputed from the package, whose pages are merged and stamped.
``pages_sha256`` is of the entry's pages *as they are in the package* (see
:func:`bidkit.adapters.pdf.embed.page_digests`) and is what ``bidkit verify`` recomputes. The manifest holds no
prices, internal cost or passphrases: only names, titles, page ranges, digests, the approval's reviewer, time
and input digest, and the signer certificate's SHA-256 fingerprint, subject and issuer (``signer``; none for a
package that is not signed), which ``bidkit verify`` compares with the signature's certificate.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bidkit.core.errors import IntegrityError

FORMAT = "bidkit-manifest/1"
KINDS = ("front", "chapter", "part", "attachment")
# the only approval fields a manifest carries: who approved and when, the inputs' digest, the signed statement itself
# (so a verifier checks it against the trust it holds), which trust file vouched (DEMO stamped) and the audit log's
# head when the package was sealed (the package's signature covers it: a checkpoint of the log)
APPROVAL_KEYS = ("reviewer", "time", "decision", "digest", "statement", "trust", "demo", "log_head")
SIGNER_KEYS = ("sha256", "subject", "issuer")  # the only signer fields: public, from the certificate


@dataclass(frozen=True)
class ManifestEntry:
    """A part, attachment or front page group; pages are 1-based and inclusive, in the package."""

    name: str
    title: str
    kind: str
    sha256: str | None
    first_page: int
    last_page: int
    notes: tuple[str, ...] = ()  # what sealing changed in an attachment (encryption not kept, form flattened …)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "title": self.title, "kind": self.kind, "sha256": self.sha256,
                               "first_page": self.first_page, "last_page": self.last_page, "pages_sha256": None}
        if self.notes:
            out["notes"] = list(self.notes)
        return out


def build_manifest(
    *,
    project_code: str,
    version: int,
    bidkit_version: str,
    parts: list[ManifestEntry],
    attachments: list[ManifestEntry],
    approval: dict[str, Any] | None,
    draft: bool,
    front: list[ManifestEntry] | tuple[ManifestEntry, ...] = (),
    signer: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The manifest as a JSON-ready dict; ``approval`` is reduced to reviewer, time, decision and digest,
    ``signer`` to the certificate's sha256, subject and issuer."""
    entries = sorted([*front, *parts, *attachments], key=lambda e: e.first_page)  # in the package's page order
    for entry in entries:
        if entry.kind not in KINDS:
            raise ValueError(f"manifest entry {entry.name}: unknown kind {entry.kind!r}")
    names = [e.name for e in entries]
    if len(set(names)) != len(names):
        raise ValueError("manifest entries must have distinct names")
    return {
        "format": FORMAT,
        "project": project_code,
        "version": version,
        "bidkit": bidkit_version,
        "draft": draft,
        "pages": max((e.last_page for e in entries), default=0),
        "approval": {k: approval[k] for k in APPROVAL_KEYS if k in approval} if approval else None,
        "signer": {k: signer[k] for k in SIGNER_KEYS if k in signer} if signer else None,
        "entries": [e.as_dict() for e in entries],
    }


def with_page_digests(manifest: dict[str, Any], digests: dict[str, str]) -> dict[str, Any]:
    """A copy of ``manifest`` whose entries carry the digests of their pages in the package."""
    out = dict(manifest)
    out["entries"] = [{**e, "pages_sha256": digests.get(e["name"])} for e in manifest["entries"]]
    return out


def manifest_json(manifest: dict[str, Any]) -> bytes:
    """The canonical bytes that are embedded: sorted keys, no spaces, UTF-8."""
    return json.dumps(manifest, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def parse_manifest(blob: bytes, where: str) -> dict[str, Any]:
    """The manifest in ``blob``; :class:`IntegrityError` naming ``where`` if it is not one."""
    try:
        value = json.loads(blob.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise IntegrityError(f"{where}: embedded manifest is not valid JSON") from None
    if not isinstance(value, dict) or value.get("format") != FORMAT:
        raise IntegrityError(f"{where}: embedded manifest is not a {FORMAT} manifest")
    entries = value.get("entries")
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise IntegrityError(f"{where}: embedded manifest has no entry list")
    for e in entries:
        if not (isinstance(e.get("name"), str) and isinstance(e.get("first_page"), int)
                and isinstance(e.get("last_page"), int)):
            raise IntegrityError(f"{where}: embedded manifest has a malformed entry")
    return value


def check_manifest(manifest: dict[str, Any], pages_total: int, part_digests: dict[str, str]) -> list[str]:
    """Problems between the manifest and the package: page ranges and page digests (``{name: digest}``)."""
    problems: list[str] = []
    entries = manifest["entries"]
    expected = 1
    for e in entries:
        label = _label(e)
        first, last = e["first_page"], e["last_page"]
        if first > last or first < 1:
            problems.append(f"manifest: {label} has an impossible page range {first}–{last}")
        elif first != expected:
            problems.append(f"manifest: {label} starts on page {first}, expected {expected}")
        expected = max(expected, last + 1)
    if entries and expected - 1 != pages_total:
        problems.append(f"page count: the package has {pages_total} pages, the manifest lists {expected - 1}")
    if isinstance(manifest.get("pages"), int) and manifest["pages"] != pages_total and expected - 1 == pages_total:
        problems.append(f"page count: the package has {pages_total} pages, the manifest says {manifest['pages']}")
    if pages_total == 0:
        problems.append("page count: the package has no pages")
    for e in entries:
        want = e.get("pages_sha256")
        if want is None:
            continue
        got = part_digests.get(e["name"])
        if got is None:
            problems.append(f"{_label(e)}: pages {e['first_page']}–{e['last_page']} are missing")
        elif got != want:
            problems.append(f"{_label(e)}: pages {e['first_page']}–{e['last_page']} differ from the manifest")
    return problems


def page_ranges(manifest: dict[str, Any], pages_total: int) -> dict[str, tuple[int, int]]:
    """``{name: (first, last)}`` of the entries whose range lies inside the package."""
    return {e["name"]: (e["first_page"], e["last_page"]) for e in manifest["entries"]
            if 1 <= e["first_page"] <= e["last_page"] <= pages_total}


def _label(entry: dict[str, Any]) -> str:
    kind = {"part": "part", "chapter": "chapter", "attachment": "attachment", "front": "front pages"}.get(
        str(entry.get("kind")), "entry")
    return f"{kind} {entry.get('title') or entry['name']}"

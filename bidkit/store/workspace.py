"""A bid workspace on disk: its layout, and loading it through the one validation path.

:func:`load` reads every YAML file, runs :func:`bidkit.core.validation.validate` (each file's model, every
reference between files) and adds what needs the file system (scans, seals and templates named in the data
must exist inside the workspace). Every problem is reported at once; every command loads through here.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bidkit.core import validation
from bidkit.core.errors import InputError, OutputError, ValidationFailed
from bidkit.core.location import Location, Problem
from bidkit.core.models import BidData
from bidkit.store import yamlio
from bidkit.store.files import atomic_path, atomic_write, resolve_inside

__all__ = ["SUBDIRS", "Workspace", "atomic_path", "atomic_write", "init", "load", "raw_file", "replace_file",
           "resolve_inside", "save"]

SUBDIRS = ("attachments", "seals", "templates", "build")


@dataclass
class Workspace:
    """A loaded workspace: its root, its data and the parsed YAML (for line numbers)."""

    root: Path
    data: BidData
    raw: dict[str, Any] = field(default_factory=dict)
    origin: Path | None = None  # a snapshot's workspace (see bidkit.store.snapshot): where build/ and messages point

    @property
    def home(self) -> Path:
        """The workspace folder as the user knows it (a snapshot reads from a private copy of it)."""
        return self.origin or self.root

    @property
    def build_dir(self) -> Path:
        return self.home / "build"

    def path(self, rel: str, *, what: str = "file", must_exist: bool = True) -> Path:
        return resolve_inside(self.root, rel, what=what, must_exist=must_exist)


def _read_yaml(root: Path, name: str) -> Any:
    path = root / name
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError(f"{name}: file not found") from None
    if size > yamlio.MAX_YAML_BYTES:
        raise InputError(f"{name}: file too large ({size // (1024 * 1024)} MB; the limit is 5 MB)")
    try:
        data = yamlio.parse(path.read_bytes(), name)
    except IsADirectoryError:
        raise InputError(f"{name}: is a directory, expected a YAML file") from None
    except PermissionError:
        raise InputError(f"{name}: permission denied") from None
    if data is None:
        raise InputError(f"{name}: file is empty")
    if not isinstance(data, dict):
        raise InputError(f"{name}:1: expected a mapping of fields at the top level")
    return data


def file_references(root: Path, data: BidData, raw: dict[str, Any]) -> list[Problem]:
    """Files the data points at (scans, seals, template overrides, receipts, the contract) must exist inside the
    workspace."""
    refs: list[tuple[str, tuple[str | int, ...], str]] = []
    for i, q in enumerate(data.company.qualifications):
        refs.append(("company", ("qualifications", i, "scan"), q.scan))
    for fld in ("company_seal", "legal_rep_seal", "legal_rep_signature"):
        value = getattr(data.company, fld)
        if value:
            refs.append(("company", (fld,), value))
    for name, rel in data.config.templates.items():
        refs.append(("config", ("templates", name), rel))
    for fld in ("id_card_front", "id_card_back"):
        if value := getattr(data.company.legal_rep, fld):
            refs.append(("company", ("legal_rep", fld), value))
        if value := getattr(data.responses.authorisation.agent, fld):
            refs.append(("responses", ("authorisation", "agent", fld), value))
    for i, att in enumerate(data.responses.attachments):
        refs.append(("responses", ("attachments", i, "file"), att.file))
    for i, ch in enumerate(data.tender.chapters):
        if ch.file:
            refs.append(("tender", ("chapters", i, "file"), ch.file))
    bond = data.registration.bid_bond if data.registration else None
    if bond is not None and bond.receipt:
        refs.append(("registration", ("bid_bond", "receipt"), bond.receipt))
    if data.award is not None:
        if data.award.contract_scan:
            refs.append(("award", ("contract_scan",), data.award.contract_scan))
        pbond = data.award.performance_bond
        if pbond is not None and pbond.receipt:
            refs.append(("award", ("performance_bond", "receipt"), pbond.receipt))
    problems = []
    for key, path, rel in refs:
        try:
            resolve_inside(root, rel)
        except InputError as exc:
            loc = Location.of(validation.FILE_OF[key], raw.get(key), path)
            problems.append(Problem(Location(loc.file, loc.line or 1, path),
                                    f"{exc.message.split(': ', 1)[1]} ({rel})"))
    legacy = [name for name in LEGACY_PART_TEMPLATES if name in data.config.templates]
    legacy += [f"templates/{name}.docx" for name in LEGACY_PART_TEMPLATES
               if (root / "templates" / f"{name}.docx").exists()]
    for name in legacy:
        problems.append(Problem(Location("bidkit.yaml" if "/" not in name else name), (
            "whole-part templates are no longer used: the book is made of one form per chapter; override a "
            "chapter's form instead (templates/<form>.docx, see templates/README.md)")))
    return problems


LEGACY_PART_TEMPLATES = ("price_part", "commercial_part", "technical_part")


def _read_all(root: Path) -> tuple[dict[str, Any], list[str]]:
    """The parsed YAML of every data file (by field), and one message per file that could not be read."""
    if not root.is_dir():
        raise InputError(f"{root}: workspace folder not found")
    raw: dict[str, Any] = {}
    unreadable: list[str] = []
    for f in validation.DATA_FILES:
        if not (root / f.name).exists():
            if f.required:
                unreadable.append(f"{f.name}: file not found")
            continue
        try:
            raw[f.field] = _read_yaml(root, f.name)
        except InputError as exc:
            unreadable.append(exc.message)
    return raw, unreadable


def load(root: Path | str, *, check_files: bool = True) -> Workspace:
    """Load and validate a workspace; :class:`ValidationFailed` lists every problem found, in every file."""
    root = Path(root)
    raw, unreadable = _read_all(root)
    return _checked(root, raw, unreadable, check_files=check_files)


def raw_file(root: Path, field: str) -> dict[str, Any] | None:
    """The parsed YAML of one data file (``None`` when it does not exist)."""
    name = validation.FILE_OF[field]
    return _read_yaml(root, name) if (root / name).exists() else None


def replace_file(root: Path, field: str, value: dict[str, Any], header: str = "") -> Workspace:
    """Write the data file of ``field`` with ``value`` after the same checks a hand edit gets (its model, every
    reference between files, the files it names); on any problem :class:`ValidationFailed` and nothing written.
    Comments are not kept: ``header`` (comment lines) starts the new file."""
    raw, unreadable = _read_all(root)
    raw[field] = value
    ws = _checked(root, raw, unreadable, check_files=True)
    atomic_write(root / validation.FILE_OF[field], header + yamlio.dump(value))
    return ws


def _checked(root: Path, raw: dict[str, Any], unreadable: list[str], *, check_files: bool) -> Workspace:
    checked = validation.validate(raw)
    data = checked.data() if not unreadable else None
    problems = checked.problems
    if data is not None and check_files:
        problems = problems + file_references(root, data, raw)
    if unreadable or problems or data is None:
        raise ValidationFailed(unreadable + [str(p) for p in problems])
    return Workspace(root=root, data=data, raw=raw)


def save(root: Path, data: BidData) -> None:
    """Write every file of ``data`` into the workspace ``root`` (each atomically); comments are not kept."""
    for f in validation.DATA_FILES:
        value = getattr(data, f.field)
        if value is None:
            continue
        atomic_write(root / f.name, yamlio.dump(value.model_dump(mode="python", exclude_defaults=True)))


def init(target: Path, sample: Path) -> None:
    """Create a workspace at ``target`` as a copy of ``sample`` (without its build output)."""
    if target.exists() and any(target.iterdir()):
        raise OutputError(f"{target}: folder exists and is not empty")
    if not sample.is_dir():
        raise InputError(f"{sample}: sample workspace not found")
    parent = target.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=parent))
    except OSError as exc:
        raise OutputError(f"{target}: cannot create workspace ({exc.strerror or exc})") from None
    try:
        dest = staging / "ws"
        shutil.copytree(sample, dest, ignore=shutil.ignore_patterns("build", "__pycache__", "*.part"))
        for sub in SUBDIRS:
            (dest / sub).mkdir(exist_ok=True)
        if target.exists():
            target.rmdir()
        os.replace(dest, target)
    except OSError as exc:
        raise OutputError(f"{target}: cannot create workspace ({exc.strerror or exc})") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)

"""A bid workspace on disk: its layout, loading with every error at once, safe paths and atomic writes."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from . import yamlio
from .errors import InputError, OutputError, ValidationFailed
from .models import PART_NAMES, BidData

# model field → (file name, required). Prices are not here: they live encrypted in pricing.enc and reach
# ``BidData.pricing`` only through the price lock (bidkit.lock.with_prices).
FILES: dict[str, tuple[str, bool]] = {
    "config": ("bidkit.yaml", True),
    "company": ("company.yaml", True),
    "project": ("project.yaml", True),
    "tender": ("tender.yaml", True),
    "solution": ("solution.yaml", True),
    "responses": ("responses.yaml", True),
    "internal_cost": ("internal_cost.yaml", False),
    "acceptance": ("acceptance.yaml", False),
    "award": ("award.yaml", False),
    "progress": ("progress.yaml", False),
    "supply": ("supply.yaml", False),
    "payments": ("payments.yaml", False),
}
FILE_OF = {key: name for key, (name, _) in FILES.items()}
SUBDIRS = ("attachments", "seals", "templates", "build")


@dataclass
class Workspace:
    """A loaded workspace: its root, its data and the parsed YAML (for line numbers)."""

    root: Path
    data: BidData
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def build_dir(self) -> Path:
        return self.root / "build"

    def path(self, rel: str, *, what: str = "file", must_exist: bool = True) -> Path:
        return resolve_inside(self.root, rel, what=what, must_exist=must_exist)


def resolve_inside(root: Path, rel: str, *, what: str = "file", must_exist: bool = True) -> Path:
    """``root/rel`` after resolving symlinks; refuse anything that ends up outside ``root``."""
    if "\\" in rel:
        raise InputError(f"{rel}: use '/' in paths, not '\\'")
    candidate = Path(rel)
    if candidate.is_absolute():
        raise InputError(f"{rel}: {what} path must be relative to the workspace")
    real_root = root.resolve()
    target = (root / candidate).resolve()
    if target != real_root and real_root not in target.parents:
        raise InputError(f"{rel}: {what} path leads outside the workspace")
    if must_exist and not target.exists():
        raise InputError(f"{rel}: {what} not found in the workspace")
    return target


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


def _format_loc(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc) or "(top)"


_PLAIN_PROBLEMS = {
    "missing": "required field missing",
    "extra_forbidden": "unknown field",
    "int_parsing": "expected a whole number",
    "int_type": "expected a whole number",
    "int_from_float": "expected a whole number",
    "bool_parsing": "expected true or false",
    "bool_type": "expected true or false",
    "date_from_datetime_parsing": "expected a date like 2026-12-28",
    "date_from_datetime_inexact": "expected a date like 2026-12-28, without a time",
    "date_parsing": "expected a date like 2026-12-28",
    "date_type": "expected a date like 2026-12-28",
    "datetime_parsing": "expected a date and time like 2026-12-28 09:30",
    "datetime_from_date_parsing": "expected a date and time like 2026-12-28 09:30",
    "datetime_type": "expected a date and time like 2026-12-28 09:30",
    "string_type": "expected text",
    "list_type": "expected a list",
    "dict_type": "expected a mapping of fields",
    "model_type": "expected a mapping of fields",
    "model_attributes_type": "expected a mapping of fields",
    "string_too_short": "must not be empty",
    "too_short": "must not be empty",
}


def _problem_text(err: Any) -> str:
    plain = _PLAIN_PROBLEMS.get(err["type"])
    if plain:
        return plain
    return str(err["msg"]).removeprefix("Value error, ")


def validation_lines(exc: ValidationError, raw: dict[str, Any]) -> list[str]:
    """One ``file:line field.path: problem`` line per pydantic error of a :class:`BidData`."""
    lines = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        key = str(loc[0]) if loc else ""
        name = FILE_OF.get(key, "?")
        inner = loc[1:]
        source = raw.get(key)
        line = yamlio.line_of(source, inner) if source is not None else None
        where = f"{name}:{line}" if line else name
        lines.append(f"{where} {_format_loc(inner)}: {_problem_text(err)}")
    return lines


def cross_references(data: BidData, raw: dict[str, Any]) -> list[str]:
    """References between files that must resolve (unknown requirement, BOM line or qualification ids)."""
    problems: list[str] = []

    def at(key: str, path: tuple[str | int, ...], problem: str) -> None:
        line = yamlio.line_of(raw.get(key), path)
        problems.append(f"{FILE_OF[key]}:{line or 1} {_format_loc(path)}: {problem}")

    req_kind = {r.id: r.kind.value for r in data.tender.requirements}
    for table in ("technical", "commercial"):
        for i, row in enumerate(getattr(data.responses, table)):
            if row.requirement not in req_kind:
                at("responses", (table, i, "requirement"), f"unknown requirement '{row.requirement}'")
            elif req_kind[row.requirement] != table:
                kind = req_kind[row.requirement]
                at("responses", (table, i, "requirement"), f"requirement '{row.requirement}' is {kind}, not {table}")
    bom_ids = {b.id for b in data.solution.bom}
    items: list[tuple[str, list[str]]] = []
    if data.pricing is not None:
        items.append(("pricing", [p.item for p in data.pricing.lines]))
    if data.internal_cost is not None:
        items.append(("internal_cost", [c.item for c in data.internal_cost.lines]))
    for key, ids in items:
        for i, item in enumerate(ids):
            if item not in bom_ids:
                at(key, ("lines", i, "item"), f"unknown BOM line '{item}'")
    quals = {q.id for q in data.company.qualifications}
    for i, req in enumerate(data.tender.required_attachments):
        if req.qualification not in quals:
            at("tender", ("required_attachments", i, "qualification"), f"unknown qualification '{req.qualification}'")
    for i, part in enumerate(data.config.package.parts):
        if part not in PART_NAMES:
            at("config", ("package", "parts", i), f"unknown part '{part}' (one of {', '.join(PART_NAMES)})")
    return problems


def file_references(root: Path, data: BidData, raw: dict[str, Any]) -> list[str]:
    """Files the data points at (scans, seals, template overrides) must exist inside the workspace."""
    problems: list[str] = []
    refs: list[tuple[str, tuple[str | int, ...], str]] = []
    for i, q in enumerate(data.company.qualifications):
        refs.append(("company", ("qualifications", i, "scan"), q.scan))
    for fld in ("company_seal", "legal_rep_seal", "legal_rep_signature"):
        value = getattr(data.company, fld)
        if value:
            refs.append(("company", (fld,), value))
    for name, rel in data.config.templates.items():
        refs.append(("config", ("templates", name), rel))
    for key, path, rel in refs:
        try:
            resolve_inside(root, rel)
        except InputError as exc:
            line = yamlio.line_of(raw.get(key), path)
            problem = exc.message.split(": ", 1)[1]
            problems.append(f"{FILE_OF[key]}:{line or 1} {_format_loc(path)}: {problem} ({rel})")
    return problems


def load(root: Path | str, *, check_files: bool = True) -> Workspace:
    """Load and validate a workspace; raise :class:`ValidationFailed` listing every problem found."""
    root = Path(root)
    if not root.is_dir():
        raise InputError(f"{root}: workspace folder not found")
    raw: dict[str, Any] = {}
    problems: list[str] = []
    for key, (name, required) in FILES.items():
        if not (root / name).exists():
            if required:
                problems.append(f"{name}: file not found")
            continue
        try:
            raw[key] = _read_yaml(root, name)
        except InputError as exc:
            problems.append(exc.message)
    if problems:
        raise ValidationFailed(problems)
    try:
        data = BidData.model_validate(raw)
    except ValidationError as exc:
        raise ValidationFailed(validation_lines(exc, raw)) from None
    problems = cross_references(data, raw)
    if check_files:
        problems += file_references(root, data, raw)
    if problems:
        raise ValidationFailed(problems)
    return Workspace(root=root, data=data, raw=raw)


# --- writing -------------------------------------------------------------------------------------------------


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def atomic_path(target: Path, *, overwrite: bool = True) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success it becomes ``target`` in one step.

    With ``overwrite=False`` an existing ``target`` is never replaced (:class:`OutputError`). On any failure the
    temporary file is removed and ``target`` is untouched.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    if not overwrite and target.exists():
        raise OutputError(f"{target}: exists already and is never overwritten")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        if overwrite:
            os.replace(tmp, target)
        else:
            try:
                os.link(tmp, target)  # fails if target appeared meanwhile
            except FileExistsError:
                raise OutputError(f"{target}: exists already and is never overwritten") from None
            tmp.unlink()
        _fsync_dir(target.parent)
    except OSError as exc:
        raise OutputError(f"{target}: cannot write ({exc.strerror or exc})") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def atomic_write(target: Path, content: bytes | str, *, overwrite: bool = True) -> None:
    data = content.encode("utf-8") if isinstance(content, str) else content
    with atomic_path(target, overwrite=overwrite) as tmp:
        tmp.write_bytes(data)


def save(root: Path, data: BidData) -> None:
    """Write every file of ``data`` into the workspace ``root`` (each atomically); comments are not kept."""
    for key, (name, _) in FILES.items():
        value = getattr(data, key)
        if value is None:
            continue
        atomic_write(root / name, yamlio.dump(value.model_dump(mode="python", exclude_defaults=True)))


def init(target: Path, sample: Path) -> None:
    """Create a workspace at ``target`` as a copy of ``sample`` (without its build output)."""
    if target.exists() and any(target.iterdir()):
        raise OutputError(f"{target}: folder exists and is not empty")
    if not sample.is_dir():
        raise InputError(f"{sample}: sample workspace not found")
    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=parent))
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

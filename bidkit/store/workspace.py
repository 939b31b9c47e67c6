"""A bid workspace on disk: its layout, and loading it through the one validation path.

:func:`load` reads every YAML file, runs :func:`bidkit.core.validation.validate` (each file's model, every
reference between files) and adds what needs the file system (scans, seals and templates named in the data
must exist inside the workspace). Every problem is reported at once; every command loads through here.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from bidkit.core import validation
from bidkit.core.errors import InputError, IntegrityError, OutputError, ValidationFailed
from bidkit.core.location import Location, Problem
from bidkit.core.models import BidData
from bidkit.store import crypto, yamlio
from bidkit.store.files import atomic_path, atomic_write, resolve_inside

__all__ = ["SUBDIRS", "Workspace", "atomic_path", "atomic_write", "init", "load", "new", "raw_file",
           "replace_file", "resolve_inside", "save"]

SUBDIRS = ("attachments", "seals", "templates", "build")
PRICES = "pricing.enc"


@dataclass
class Workspace:
    """A loaded workspace: its root, its data and the parsed YAML (for line numbers)."""

    root: Path
    data: BidData
    raw: dict[str, Any] = field(default_factory=dict)
    origin: Path | None = None  # a snapshot's workspace (see bidkit.store.snapshot): where build/ and messages point
    sources: dict[str, bytes] = field(default_factory=dict, repr=False)  # each data file's bytes, as parsed

    @property
    def home(self) -> Path:
        """The workspace folder as the user knows it (a snapshot reads from a private copy of it)."""
        return self.origin or self.root

    @property
    def build_dir(self) -> Path:
        return self.home / "build"

    def path(self, rel: str, *, what: str = "file", must_exist: bool = True) -> Path:
        return resolve_inside(self.root, rel, what=what, must_exist=must_exist)


def _read_yaml(root: Path, name: str, sources: dict[str, bytes] | None = None) -> Any:
    path = root / name
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError(f"{name}: file not found") from None
    if size > yamlio.MAX_YAML_BYTES:
        raise InputError(f"{name}: file too large ({size // (1024 * 1024)} MB; the limit is 5 MB)")
    try:
        blob = path.read_bytes()
        data = yamlio.parse(blob, name)
    except IsADirectoryError:
        raise InputError(f"{name}: is a directory, expected a YAML file") from None
    except PermissionError:
        raise InputError(f"{name}: permission denied") from None
    if data is None:
        raise InputError(f"{name}: file is empty")
    if not isinstance(data, dict):
        raise InputError(f"{name}:1: expected a mapping of fields at the top level")
    if sources is not None:
        sources[name] = blob
    return data


FIXES = {
    "company_seal": "put the image of the company seal there (PNG, transparent background), or set company_seal "
                    "in company.yaml to where it is",
    "legal_rep_seal": "put the image of the legal representative's seal there (PNG, transparent background), or "
                      "set legal_rep_seal in company.yaml (remove the line if there is none)",
    "legal_rep_signature": "put the image of the signature there (PNG), or remove legal_rep_signature from "
                           "company.yaml",
    "scan": "put the scanned PDF there, or correct the path",
    "certificate": "make a TEST certificate there with `bidkit keys cert --out {root}/{folder}` (a real bid is "
                   "signed with the CA's certificate: signing.pkcs11, see `bidkit keys tokens MODULE`)",
}

Refs = list[tuple[str, tuple[str | int, ...], str]]


def file_refs(models: Mapping[str, Any]) -> Refs:
    """Every workspace file the data names: (field of the data file, path inside it, workspace-relative path).
    A group whose fields did not validate (a partial model) is left out: its own problem is listed."""
    refs: Refs = []

    def group(fill: Callable[[], None]) -> None:
        try:
            fill()
        except AttributeError:
            pass

    company: Any = models.get("company")
    config: Any = models.get("config")
    responses: Any = models.get("responses")
    tender: Any = models.get("tender")

    def company_files() -> None:
        for i, q in enumerate(company.qualifications):
            refs.append(("company", ("qualifications", i, "scan"), q.scan))

    def seals() -> None:
        for fld in ("company_seal", "legal_rep_seal", "legal_rep_signature"):
            if value := getattr(company, fld):
                refs.append(("company", (fld,), value))

    def legal_rep_ids() -> None:
        for fld in ("id_card_front", "id_card_back"):
            if value := getattr(company.legal_rep, fld):
                refs.append(("company", ("legal_rep", fld), value))

    def config_files() -> None:
        for name, rel in config.templates.items():
            refs.append(("config", ("templates", name), rel))

    def signing() -> None:
        if config.signing is not None and config.signing.certificate:
            refs.append(("config", ("signing", "certificate"), config.signing.certificate))
        if config.signing is not None and config.signing.pkcs11 is not None and config.signing.pkcs11.chain:
            refs.append(("config", ("signing", "pkcs11", "chain"), config.signing.pkcs11.chain))

    def agent_ids() -> None:
        for fld in ("id_card_front", "id_card_back"):
            if value := getattr(responses.authorisation.agent, fld):
                refs.append(("responses", ("authorisation", "agent", fld), value))

    def attachments() -> None:
        for i, att in enumerate(responses.attachments):
            refs.append(("responses", ("attachments", i, "file"), att.file))

    def chapters() -> None:
        for i, ch in enumerate(tender.chapters):
            if ch.file:
                refs.append(("tender", ("chapters", i, "file"), ch.file))

    def after_award() -> None:
        reg, award = models.get("registration"), models.get("award")
        bond = reg.bid_bond if reg is not None else None
        if bond is not None and bond.receipt:
            refs.append(("registration", ("bid_bond", "receipt"), bond.receipt))
        if award is not None:
            if award.contract_scan:
                refs.append(("award", ("contract_scan",), award.contract_scan))
            pbond = award.performance_bond
            if pbond is not None and pbond.receipt:
                refs.append(("award", ("performance_bond", "receipt"), pbond.receipt))

    if company is not None:
        for fill in (company_files, seals, legal_rep_ids):
            group(fill)
    if config is not None:
        group(config_files)
        group(signing)
    if responses is not None:
        group(agent_ids)
        group(attachments)
    if tender is not None:
        group(chapters)
    group(after_award)
    return refs


def file_references(root: Path, models: Mapping[str, Any] | BidData, raw: dict[str, Any]) -> list[Problem]:
    """Files the data points at (scans, seals, template overrides, the certificate, receipts, the contract) must
    exist inside the workspace; a missing seal or certificate names what to put there. ``models`` may hold the
    valid fields of an invalid file (so that one problem does not hide another)."""
    if isinstance(models, BidData):
        models = {f.field: getattr(models, f.field) for f in validation.DATA_FILES}
    seals = {("company", (f,)) for f in ("company_seal", "legal_rep_seal", "legal_rep_signature")}
    problems = []
    for key, path, rel in file_refs(models):
        loc = Location.of(validation.FILE_OF[key], raw.get(key), path)
        try:
            found = resolve_inside(root, rel)
        except InputError as exc:
            message = f"{exc.message.split(': ', 1)[1]} ({rel})"
            fix = FIXES.get(str(path[-1]))
            if fix is not None and message.startswith("file not found"):
                folder = str(PurePosixPath(rel).parent)
                message += ": " + fix.format(root=root, folder=folder if folder != "." else "")
            problems.append(Problem(Location(loc.file, loc.line or 1, path), message))
            continue
        size = picture_size(found) if (key, path) in seals else None
        if size is not None and size[0] * size[1] > MAX_SEAL_PIXELS:
            problems.append(Problem(Location(loc.file, loc.line or 1, path), (
                f"seal image too large ({size[0]} × {size[1]} pixels; at most {MAX_SEAL_PIXELS // 1_000_000} "
                f"million): a 42 mm seal needs about 1000 × 1000 ({rel})")))
    return problems


LEGACY_PART_TEMPLATES = ("price_part", "commercial_part", "technical_part")
MAX_SEAL_PIXELS = 25_000_000  # as bidkit.adapters.pdf.stamp, which decodes it


def picture_size(path: Path) -> tuple[int, int] | None:
    """A PNG's or JPEG's width and height read from its header (never decoded: a 140 KB PNG can hold 144 million
    pixels); None when the header is not one of those (the stamp then says what is wrong)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(24)
            if head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR":
                return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
            if head[:2] != b"\xff\xd8":
                return None
            fh.seek(2)
            for _ in range(1000):  # JPEG segments up to the frame header
                marker = fh.read(4)
                if len(marker) < 4 or marker[0] != 0xFF:
                    return None
                if 0xC0 <= marker[1] <= 0xCF and marker[1] not in (0xC4, 0xC8, 0xCC):
                    frame = fh.read(5)
                    return int.from_bytes(frame[3:5], "big"), int.from_bytes(frame[1:3], "big")
                fh.seek(int.from_bytes(marker[2:4], "big") - 2, os.SEEK_CUR)
    except OSError:
        return None
    return None


def legacy_templates(root: Path, models: Mapping[str, Any]) -> list[Problem]:
    config = models.get("config")
    try:
        legacy = [name for name in LEGACY_PART_TEMPLATES if config is not None and name in config.templates]
    except AttributeError:
        legacy = []
    legacy += [f"templates/{name}.docx" for name in LEGACY_PART_TEMPLATES
               if (root / "templates" / f"{name}.docx").exists()]
    return [Problem(Location("bidkit.yaml" if "/" not in name else name), (
        "whole-part templates are no longer used: the book is made of one form per chapter; override a "
        "chapter's form instead (templates/<form>.docx, see templates/README.md)")) for name in legacy]


def leftovers(root: Path, models: Mapping[str, Any]) -> list[Problem]:
    """Prices of another project (a workspace copied from another bid, or project.yaml's code changed), with what
    resets them. Only the project the file names is read here. (A QA decision of another project in audit.log is
    named, with its reset, where the review is read: :mod:`bidkit.store.lock`; the log's history stays valid, and
    a new request on it is allowed.)"""
    try:
        code = models["project"].code
    except (KeyError, AttributeError):
        return []
    problems: list[Problem] = []
    try:
        other = crypto.project_of((root / PRICES).read_bytes())
    except (OSError, IntegrityError):
        return problems
    if other != code:
        problems.append(Problem(Location(PRICES), crypto.other_project_message(other, code, root)))
    return problems


def _read_all(root: Path, sources: dict[str, bytes] | None = None) -> tuple[dict[str, Any], list[str]]:
    """The parsed YAML of every data file (by field), and one message per file that could not be read (with
    ``sources``: each file's bytes by name)."""
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
            raw[f.field] = _read_yaml(root, f.name, sources)
        except InputError as exc:
            unreadable.append(exc.message)
    return raw, unreadable


def load(root: Path | str, *, check_files: bool = True) -> Workspace:
    """Load and validate a workspace; :class:`ValidationFailed` lists every problem found, in every file."""
    root = Path(root)
    sources: dict[str, bytes] = {}
    raw, unreadable = _read_all(root, sources)
    return _checked(root, raw, unreadable, check_files=check_files, sources=sources)


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


def _checked(root: Path, raw: dict[str, Any], unreadable: list[str], *, check_files: bool,
             sources: dict[str, bytes] | None = None) -> Workspace:
    checked = validation.validate(raw)
    data = checked.data() if not unreadable else None
    problems = checked.problems
    if check_files:
        known = checked.known()
        problems = problems + file_references(root, known, raw) + legacy_templates(root, known) \
            + leftovers(root, known)
    if unreadable or problems or data is None:
        raise ValidationFailed(unreadable + [with_root(str(p), root) for p in problems])
    return Workspace(root=root, data=data, raw=raw, sources=sources or {})


_COMMAND = re.compile(r"`bidkit [^`]*`")


def with_root(message: str, root: Path) -> str:
    """``message`` with DIR in its `bidkit …` commands replaced by the workspace's path, to copy and run."""
    return _COMMAND.sub(lambda m: re.sub(r"\bDIR\b", str(root), m.group(0)), message)


def save(root: Path, data: BidData) -> None:
    """Write every file of ``data`` into the workspace ``root`` (each atomically); comments are not kept."""
    for f in validation.DATA_FILES:
        value = getattr(data, f.field)
        if value is None:
            continue
        atomic_write(root / f.name, yamlio.dump(value.model_dump(mode="python", exclude_defaults=True)))


def _create(target: Path, fill: Callable[[Path], None]) -> None:
    """Create the workspace ``target`` in a staging folder beside it (``fill`` writes its files), then move it into
    place: a failure leaves nothing behind."""
    if target.exists() and any(target.iterdir()):
        raise OutputError(f"{target}: folder exists and is not empty")
    parent = target.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=parent))
    except OSError as exc:
        raise OutputError(f"{target}: cannot create workspace ({exc.strerror or exc})") from None
    try:
        dest = staging / "ws"
        fill(dest)
        if target.exists():
            target.rmdir()
        os.replace(dest, target)
    except OSError as exc:
        raise OutputError(f"{target}: cannot create workspace ({exc.strerror or exc})") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


DEMO_NOTE = """\
# 演示工作区：bidkit init 复制的示例项目 {sample}。其中的印章、签名证书、审核密钥和扫描件都是 DEMO 材料，只能用于
# 示例项目 {code}；改成其他项目编号后，bidkit check 与 assemble 会拒绝它们。真实投标请用 bidkit new 新建工作区。
# DEMO WORKSPACE: a copy of the bundled sample {sample} made by bidkit init. Its seals, signing certificate,
# reviewer key and scans are DEMO material for the sample's project {code} only: under another project code,
# bidkit check and assemble refuse them. Start a real bid with bidkit new.
"""


def init(target: Path, sample: Path) -> None:
    """Create a workspace at ``target`` as a copy of ``sample`` (without its build output), marked as a demo
    workspace at the top of its bidkit.yaml (a comment: it changes no data, so the copied QA approval holds)."""
    if not sample.is_dir():
        raise InputError(f"{sample}: sample workspace not found")

    def fill(dest: Path) -> None:
        shutil.copytree(sample, dest, ignore=shutil.ignore_patterns("build", "__pycache__", "*.part"))
        for sub in SUBDIRS:
            (dest / sub).mkdir(exist_ok=True)
        config = dest / "bidkit.yaml"
        code = (_read_yaml(dest, "project.yaml") or {}).get("code", "")
        config.write_text(DEMO_NOTE.format(sample=sample.name, code=code) + config.read_text(encoding="utf-8"),
                          encoding="utf-8")

    _create(target, fill)


NEW_SUBDIRS = ("attachments", "seals", "ids", "chapters", "keys", "templates")
GITIGNORE = "# bidkit 的输出（标书 PDF、转换缓存）不进版本库 | bidkit's output stays out of version control\nbuild/\n"


def new(target: Path, blank: Path, record: Callable[[Path], None]) -> None:
    """A blank workspace at ``target``: the commented YAML files of ``blank``, empty folders for scans, seals,
    ID pictures, chapter files and keys, a .gitignore for build/; no review, no prices, no certificate, no seal.
    ``record`` writes the audit log's first entry (its creation) into the folder before it is moved into place."""
    if not blank.is_dir():
        raise InputError(f"{blank}: blank workspace files not found")

    def fill(dest: Path) -> None:
        dest.mkdir()
        for f in sorted(blank.glob("*.yaml")):
            shutil.copyfile(f, dest / f.name)
        for sub in NEW_SUBDIRS:
            (dest / sub).mkdir()
        (dest / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
        record(dest)

    _create(target, fill)

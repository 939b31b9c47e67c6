"""Company trust files on disk: the admin's signed file, and the copies a machine has installed.

Installed trust lives in the user's config folder (``<config>/trust/<admin fingerprint>.json``), never in a
workspace. Every read checks the admin's signature; installing checks the admin key's fingerprint against the one
the admin published, refuses an older version of an installed file, and writes a line to ``<config>/trust/trust.log``
(what changed, when, by which login). Rules and values are in :mod:`bidkit.core.trust`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import ValidationError

from bidkit.core.errors import InputError, IntegrityError, OutputError
from bidkit.core.trust import TrustedReviewer, TrustFile, same_fingerprint
from bidkit.store import audit, keys
from bidkit.store.files import atomic_write
from bidkit.store.resources import samples_dir

LOG = "trust.log"
DEMO_FILE = "demo-trust.json"  # beside the sample workspace: samples/demo-trust.json
# the DEMO admin key's fingerprint (its private key is public, in samples/demo-keys/): bidkit init installs the DEMO
# trust file without asking for it, and only that file — scoped to the sample's project code
DEMO_ADMIN_FINGERPRINT = "f663 09e6 1691 ed34 a678 e220 a3ce 85b5"


def trust_dir() -> Path:
    return keys.config_dir() / "trust"


def login() -> str:
    """The operating-system user (never an environment variable: anyone can set one)."""
    return audit.default_actor()


def parse(blob: bytes, display: str) -> TrustFile:
    """A trust file whose signature is the admin key's own; :class:`IntegrityError` otherwise."""
    try:
        obj = json.loads(blob)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise InputError(f"{display}: not a bidkit trust file (unreadable JSON)") from None
    try:
        tf = TrustFile.model_validate(obj)
    except ValidationError as exc:
        e = exc.errors()[0]
        where = ".".join(str(p) for p in e["loc"]) or "(top)"
        raise InputError(f"{display}: not a bidkit trust file ({where}: "
                         f"{str(e['msg']).removeprefix('Value error, ')})") from None
    if not tf.signature or not keys.verify(tf.admin_key, tf.payload(), tf.signature):
        raise IntegrityError(f"{display}: the admin's signature does not match its content (edited by hand?)")
    return tf


def read(path: Path) -> TrustFile:
    try:
        blob = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: trust file not found") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read the trust file ({exc.strerror or exc})") from None
    return parse(blob, str(path))


def installed() -> list[TrustFile]:
    """Every trust file this machine has installed (each signature checked), in a stable order."""
    folder = trust_dir()
    if not folder.is_dir():
        return []
    return [read(p) for p in sorted(folder.glob("*.json"))]


def _write(path: Path, tf: TrustFile, *, overwrite: bool = True) -> None:
    text = json.dumps(tf.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"
    atomic_write(path, text, overwrite=overwrite)


def _signed(tf: TrustFile, admin: Ed25519PrivateKey) -> TrustFile:
    public = keys.public_line(admin.public_key())
    if public != tf.admin_key:
        raise IntegrityError("--admin-key: not the admin key this trust file is signed with")
    return tf.model_copy(update={"signature": keys.sign(admin, tf.payload())})


def _now() -> str:
    from bidkit.store.audit import now

    return now()


def create(path: Path, issuer: str, admin: Ed25519PrivateKey, projects: list[str], *, demo: bool = False
           ) -> TrustFile:
    """A new trust file (version 1, no reviewers yet), signed; never over an existing file."""
    tf = TrustFile(issuer=issuer, admin_key=keys.public_line(admin.public_key()), version=1, time=_now(),
                   projects=projects, demo=demo)
    signed = _signed(tf, admin)
    _write(path, signed, overwrite=False)
    return signed


def add(path: Path, name: str, public_key: str, admin: Ed25519PrivateKey) -> TrustFile:
    tf = read(path)
    keys.check_name(name)
    keys.parse_public(public_key)
    holder = tf.name_of(public_key)
    if holder is not None:
        raise InputError(f"{path}: this key is trusted already, for '{holder}'")
    reviewers = [*tf.reviewers, TrustedReviewer(name=name, public_key=public_key)]
    signed = _signed(tf.model_copy(update={"reviewers": reviewers, "version": tf.version + 1, "time": _now()}),
                     admin)
    _write(path, signed)
    return signed


def remove(path: Path, name: str, admin: Ed25519PrivateKey) -> TrustFile:
    tf = read(path)
    reviewers = [r for r in tf.reviewers if r.name != name]
    if len(reviewers) == len(tf.reviewers):
        raise InputError(f"{path}: no reviewer '{name}' in it")
    signed = _signed(tf.model_copy(update={"reviewers": reviewers, "version": tf.version + 1, "time": _now()}),
                     admin)
    _write(path, signed)
    return signed


def install(path: Path, fingerprint: str) -> tuple[TrustFile, str]:
    """Install a trust file on this machine after checking its admin key's fingerprint; return it and what
    happened (``installed``, ``updated from vN``, ``unchanged``)."""
    tf = read(path)
    if not same_fingerprint(fingerprint, tf.admin_key):
        raise IntegrityError(f"{path}: signed by admin key {tf.admin_fingerprint}, not {fingerprint} "
                             "(compare the fingerprint the company admin published; do not install it)")
    return _install(tf)


def _install(tf: TrustFile) -> tuple[TrustFile, str]:
    folder = trust_dir()
    target = folder / ("".join(tf.admin_fingerprint.split()) + ".json")
    what = "installed"
    if target.exists():
        old = read(target)
        if tf.version < old.version:
            raise IntegrityError(f"{target}: v{old.version} is installed; refusing the older v{tf.version}")
        if tf.version == old.version:
            if tf.payload() != old.payload():
                raise IntegrityError(f"{target}: a different v{tf.version} is installed; the admin must issue a "
                                     "new version")
            return tf, "unchanged"
        what = f"updated from v{old.version}"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{folder}: cannot create the trust folder ({exc.strerror or exc})") from None
    _log(folder, tf, what)
    _write(target, tf)
    return tf, what


def _log(folder: Path, tf: TrustFile, what: str) -> None:
    entry = {"time": _now(), "login": login(), "change": what, "issuer": tf.issuer, "admin": tf.admin_fingerprint,
             "version": tf.version, "projects": tf.projects, "demo": tf.demo,
             "reviewers": [f"{r.name} {r.public_key}" for r in tf.reviewers]}
    line = (json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
    try:
        fd = os.open(folder / LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            if os.write(fd, line) != len(line):
                raise OutputError(f"{folder / LOG}: short write (disk full?); trust not changed")
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        raise OutputError(f"{folder / LOG}: cannot write the trust log ({exc.strerror or exc})") from None


def demo_path() -> Path:
    return samples_dir() / DEMO_FILE


def install_demo() -> tuple[TrustFile, str]:
    """Install the bundled DEMO trust file (scoped to the sample's project; its approvals say DEMO)."""
    tf = read(demo_path())
    if not same_fingerprint(DEMO_ADMIN_FINGERPRINT, tf.admin_key) or not tf.demo or not tf.projects:
        raise IntegrityError(f"{demo_path()}: not the bundled DEMO trust file")
    return _install(tf)

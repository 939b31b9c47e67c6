"""Reviewer key pairs (Ed25519): private keys under the user's config dir, public keys as one text line."""

from __future__ import annotations

import base64
import binascii
import contextlib
import os
import re
import tempfile
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from bidkit.core.errors import InputError, OutputError, SecretError
from bidkit.core.review import PUBLIC_KEY_PREFIX
from bidkit.store.files import atomic_path

_BAD_NAME = re.compile(r"[/\\\x00-\x1f]")


def config_dir() -> Path:
    """``$BIDKIT_CONFIG_DIR``, else ``$XDG_CONFIG_HOME/bidkit``, else ``~/.config/bidkit``."""
    explicit = os.environ.get("BIDKIT_CONFIG_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CONFIG_HOME")
    return (Path(xdg) if xdg else Path.home() / ".config") / "bidkit"


def check_name(name: str) -> str:
    name = name.strip()
    if not name or _BAD_NAME.search(name) or name.startswith(".") or len(name) > 64:
        raise InputError(f"--name: '{name}' is not a usable reviewer name (no '/', '\\', leading '.'; ≤ 64 chars)")
    return name


def key_path(name: str) -> Path:
    return config_dir() / "keys" / f"{check_name(name)}.key"


def public_line(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return PUBLIC_KEY_PREFIX + base64.b64encode(raw).decode("ascii")


def parse_public(line: str) -> Ed25519PublicKey:
    if not line.startswith(PUBLIC_KEY_PREFIX):
        raise InputError(f"public key must start with '{PUBLIC_KEY_PREFIX}'")
    try:
        raw = base64.b64decode(line[len(PUBLIC_KEY_PREFIX):], validate=True)
        return Ed25519PublicKey.from_public_bytes(raw)
    except (binascii.Error, ValueError):
        raise InputError("public key is not a valid Ed25519 key") from None


def _private_pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def write_private(path: Path, key: Ed25519PrivateKey, header: str = "") -> None:
    """Write ``key`` to ``path`` with mode 0600 (never over an existing key)."""
    text = (f"# {header}\n" if header else "").encode("utf-8") + _private_pem(key)
    with atomic_path(path, overwrite=False) as tmp:  # mkstemp creates the file 0600
        os.chmod(tmp, 0o600)
        tmp.write_bytes(text)


def new_key(name: str) -> tuple[Path, str]:
    """Create a key pair for ``name``; return the private key's path and the public key line."""
    path = key_path(name)
    if path.exists():
        raise OutputError(f"{path}: a key for '{name}' exists already and is never overwritten")
    for directory in (config_dir(), path.parent):
        try:
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(directory, 0o700)
        except OSError as exc:
            raise OutputError(f"{directory}: cannot create the key folder ({exc.strerror or exc})") from None
    key = Ed25519PrivateKey.generate()
    write_private(path, key)
    return path, public_line(key.public_key())


def load_private(path: Path) -> Ed25519PrivateKey:
    """Read a private key file (PEM, optionally after ``#`` comment lines)."""
    try:
        text = path.read_bytes()
    except FileNotFoundError:
        raise SecretError(f"{path}: reviewer key not found (create one with bidkit keys new --name NAME)") from None
    except OSError as exc:
        raise SecretError(f"{path}: cannot read the reviewer key ({exc.strerror or exc})") from None
    pem = b"\n".join(ln for ln in text.splitlines() if not ln.startswith(b"#")) + b"\n"
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError):
        raise SecretError(f"{path}: not an unencrypted Ed25519 private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SecretError(f"{path}: not an Ed25519 private key")
    return key


def sign(key: Ed25519PrivateKey, payload: bytes) -> str:
    return base64.b64encode(key.sign(payload)).decode("ascii")


def verify(public: str, payload: bytes, signature: str) -> bool:
    try:
        parse_public(public).verify(base64.b64decode(signature, validate=True), payload)
    except (InputError, InvalidSignature, binascii.Error, ValueError):
        return False
    return True


CACHE_KEY_BYTES = 32


def cache_secret() -> bytes:
    """This user's cache key (``$XDG_CACHE_HOME/bidkit/cache.key``, else ``~/.cache/bidkit/cache.key``, 0600, made
    on first use): it tags what bidkit puts into a workspace's conversion cache, so an entry put there by anyone
    else is not used. Without a usable folder, a key for this run only (the cache then only costs conversions)."""
    xdg = os.environ.get("XDG_CACHE_HOME")
    path = (Path(xdg) if xdg else Path.home() / ".cache") / "bidkit" / "cache.key"
    try:
        data = path.read_bytes()
        if len(data) == CACHE_KEY_BYTES:
            return data
    except OSError:
        pass
    fresh = os.urandom(CACHE_KEY_BYTES)
    tmp = None
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".cache.key.", dir=path.parent)  # 0600
        with os.fdopen(fd, "wb") as fh:
            fh.write(fresh)
        try:  # whole, and only if no other process made one first: then theirs is the key
            os.link(tmp, path)
        except FileExistsError:
            data = path.read_bytes()
            return data if len(data) == CACHE_KEY_BYTES else fresh
    except OSError:
        return fresh
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    return fresh

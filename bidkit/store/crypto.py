"""The encrypted price file ``pricing.enc``: scrypt + AES-256-GCM, bound to the project code.

Layout: one header line ``bidkit-pricing/1 <base64 JSON header>`` then the base64 ciphertext. The header holds
the KDF parameters, salt, nonce, project code and a key check value; the AEAD's associated data is the header
line itself, so no header field can be changed unnoticed. The key check value tells a wrong passphrase apart
from an altered file. Nothing here prints a price or a passphrase.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import getpass
import hashlib
import hmac
import json
import os
import sys
import threading
from collections.abc import Callable
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from bidkit.core.errors import IntegrityError, SecretError

MAGIC = "bidkit-pricing/1"
ENV = "BIDKIT_PRICE_PASSPHRASE"
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
MAX_FILE = 5 * 1024 * 1024

Prompter = Callable[[str], str]


def _derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> tuple[bytes, bytes]:
    raw = hashlib.scrypt(passphrase.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=256 * 1024 * 1024, dklen=64)
    key, check = raw[:32], raw[32:]
    return key, hashlib.sha256(b"bidkit key check" + check).digest()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def encrypt(plaintext: bytes, passphrase: str, project: str) -> bytes:
    salt, nonce = os.urandom(16), os.urandom(12)
    key, check = _derive(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    header = {
        "kdf": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P, "salt": _b64(salt),
        "aead": "AES-256-GCM", "nonce": _b64(nonce), "project": project, "check": _b64(check),
    }
    line = f"{MAGIC} {_b64(json.dumps(header, sort_keys=True).encode('utf-8'))}"
    ct = AESGCM(key).encrypt(nonce, plaintext, line.encode("ascii"))
    return f"{line}\n{_b64(ct)}\n".encode("ascii")


def _parse(blob: bytes, name: str) -> tuple[str, dict[str, Any], bytes]:
    try:
        text = blob.decode("ascii")
        line, body = text.split("\n", 1)
        magic, b64_header = line.split(" ", 1)
        if magic != MAGIC:
            raise ValueError("magic")
        header = json.loads(base64.b64decode(b64_header, validate=True))
        ct = base64.b64decode(body.strip(), validate=True)
        if not isinstance(header, dict) or header.get("kdf") != "scrypt" or header.get("aead") != "AES-256-GCM":
            raise ValueError("header")
        for fld in ("salt", "nonce", "check"):
            header[fld] = base64.b64decode(header[fld], validate=True)
        if not all(isinstance(header.get(k), int) for k in ("n", "r", "p")):
            raise ValueError("kdf parameters")
        if header["n"] > 2**20 or header["r"] > 32 or header["p"] > 16:
            raise ValueError("kdf too costly")
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, binascii.Error):
        raise IntegrityError(f"{name}: not a bidkit price file or damaged (header unreadable)") from None
    return line, header, ct


def other_project_message(other: object, project: str, root: object = "DIR") -> str:
    return (f"belongs to another project ({other}), not {project}: if project.yaml code was changed, change it "
            f"back; if the file came with a copy of another bid, delete it and import this bid's prices "
            f"(bidkit price import {root} FILE)")


def project_of(blob: bytes, name: str = "pricing.enc") -> str:
    return str(_parse(blob, name)[1].get("project", ""))


class KeyAhead:
    """The key of a price file, derived in a thread while the caller goes on (scrypt, 0.1 s, runs outside the
    GIL): :func:`decrypt` takes it when the file it decrypts has the same passphrase, salt and parameters (it
    derives its own otherwise: a file changed in between, or a derivation that failed). A context manager: the
    thread is done when it exits."""

    def __init__(self, blob: bytes, passphrase: str) -> None:
        self._result: list[tuple[tuple[Any, ...], tuple[bytes, bytes]]] = []
        self._thread: threading.Thread | None = None
        try:
            header = _parse(blob, "pricing.enc")[1]
            params = (passphrase, header["salt"], header["n"], header["r"], header["p"])
        except (IntegrityError, KeyError, TypeError):
            return  # decrypt says what is wrong with the file

        def derive() -> None:
            with contextlib.suppress(ValueError, MemoryError, TypeError):
                self._result.append((params, _derive(*params)))

        self._thread = threading.Thread(target=derive, name="bidkit-kdf", daemon=True)
        self._thread.start()

    def key(self, params: tuple[Any, ...]) -> tuple[bytes, bytes] | None:
        if self._thread is not None:
            self._thread.join()
        return next((kc for p, kc in self._result if p == params), None)

    def __enter__(self) -> KeyAhead:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._thread is not None:
            self._thread.join()
        self._result.clear()


def decrypt(blob: bytes, passphrase: str, project: str, name: str = "pricing.enc",
            ahead: KeyAhead | None = None) -> bytes:
    """The plaintext; :class:`SecretError` for a wrong passphrase, :class:`IntegrityError` for an altered file.
    ``ahead``: its key, derived ahead (see :class:`KeyAhead`)."""
    if len(blob) > MAX_FILE:
        raise IntegrityError(f"{name}: too large for a price file")
    line, header, ct = _parse(blob, name)
    if header.get("project") != project:
        raise IntegrityError(f"{name}: {other_project_message(header.get('project'), project)}")
    params = (passphrase, header["salt"], header["n"], header["r"], header["p"])
    try:
        key, check = (ahead.key(params) if ahead is not None else None) or _derive(*params)
    except (ValueError, MemoryError):
        raise IntegrityError(f"{name}: damaged (unusable key derivation parameters)") from None
    if not hmac.compare_digest(check, header["check"]):
        raise SecretError(f"{name}: wrong passphrase")
    try:
        return AESGCM(key).decrypt(header["nonce"], ct, line.encode("ascii"))
    except (InvalidTag, ValueError):
        raise IntegrityError(f"{name}: altered or damaged (authentication failed)") from None


def _default_prompt(text: str) -> str:
    if not sys.stdin.isatty():
        raise SecretError(f"no price passphrase: set {ENV} or run on a terminal to be asked")
    return getpass.getpass(text)


PROMPT: dict[str, Prompter] = {"ask": _default_prompt}  # tests put their own prompter here


def passphrase(*, confirm: bool = False, prompter: Prompter | None = None) -> str:
    """The price passphrase: ``$BIDKIT_PRICE_PASSPHRASE`` or the prompter (never a command-line argument)."""
    value = os.environ.get(ENV)
    if value is None:
        ask = prompter or PROMPT["ask"]
        value = ask("价格口令 (price passphrase): ")
        if confirm and ask("再次输入 (repeat): ") != value:
            raise SecretError("the two passphrases differ; nothing was changed")
    if not value:
        raise SecretError("empty price passphrase refused")
    return value

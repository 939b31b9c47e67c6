"""pricing.enc: scrypt + AES-256-GCM, bound to the project; wrong passphrase vs altered file."""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bidkit.core.errors import IntegrityError, SecretError
from bidkit.store import crypto


def test_round_trip_and_random_salt() -> None:
    a = crypto.encrypt(b"lines: []\n", "pw", "P-1")
    b = crypto.encrypt(b"lines: []\n", "pw", "P-1")
    assert a != b
    assert crypto.decrypt(a, "pw", "P-1") == b"lines: []\n"
    assert a.startswith(b"bidkit-pricing/1 ")
    assert b"lines" not in a


def test_wrong_passphrase_is_a_secret_error() -> None:
    blob = crypto.encrypt(b"x", "pw", "P-1")
    with pytest.raises(SecretError, match=r"^pricing.enc: wrong passphrase$"):
        crypto.decrypt(blob, "PW", "P-1")


def test_other_project() -> None:
    blob = crypto.encrypt(b"x", "pw", "P-1")
    with pytest.raises(IntegrityError, match=r"belongs to another project \(P-1\), not P-2"):
        crypto.decrypt(blob, "pw", "P-2")


def test_header_change_is_caught_by_the_associated_data() -> None:
    """A header field changed (the nonce here) keeps the key check valid but fails authentication."""
    blob = crypto.encrypt(b"x", "pw", "P-1")
    head, body = blob.decode().split("\n", 1)
    magic, b64 = head.split(" ", 1)
    header = json.loads(base64.b64decode(b64))
    header["nonce"] = base64.b64encode(b"\0" * 12).decode()
    forged = f"{magic} {base64.b64encode(json.dumps(header).encode()).decode()}\n{body}".encode()
    with pytest.raises(IntegrityError, match=r"altered or damaged \(authentication failed\)"):
        crypto.decrypt(forged, "pw", "P-1")


def test_costly_kdf_parameters_are_refused() -> None:
    blob = crypto.encrypt(b"x", "pw", "P-1")
    head, body = blob.decode().split("\n", 1)
    magic, b64 = head.split(" ", 1)
    header = json.loads(base64.b64decode(b64))
    header["n"] = 2**30
    forged = f"{magic} {base64.b64encode(json.dumps(header).encode()).decode()}\n{body}".encode()
    with pytest.raises(IntegrityError, match="header unreadable"):
        crypto.decrypt(forged, "pw", "P-1")


@pytest.mark.parametrize("blob", [b"", b"\xff\xfe", b"bidkit-pricing/1 !!!\n", b"PK\x03\x04"])
def test_garbage(blob: bytes) -> None:
    with pytest.raises(IntegrityError, match="not a bidkit price file or damaged"):
        crypto.decrypt(blob, "pw", "P-1")


def test_passphrase_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(crypto.ENV, "from-env")
    assert crypto.passphrase(prompter=lambda _: "from-prompt") == "from-env"
    monkeypatch.delenv(crypto.ENV)
    assert crypto.passphrase(prompter=lambda _: "from-prompt") == "from-prompt"
    with pytest.raises(SecretError, match="empty price passphrase refused"):
        crypto.passphrase(prompter=lambda _: "")


@settings(max_examples=5, deadline=None)
@given(plain=st.binary(max_size=2000), phrase=st.text(min_size=1, max_size=40))
def test_round_trip_property(plain: bytes, phrase: str) -> None:
    assert crypto.decrypt(crypto.encrypt(plain, phrase, "P"), phrase, "P") == plain


def test_a_key_derived_ahead_is_used_only_for_the_same_file_and_passphrase(monkeypatch: pytest.MonkeyPatch) -> None:
    """assemble derives the key while the workspace loads (crypto.KeyAhead): decrypting takes it when the
    passphrase, salt and parameters are those it was derived for, and derives its own otherwise (the file
    re-encrypted in between, another passphrase); a wrong passphrase is told as without it."""
    calls: list[bytes] = []
    real = crypto._derive

    def counted(passphrase: str, salt: bytes, n: int, r: int, p: int) -> tuple[bytes, bytes]:
        calls.append(salt)
        return real(passphrase, salt, n, r, p)

    monkeypatch.setattr(crypto, "_derive", counted)
    blob = crypto.encrypt(b"lines: []\n", "pw", "P-1")
    calls.clear()
    with crypto.KeyAhead(blob, "pw") as ahead:
        assert crypto.decrypt(blob, "pw", "P-1", ahead=ahead) == b"lines: []\n"
        assert len(calls) == 1  # derived once, in the thread
        again = crypto.encrypt(b"lines: [1]\n", "pw", "P-1")  # a price change in between: a new salt
        calls.clear()
        assert crypto.decrypt(again, "pw", "P-1", ahead=ahead) == b"lines: [1]\n"
        assert len(calls) == 1  # its own key
        with pytest.raises(SecretError, match=r"^pricing.enc: wrong passphrase$"):
            crypto.decrypt(blob, "PW", "P-1", ahead=ahead)
    with crypto.KeyAhead(blob, "PW") as wrong:
        with pytest.raises(SecretError, match=r"^pricing.enc: wrong passphrase$"):
            crypto.decrypt(blob, "PW", "P-1", ahead=wrong)
        assert crypto.decrypt(blob, "pw", "P-1", ahead=wrong) == b"lines: []\n"
    with crypto.KeyAhead(b"not a price file", "pw") as none, pytest.raises(IntegrityError):
        crypto.decrypt(b"not a price file", "pw", "P-1", ahead=none)

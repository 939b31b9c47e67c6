"""Signing with a key on a PKCS#11 token: the USB key a CA issues (through its driver's PKCS#11 module), an HSM,
or SoftHSM2 in the tests. One outside tool, the module, reached through python-pkcs11 and pyHanko's
``PKCS11Signer``; every failure becomes one of bidkit's errors.

Interface (what :mod:`bidkit.pipeline.signing` and ``bidkit keys tokens`` call)::

    signer = load_token_signer(module, token, key, chain=[asn1 certificates], display=..., prompter=None)
    signer.close()                                    # a bidkit.adapters.pdf.sign.Signer: seal() signs with it
    tokens = list_tokens(module) -> list[TokenInfo]   # without a PIN: labels, PIN state, certificates, keys

Before the PIN is asked, the token's own PIN state is read: a locked PIN is not tried, and when the next wrong
PIN would lock it, a PIN from ``$BIDKIT_TOKEN_PIN`` is not tried either (a script cannot lock the token; the
prompt can). After a wrong PIN the state is read again to say how the tries stand, as far as PKCS#11 tells it:
"low" and "final try", never a number. ``key`` is the label of the private key or of its certificate (key and
certificate share their ``CKA_ID``, as a CA's tokens write them), or the key's ID in hex. The certificate must be
valid now, allow signing and hold the key's public key; a ``chain`` must hold its issuer. The module is
finalised when the last signer or listing using it closes, so a token plugged in later is seen by the next
command.
"""

from __future__ import annotations

import getpass
import os
import re
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pkcs11
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from pkcs11 import Attribute, KeyType, ObjectClass, TokenFlag
from pyhanko.sign.pkcs11 import PKCS11Signer

from bidkit.adapters.pdf.sign import Signer, check_certificate
from bidkit.core.errors import InputError, SecretError, ToolError

PIN_ENV = "BIDKIT_TOKEN_PIN"
Prompter = Callable[[str], str]

# the token went away (pulled out, powered down, its session lost): the signature was not made
_GONE = (pkcs11.DeviceRemoved, pkcs11.TokenNotPresent, pkcs11.TokenNotRecognised, pkcs11.SessionHandleInvalid,
         pkcs11.SessionClosed)


def _default_prompt(text: str) -> str:
    if not sys.stdin.isatty():
        raise SecretError(f"no token PIN: set {PIN_ENV} or run on a terminal to be asked")
    return getpass.getpass(text)


PROMPT: dict[str, Prompter] = {"ask": _default_prompt}  # tests put their own prompter here


# --- the module: loaded once per path, finalised when its last user closes ------------------------------------

_LOCK = threading.Lock()
_USERS: dict[str, int] = {}


def _open_module(module: str, where: str) -> Any:
    """The loaded module; ``where`` names it in messages (``bidkit.yaml signing.pkcs11.module /usr/lib/….so``)."""
    if not Path(module).is_file():
        raise ToolError(f"{where}: PKCS#11 module not found (install the CA's token driver, or fix the path)")
    with _LOCK:
        try:
            lib = pkcs11.lib(module)
        except pkcs11.PKCS11Error as exc:
            text = str(exc)
            if "C_GetFunctionList" in text:
                raise ToolError(f"{where}: not a PKCS#11 module (it has no C_GetFunctionList)") from None
            if "loading" in text:
                raise ToolError(f"{where}: cannot load the PKCS#11 module ({text.rsplit(': ', 1)[-1][:100]})") from None
            raise ToolError(f"{where}: the PKCS#11 module failed to start ({type(exc).__name__}; is the token "
                            "driver configured?)") from None
        _USERS[module] = _USERS.get(module, 0) + 1
    return lib


def _release_module(module: str, lib: Any) -> None:
    with _LOCK:
        left = _USERS.get(module, 1) - 1
        if left > 0:
            _USERS[module] = left
            return
        _USERS.pop(module, None)
        try:
            lib.finalize()
        except pkcs11.PKCS11Error:
            pass


@dataclass
class _Opened:
    """A loaded module and what was opened on it, closed in reverse order (once)."""

    module: str
    lib: Any
    session: Any = None
    closed: bool = False

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        if self.session is not None:
            try:
                self.session.close()
            except pkcs11.PKCS11Error:
                pass  # a removed token has no session left to close
        _release_module(self.module, self.lib)


# --- tokens ----------------------------------------------------------------------------------------------------


def _tokens(lib: Any) -> Iterator[tuple[int, Any]]:
    for slot in lib.get_slots(token_present=True):
        try:
            yield slot.slot_id, slot.get_token()
        except (pkcs11.TokenNotPresent, pkcs11.TokenNotRecognised):
            continue


def _initialised(token: Any) -> bool:
    return bool(token.flags & TokenFlag.TOKEN_INITIALIZED)


def _find_token(lib: Any, label: str, display: str) -> Any:
    found: list[Any] = []
    others: list[Any] = []
    for _slot, token in _tokens(lib):
        if not _initialised(token):
            continue
        (found if token.label == label else others).append(token)
    if not found:
        present = ", ".join(f"'{t.label}'" for t in others)
        where = f"tokens present: {present}" if present else "no token present: plug in the CA token"
        raise SecretError(f"{display}: no token labelled '{label}' ({where})")
    if len(found) > 1:
        raise SecretError(f"{display}: {len(found)} tokens labelled '{label}' are plugged in; leave only the one "
                          "to sign with")
    return found[0]


def _flags(lib: Any, label: str) -> TokenFlag | None:
    for _slot, token in _tokens(lib):
        if token.label == label:
            return TokenFlag(token.flags)
    return None


def _locked(display: str, label: str, tried: bool = False) -> SecretError:
    return SecretError(f"{display}: the PIN of token '{label}' is locked (too many wrong PINs); unlock it with "
                       "the CA's token tool (the security officer PIN)" + ("" if tried else " — bidkit did not try it"))


def pin(display: str, label: str, flags: TokenFlag, prompter: Prompter | None = None) -> str:
    """The user PIN: ``$BIDKIT_TOKEN_PIN`` or the prompter (never a command-line argument). When the next
    wrong PIN locks the token, only a typed PIN is tried."""
    final = bool(flags & TokenFlag.USER_PIN_FINAL_TRY)
    value = os.environ.get(PIN_ENV)
    if value is not None and final:
        raise SecretError(f"{display}: one more wrong PIN locks token '{label}'; type the PIN at the prompt "
                          f"instead of {PIN_ENV}")
    if value is None:
        warn = ("; one more wrong PIN locks it" if final else
                "; a wrong PIN was entered since the last login" if flags & TokenFlag.USER_PIN_COUNT_LOW else "")
        value = (prompter or PROMPT["ask"])(f"令牌 PIN (PIN of token '{label}'{warn}): ")
    if not value:
        raise SecretError(f"{display}: empty token PIN refused")
    return value


def _login(lib: Any, token: Any, secret: str, display: str) -> Any:
    label = token.label
    try:
        return token.open(user_pin=secret)
    except pkcs11.PinIncorrect:
        flags = _flags(lib, label) or TokenFlag(0)
        if flags & TokenFlag.USER_PIN_LOCKED:
            state = "the PIN is now locked: unlock it with the CA's token tool (the security officer PIN)"
        elif flags & TokenFlag.USER_PIN_FINAL_TRY:
            state = "one more wrong PIN locks it"
        elif flags & TokenFlag.USER_PIN_COUNT_LOW:
            state = "the token counts wrong PINs and locks after a few"
        else:
            state = "nothing was signed"
        raise SecretError(f"{display}: wrong PIN for token '{label}'; {state}") from None
    except pkcs11.PinLocked:
        raise _locked(display, label, tried=True) from None
    except (pkcs11.PinLenRange, pkcs11.PinInvalid):
        raise SecretError(f"{display}: token '{label}' refused the PIN (wrong length or characters)") from None
    except pkcs11.PinExpired:
        raise SecretError(f"{display}: the PIN of token '{label}' has expired; change it with the CA's token "
                          "tool") from None
    except _GONE:
        raise ToolError(f"{display}: token '{label}' was removed before it could be opened") from None
    except pkcs11.PKCS11Error as exc:
        raise ToolError(f"{display}: token '{label}' refused the login ({type(exc).__name__})") from None


# --- the key and its certificate -------------------------------------------------------------------------------


def _objects(session: Any, **attrs: Any) -> list[Any]:
    query = {getattr(Attribute, k.rstrip("_").upper()): v for k, v in attrs.items()}
    return list(session.get_objects(query))


def _label(obj: Any) -> str:
    try:
        return str(obj[Attribute.LABEL])
    except pkcs11.PKCS11Error:
        return ""


def _id(obj: Any) -> bytes:
    try:
        return bytes(obj[Attribute.ID])
    except pkcs11.PKCS11Error:
        return b""


_HEX = re.compile(r"(?:[0-9a-fA-F]{2})+")


def _find_key(session: Any, key: str, where: str) -> Any:
    keys = _objects(session, class_=ObjectClass.PRIVATE_KEY, label=key)
    if not keys:  # the label of its certificate: the key is the one with the certificate's ID
        certs = _objects(session, class_=ObjectClass.CERTIFICATE, label=key)
        if len(certs) == 1 and _id(certs[0]):
            keys = _objects(session, class_=ObjectClass.PRIVATE_KEY, id=_id(certs[0]))
    if not keys and _HEX.fullmatch(key):  # or its ID, in hex as bidkit keys tokens prints it
        keys = _objects(session, class_=ObjectClass.PRIVATE_KEY, id=bytes.fromhex(key))
    if not keys:
        labels = sorted({_label(o) for o in _objects(session, class_=ObjectClass.PRIVATE_KEY)}
                        | {_label(o) for o in _objects(session, class_=ObjectClass.CERTIFICATE)})
        on = ", ".join(f"'{x}'" for x in labels if x) or "nothing"
        raise SecretError(f"{where}: no private key or certificate labelled '{key}', and no key with that ID (on "
                          f"the token: {on})")
    if len(keys) > 1:
        raise SecretError(f"{where}: {len(keys)} private keys match '{key}'; give the label of one")
    found = keys[0]
    if found.key_type not in (KeyType.RSA, KeyType.EC):
        kind = getattr(found.key_type, "name", str(found.key_type))
        raise SecretError(f"{where}: key '{key}' is a {kind} key; bidkit signs with RSA or EC keys only")
    return found


def _public_matches(session: Any, key: Any, cert: x509.Certificate) -> bool:
    public = cert.public_key()
    if key.key_type == KeyType.RSA:
        return isinstance(public, rsa.RSAPublicKey) and \
            int.from_bytes(bytes(key[Attribute.MODULUS]), "big") == public.public_numbers().n
    if not isinstance(public, ec.EllipticCurvePublicKey):
        return False
    kid = _id(key)
    pubs = _objects(session, class_=ObjectClass.PUBLIC_KEY, id=kid) if kid else []
    if len(pubs) != 1:
        return True  # no public key object to compare with: a mismatch shows as a signature that does not verify
    from asn1crypto.core import OctetString
    from cryptography.hazmat.primitives import serialization

    point = public.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    try:
        raw = bytes(pubs[0][Attribute.EC_POINT])
    except pkcs11.PKCS11Error:
        return True
    try:
        wrapped = OctetString.load(raw).native  # DER-wrapped, as PKCS#11 says; some tokens store it raw
    except ValueError:
        wrapped = None
    return point in (raw, wrapped)


def _find_certificate(session: Any, key: Any, key_label: str, where: str) -> tuple[Any, x509.Certificate]:
    kid = _id(key)
    objs = _objects(session, class_=ObjectClass.CERTIFICATE, id=kid) if kid else []
    if not objs:
        objs = _objects(session, class_=ObjectClass.CERTIFICATE, label=_label(key) or key_label)
    if not objs:
        raise SecretError(f"{where}: no certificate for key '{key_label}' on the token (it must carry the key's "
                          "ID or label)")
    loaded = [(o, x509.load_der_x509_certificate(bytes(o[Attribute.VALUE]))) for o in objs]
    matching = [(o, c) for o, c in loaded if _public_matches(session, key, c)]
    if not matching:
        raise SecretError(f"{where}: certificate '{_label(loaded[0][0])}' does not belong to key '{key_label}' "
                          "(another public key)")
    return matching[0]


_HASHED = {KeyType.RSA: pkcs11.Mechanism.SHA256_RSA_PKCS, KeyType.EC: pkcs11.Mechanism.ECDSA_SHA256}
_RAW = {KeyType.RSA: pkcs11.Mechanism.RSA_PKCS, KeyType.EC: pkcs11.Mechanism.ECDSA}


def _raw(token: Any, key_type: KeyType, where: str) -> bool:
    """Whether the token signs a digest bidkit computes (many tokens, SoftHSM2 for ECDSA, have no hash-and-sign
    mechanism) rather than hashing itself."""
    try:
        mechanisms = set(token.slot.get_mechanisms())
    except pkcs11.PKCS11Error:
        return False  # it does not say: try the hash-and-sign mechanism
    if _HASHED[key_type] in mechanisms:
        return False
    if _RAW[key_type] in mechanisms:
        return True
    raise SecretError(f"{where}: the token signs neither with {_HASHED[key_type].name} nor {_RAW[key_type].name}")


def _check_chain(cert: x509.Certificate, chain: list[asn1_x509.Certificate], display: str) -> None:
    if not chain:
        return
    issuers = [x509.load_der_x509_certificate(c.dump()) for c in chain]
    for issuer in issuers:
        if issuer.subject == cert.issuer:
            try:
                cert.verify_directly_issued_by(issuer)
                return
            except (ValueError, TypeError, InvalidSignature):
                continue
    raise InputError(f"{display}: the chain does not hold the issuer of the signer certificate "
                     f"({cert.issuer.rfc4514_string()})")


def _ca_certificates(session: Any, signer_obj: Any) -> list[asn1_x509.Certificate]:
    """The CA certificates the token holds (many CA tokens carry their chain), for the signature's chain; not
    the token's other end-entity certificates (an encryption certificate is nobody's business)."""
    found = []
    for obj in _objects(session, class_=ObjectClass.CERTIFICATE):
        if obj == signer_obj:
            continue
        try:
            der = bytes(obj[Attribute.VALUE])
            constraints = x509.load_der_x509_certificate(der).extensions.get_extension_for_class(
                x509.BasicConstraints).value
        except (ValueError, x509.ExtensionNotFound, pkcs11.PKCS11Error):
            continue
        if constraints.ca:
            found.append(asn1_x509.Certificate.load(der))
    return found


class _TokenSigner(PKCS11Signer):
    """pyHanko's PKCS11Signer whose token errors during signing are bidkit's errors (one line, exit code)."""

    bidkit_where: str = ""

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
        try:
            return bytes(await super().async_sign_raw(data, digest_algorithm, dry_run))
        except _GONE:
            raise ToolError(f"{self.bidkit_where}: the token was removed while signing; nothing was written: plug "
                            "it in and run again") from None
        except (pkcs11.UserNotLoggedIn, pkcs11.PinExpired):
            raise SecretError(f"{self.bidkit_where}: the token logged out while signing; nothing was written: run "
                              "again") from None
        except pkcs11.PKCS11Error as exc:
            raise ToolError(f"{self.bidkit_where}: the token failed while signing ({type(exc).__name__}); nothing "
                            "was written") from None


def load_token_signer(
    module: str, token: str, key: str, *, chain: list[asn1_x509.Certificate] | None = None,
    display: str = "token", chain_display: str = "chain", prompter: Prompter | None = None,
) -> Signer:
    """Log in to ``token`` and find ``key`` and its certificate; the :class:`Signer` keeps the session open
    until :meth:`Signer.close`. Everything that can fail is checked here, before any long work."""
    lib = _open_module(module, f"{display}.module {module}")
    opened = _Opened(module, lib)
    try:
        tok = _find_token(lib, token, display)
        flags = TokenFlag(tok.flags)
        if flags & TokenFlag.USER_PIN_LOCKED:
            raise _locked(display, token)
        if not flags & TokenFlag.USER_PIN_INITIALIZED:
            raise SecretError(f"{display}: token '{token}' has no user PIN set (initialise it with the CA's tool)")
        opened.session = session = _login(lib, tok, pin(display, token, flags, prompter), display)
        where = f"{display}: token '{token}'"
        try:
            found = _find_key(session, key, where)
            cert_obj, cert = _find_certificate(session, found, key, where)
            others = _ca_certificates(session, cert_obj)
        except _GONE:
            raise ToolError(f"{where} was removed while its key was read") from None
        check_certificate(cert, f"{where} key '{key}'")
        _check_chain(cert, chain or [], chain_display)
        from cryptography.hazmat.primitives import serialization

        der = cert.public_bytes(serialization.Encoding.DER)
        signer = _TokenSigner(session, key_label=_label(found) or None, key_id=_id(found) or None,
                              signing_cert=asn1_x509.Certificate.load(der), ca_chain=[*(chain or []), *others],
                              use_raw_mechanism=_raw(tok, found.key_type, where))
        signer.bidkit_where = where
        try:
            signer.signing_cert  # noqa: B018 - pyHanko finds its key handle now, not in the middle of signing
        except _GONE:
            raise ToolError(f"{where} was removed while its key was read") from None
        except pkcs11.PKCS11Error as exc:
            raise SecretError(f"{where}: the key cannot be used ({type(exc).__name__})") from None
        return Signer(signer, cert.subject.rfc4514_string(), display, der, closer=opened.close)
    except pkcs11.PKCS11Error as exc:  # anything the steps above did not expect: still one line
        opened.close()
        raise ToolError(f"{display}: token '{token}' failed ({type(exc).__name__})") from None
    except BaseException:
        opened.close()
        raise


# --- listing (bidkit keys tokens MODULE) -----------------------------------------------------------------------


@dataclass
class CertificateInfo:
    label: str
    id: str  # hex
    subject: str
    issuer: str
    valid_from: str
    valid_to: str
    usage: str  # "signing", "encryption", "any" (no key usage extension) or "other"


@dataclass
class KeyInfo:
    label: str
    id: str  # hex
    kind: str  # "RSA 2048", "EC secp256r1"…
    private: bool  # a private key object (visible without login), else the public half of a key pair


@dataclass
class TokenInfo:
    slot: int
    label: str
    manufacturer: str
    model: str
    serial: str
    pin: str  # "ok", "a wrong PIN was entered", "final try", "locked", "not set", "no login"
    initialised: bool
    certificates: list[CertificateInfo] = field(default_factory=list)
    keys: list[KeyInfo] = field(default_factory=list)
    note: str | None = None


def _pin_state(flags: TokenFlag) -> str:
    if not flags & TokenFlag.LOGIN_REQUIRED:
        return "no login"
    if flags & TokenFlag.USER_PIN_LOCKED:
        return "locked"
    if not flags & TokenFlag.USER_PIN_INITIALIZED:
        return "not set"
    if flags & TokenFlag.USER_PIN_FINAL_TRY:
        return "final try"
    if flags & TokenFlag.USER_PIN_COUNT_LOW:
        return "a wrong PIN was entered"
    return "ok"


def _usage(cert: x509.Certificate) -> str:
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return "any"
    if usage.digital_signature or usage.content_commitment:
        return "signing"
    if usage.key_encipherment or usage.key_agreement:
        return "encryption"
    return "other"


def _kind(obj: Any) -> str:
    key_type = obj.key_type
    name = getattr(key_type, "name", f"type 0x{int(key_type):x}")
    try:
        if key_type == KeyType.RSA:
            return f"RSA {len(bytes(obj[Attribute.MODULUS])) * 8}"
        if key_type == KeyType.EC:
            from asn1crypto.keys import ECDomainParameters

            return f"EC {ECDomainParameters.load(bytes(obj[Attribute.EC_PARAMS])).chosen.native}"
    except (pkcs11.PKCS11Error, ValueError, KeyError, AttributeError):
        pass
    return str(name)


def _contents(token: Any) -> tuple[list[CertificateInfo], list[KeyInfo]]:
    certs, keys = [], []
    with token.open() as session:  # no PIN: certificates and public keys are public objects
        for obj in _objects(session, class_=ObjectClass.CERTIFICATE):
            try:
                cert = x509.load_der_x509_certificate(bytes(obj[Attribute.VALUE]))
            except (ValueError, pkcs11.PKCS11Error):
                continue
            certs.append(CertificateInfo(
                _label(obj), _id(obj).hex(), cert.subject.rfc4514_string(), cert.issuer.rfc4514_string(),
                f"{cert.not_valid_before_utc:%Y-%m-%d}", f"{cert.not_valid_after_utc:%Y-%m-%d}", _usage(cert)))
        seen: set[tuple[str, str]] = set()
        for cls, private in ((ObjectClass.PRIVATE_KEY, True), (ObjectClass.PUBLIC_KEY, False)):
            for obj in _objects(session, class_=cls):
                ident = (_label(obj), _id(obj).hex())
                if ident not in seen:
                    seen.add(ident)
                    keys.append(KeyInfo(ident[0], ident[1], _kind(obj), private))
    return certs, keys


def list_tokens(module: str, display: str | None = None) -> list[TokenInfo]:
    """Every token the module sees, with its PIN state and its certificates (read without a PIN); ``display``
    names the module in messages."""
    name = display or module
    lib = _open_module(module, name)
    try:
        infos = []
        for slot, token in _tokens(lib):
            flags = TokenFlag(token.flags)
            info = TokenInfo(slot, token.label, token.manufacturer_id, token.model,
                             bytes(token.serial).decode("ascii", "replace").strip(), _pin_state(flags),
                             _initialised(token))
            if info.initialised:
                try:
                    info.certificates, info.keys = _contents(token)
                except pkcs11.PKCS11Error as exc:
                    info.note = f"certificates and keys not readable without the PIN ({type(exc).__name__})"
            infos.append(info)
        return infos
    except pkcs11.PKCS11Error as exc:
        raise ToolError(f"{name}: the PKCS#11 module failed listing its tokens ({type(exc).__name__})") from None
    finally:
        _release_module(module, lib)


__all__ = ["PIN_ENV", "PROMPT", "CertificateInfo", "KeyInfo", "TokenInfo", "list_tokens", "load_token_signer",
           "pin"]

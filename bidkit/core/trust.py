"""Company trust (pure): which QA reviewers a machine trusts, as a file signed by the company admin.

Trust never comes from a workspace. The company admin keeps an Ed25519 admin key and signs a trust file listing the
QA reviewers' public keys (``bidkit trust init/add/remove``); each machine installs it once, after comparing the
admin key's fingerprint with the one the admin published (``bidkit trust install FILE --fingerprint …``). A trust
file may be scoped to project codes; the bundled DEMO trust file is scoped to the sample's project and marked
``demo``, so the public DEMO reviewer key approves nothing else, and every manifest it approves says DEMO. Checking
signatures and reading files is :mod:`bidkit.store.trust`'s; here are the values and the rules.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Literal

from pydantic import Field, field_validator

from bidkit.core.models.base import Model, Text
from bidkit.core.review import PUBLIC_KEY_PREFIX, canonical

FORMAT: Literal["bidkit-trust/1"] = "bidkit-trust/1"


def _check_key(value: str) -> str:
    if not value.startswith(PUBLIC_KEY_PREFIX):
        raise ValueError(f"expected '{PUBLIC_KEY_PREFIX}' and the base64 key printed by bidkit keys new")
    try:
        raw = base64.b64decode(value[len(PUBLIC_KEY_PREFIX):], validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("not a base64 Ed25519 public key") from None
    if len(raw) != 32:
        raise ValueError("not an Ed25519 public key (32 bytes)")
    return value


def fingerprint(public_key: str) -> str:
    """The short form people compare by eye or read out on the phone: 16 bytes of SHA-256 of the key, in groups
    of four hex digits (``3f2a 9c1b …``)."""
    raw = base64.b64decode(public_key[len(PUBLIC_KEY_PREFIX):])
    digest = hashlib.sha256(raw).hexdigest()[:32]
    return " ".join(digest[i:i + 4] for i in range(0, 32, 4))


def same_fingerprint(given: str, public_key: str) -> bool:
    def norm(s: str) -> str:
        return "".join(s.split()).replace(":", "").lower()

    return norm(given) == norm(fingerprint(public_key))


class TrustedReviewer(Model):
    name: Text
    public_key: Text
    role: Literal["qa"] = "qa"

    @field_validator("public_key")
    @classmethod
    def _key(cls, value: str) -> str:
        return _check_key(value)


class TrustFile(Model):
    """A company trust file: the QA reviewers whose signed decisions open the price lock."""

    format: Literal["bidkit-trust/1"] = FORMAT
    issuer: Text  # who keeps it, e.g. 江临智安科技有限公司 质量管理部
    admin_key: Text  # the company admin's public key: it signs this file
    version: int = Field(ge=1, le=1_000_000)  # grows with every change; an installed file is never replaced by an older
    time: Text  # ISO 8601 UTC of this version
    projects: list[Text] = Field(default_factory=list)  # project codes it covers; empty: every project
    demo: bool = False  # the bundled DEMO trust: its approvals are stamped DEMO
    reviewers: list[TrustedReviewer] = Field(default_factory=list)
    signature: str = ""

    @field_validator("admin_key")
    @classmethod
    def _admin(cls, value: str) -> str:
        return _check_key(value)

    def payload(self) -> bytes:
        return canonical(self.model_dump(mode="json", exclude={"signature"}))

    def covers(self, project: str) -> bool:
        return not self.projects or project in self.projects

    @property
    def admin_fingerprint(self) -> str:
        return fingerprint(self.admin_key)

    def name_of(self, public_key: str) -> str | None:
        return next((r.name for r in self.reviewers if r.public_key == public_key), None)

    def keys_of(self, name: str) -> list[str]:
        return [r.public_key for r in self.reviewers if r.name == name]

    def label(self) -> str:
        """One line naming it: issuer, version, admin fingerprint, scope."""
        scope = f"projects {', '.join(self.projects)}" if self.projects else "every project"
        demo = "DEMO, " if self.demo else ""
        return f"{self.issuer} (v{self.version}, {demo}{scope}; admin key {self.admin_fingerprint})"


class Voucher(Model):
    """Which trust file vouched for a reviewer's key: carried into the manifest with the approval."""

    issuer: Text
    admin: Text  # the admin key's fingerprint
    version: int
    demo: bool = False


def voucher(tf: TrustFile) -> Voucher:
    return Voucher(issuer=tf.issuer, admin=tf.admin_fingerprint, version=tf.version, demo=tf.demo)


def vouching(files: list[TrustFile], project: str, public_key: str) -> tuple[str, TrustFile] | None:
    """(reviewer name, trust file) of the first installed trust file covering ``project`` that lists the key."""
    for tf in files:
        if tf.covers(project):
            name = tf.name_of(public_key)
            if name is not None:
                return name, tf
    return None

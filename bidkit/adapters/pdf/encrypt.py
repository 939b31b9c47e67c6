"""Password protection of a finished PDF with pikepdf (AES-256, PDF 2.0 security handler R6).

Used for internal documents that leave bidkit only encrypted (成本与报价分析); the PDF is encrypted in memory, so no
plaintext copy is written here.
"""

from __future__ import annotations

import io
import secrets

import pikepdf

from bidkit.core.errors import ToolError


def encrypt(pdf: bytes, user_password: str) -> bytes:
    """``pdf`` encrypted with AES-256: ``user_password`` opens it for reading and printing; the owner password (to
    change the permissions) is random and forgotten, so the document cannot be unlocked for editing."""
    try:
        with pikepdf.open(io.BytesIO(pdf)) as doc:
            out = io.BytesIO()
            allow = pikepdf.Permissions(extract=False, modify_annotation=False, modify_assembly=False,
                                        modify_form=False, modify_other=False)
            doc.save(out, encryption=pikepdf.Encryption(user=user_password, owner=secrets.token_urlsafe(32),
                                                        R=6, allow=allow))
            return out.getvalue()
    except pikepdf.PdfError:
        raise ToolError("the converted PDF could not be encrypted (damaged output of LibreOffice)") from None


def opens_with(pdf: bytes, password: str) -> bool:
    """Whether ``password`` opens the encrypted ``pdf`` (and nothing else does without one)."""
    try:
        with pikepdf.open(io.BytesIO(pdf), password=password):
            return True
    except pikepdf.PasswordError:
        return False

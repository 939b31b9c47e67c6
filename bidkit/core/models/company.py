"""The bidder: company profile, qualifications, seals (kept by the company admin)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from pydantic import Field, field_validator

from bidkit.core.models.base import Day, Model, RelPath, Text, unique

_CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_CODE_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def credit_code_check_char(first17: str) -> str:
    """The check character of a unified social credit code (GB 32100-2015)."""
    total = sum(_CREDIT_CODE_CHARS.index(c) * w for c, w in zip(first17, _CREDIT_CODE_WEIGHTS, strict=True))
    return _CREDIT_CODE_CHARS[(31 - total % 31) % 31]


def valid_credit_code(code: str) -> bool:
    if not re.fullmatch(f"[{_CREDIT_CODE_CHARS}]{{18}}", code):
        return False
    return credit_code_check_char(code[:17]) == code[17]


class BankAccount(Model):
    bank: Text
    account_name: Text
    account_number: Text


class Qualification(Model):
    """A licence or certificate (营业执照, 资质证书, ISO 9001, ...) with its scanned PDF."""

    id: Text
    name: Text
    number: Text
    issuer: Text
    valid_until: Day | None = None  # None: without an expiry date (e.g. 营业执照 长期)
    scan: RelPath


class Person(Model):
    name: Text
    title: str = ""
    id_number: str = ""
    phone: str = ""
    id_card_front: RelPath | None = None  # 身份证复印件 (PNG/JPEG), placed into the forms' boxes
    id_card_back: RelPath | None = None


class Company(Model):
    name: Text
    credit_code: Text  # 统一社会信用代码
    legal_rep: Person  # 法定代表人
    address: Text
    postcode: str = ""
    phone: Text
    fax: str = ""
    email: str = ""
    registered_capital: str = ""
    founded: dt.date | None = None
    bank: BankAccount
    qualifications: Annotated[list[Qualification], unique("id", "qualification id '{}' appears twice")] = []
    company_seal: RelPath = "seals/company_seal.png"
    legal_rep_seal: RelPath | None = None
    legal_rep_signature: RelPath | None = None
    # the seals' real sizes on paper: a company seal is 40–42 mm round, a personal seal about 20 mm square
    company_seal_mm: Annotated[float, Field(ge=30, le=60)] = 42.0
    legal_rep_seal_mm: Annotated[float, Field(ge=10, le=50)] = 20.0

    @field_validator("credit_code")
    @classmethod
    def _credit_code(cls, value: str) -> str:
        if not valid_credit_code(value):
            raise ValueError("not a valid unified social credit code (18 characters, check digit per GB 32100)")
        return value


"""Workspace configuration (bidkit.yaml) and the aggregate of all project data."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, SerializerFunctionWrapHandler, model_serializer, model_validator

from bidkit.core.models.acceptance import Acceptance
from bidkit.core.models.base import Model, RelPath, Text
from bidkit.core.models.company import Company
from bidkit.core.models.lifecycle import Award, Payments, Progress, Supply
from bidkit.core.models.pricing import InternalCost, Pricing
from bidkit.core.models.project import Project
from bidkit.core.models.registration import Registration
from bidkit.core.models.responses import Responses
from bidkit.core.models.solution import Solution
from bidkit.core.models.tender import Tender

PART_NAMES = ("price_part", "commercial_part", "technical_part")


class SealPlacement(Model):
    """Where a seal goes when a chapter has no anchor text of its own."""

    part: Text
    page: Annotated[int, Field()] = -1  # 1-based; -1 is the last page of the part


class PackageConfig(Model):
    parts: list[Text] = list(PART_NAMES)  # order in the package, from the tender
    original_label: Text = "正本"
    page_number_format: Text = "第 {n} 页 共 {total} 页"
    cross_page_seal_group: Annotated[int, Field(gt=0)] = 20
    seal_anchors: list[Text] = ["（盖章）", "（公章）", "（盖单位章）", "盖单位章"]
    legal_rep_anchors: list[Text] = ["（签字或盖章）", "（签字）", "（签章）"]
    extra_seals: list[SealPlacement] = []


def _module_path(value: str) -> str:
    if not value.startswith("/"):
        raise ValueError(f"give the absolute path of the PKCS#11 module the CA's driver installed, e.g. "
                         f"/usr/lib/softhsm/libsofthsm2.so ({value})")
    return value


class Pkcs11Config(Model):
    """A signing key on a PKCS#11 token (the USB key a CA issues, an HSM): ``module`` is the driver library
    installed on the machine (never one inside the workspace: anyone who can write the workspace would choose
    the code bidkit runs), ``token`` the token's label, ``key`` the label of the private key or of its
    certificate (``bidkit keys tokens MODULE`` lists them), ``chain`` an optional PEM file in the workspace with
    the CA certificates up to the root, embedded in the signature."""

    module: Annotated[str, Field(min_length=1), AfterValidator(_module_path)]
    token: Text
    key: Text
    chain: RelPath | None = None

    @model_serializer(mode="wrap")
    def _omit_unset_chain(self, handler: SerializerFunctionWrapHandler) -> dict[str, object]:
        dumped: dict[str, object] = handler(self)
        if dumped.get("chain", 0) is None:
            del dumped["chain"]
        return dumped


class SigningConfig(Model):
    """What signs packages, exactly one of: ``certificate``, a PKCS#12 file in the workspace, whose public
    certificate (same name, ``.crt``) beside it is what ``bidkit verify`` trusts by default; or ``pkcs11``, a
    key on a token."""

    certificate: RelPath | None = None
    pkcs11: Pkcs11Config | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> SigningConfig:
        if self.certificate is not None and self.pkcs11 is not None:
            raise ValueError("give signing.certificate (a PKCS#12 file) or signing.pkcs11 (a key on a token), "
                             "not both")
        if self.certificate is None and self.pkcs11 is None:
            raise ValueError("no signing certificate: give signing.certificate (a PKCS#12 file; `bidkit keys cert "
                             "--out DIR/keys` makes a TEST one to try with) or signing.pkcs11 (the CA's token; "
                             "`bidkit keys tokens MODULE` prints the lines to paste)")
        return self

    @model_serializer(mode="wrap")
    def _omit_unset(self, handler: SerializerFunctionWrapHandler) -> dict[str, object]:
        # QA approvals hash the dumped section: a PKCS#12 workspace must hash exactly as before pkcs11 existed
        dumped: dict[str, object] = handler(self)
        for key in ("certificate", "pkcs11"):
            if dumped.get(key, 0) is None:
                del dumped[key]
        return dumped


class WorkspaceConfig(Model):
    schema_version: Annotated[int, Field(ge=1, le=1)] = 1
    version: Annotated[int, Field(ge=1)] = 1  # the bid's version, used in the package name
    templates: dict[str, RelPath] = {}  # document name → workspace template overriding the bundled one
    package: PackageConfig = PackageConfig()
    signing: SigningConfig | None = None

    @model_serializer(mode="wrap")
    def _omit_unset_signing(self, handler: SerializerFunctionWrapHandler) -> dict[str, object]:
        # an absent signing section must not add a key: QA approvals hash each dumped field
        dumped: dict[str, object] = handler(self)
        if dumped.get("signing", 0) is None:
            del dumped["signing"]
        return dumped


class BidData(Model):
    """Everything a workspace holds, loaded and validated."""

    config: WorkspaceConfig
    company: Company
    project: Project
    tender: Tender
    solution: Solution
    responses: Responses
    pricing: Pricing | None = None
    internal_cost: InternalCost | None = None
    registration: Registration | None = None
    acceptance: Acceptance | None = None
    award: Award | None = None
    progress: Progress | None = None
    supply: Supply | None = None
    payments: Payments | None = None

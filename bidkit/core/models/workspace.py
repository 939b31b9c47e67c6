"""Workspace configuration (bidkit.yaml) and the aggregate of all project data."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, SerializerFunctionWrapHandler, model_serializer

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


class SigningConfig(Model):
    """The company certificate that signs packages: a PKCS#12 file in the workspace; its public certificate
    (same name, ``.crt``) beside it is what ``bidkit verify`` trusts by default."""

    certificate: RelPath


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

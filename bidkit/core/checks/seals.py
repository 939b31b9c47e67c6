"""Seals and signatures: every chapter the tender marks as needing one gets it, either on an anchor text in the
chapter (e.g. “（盖单位章）”, “（签字或盖章）”) or by a configured placement (``package.extra_seals``)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from bidkit.core.book import PART_OF_VOLUME
from bidkit.core.checks import CheckInput, Finding, MaterialFacts, Severity, rule
from bidkit.core.checks.chapters import locate
from bidkit.core.checks.text import PART_LABELS, squeeze


def _has_anchor(text: str, anchors: list[str]) -> bool:
    s = squeeze(text)
    return any(squeeze(a) in s for a in anchors)


@rule("seals.chapter_seal", "every chapter needing the company seal has a seal anchor or a configured placement")
def chapter_seal(inp: CheckInput) -> Iterator[Finding]:
    pkg = inp.data.config.package
    placed = {p.part for p in pkg.extra_seals}
    for chapter in inp.data.tender.chapters:
        if not chapter.needs_seal:
            continue
        found, _ = locate(inp, chapter)
        configured = {found.id, found.part, PART_OF_VOLUME.get(found.part, "")} & placed if found else set()
        if found is None or _has_anchor(found.text, pkg.seal_anchors) or configured:
            continue  # a missing chapter is completeness' finding
        yield Finding("seals.chapter_seal", Severity.fatal, found.where(),
                      f"招标文件要求“{chapter.title}”加盖公章，但该章没有盖章位置（如“（盖单位章）”）。"
                      f"Chapter {chapter.id} needs the company seal and has no seal anchor.",
                      f"在模板的该章落款处加入“投标人：…（盖单位章）”，或在 bidkit.yaml 的 package.extra_seals "
                      f"中为 {found.part} 配置盖章页。")


@rule("seals.chapter_signature", "every chapter needing the legal representative's signature has an anchor")
def chapter_signature(inp: CheckInput) -> Iterator[Finding]:
    pkg = inp.data.config.package
    company = inp.data.company
    needs = [(i, c) for i, c in enumerate(inp.data.tender.chapters) if c.needs_signature]
    for _i, chapter in needs:
        found, _ = locate(inp, chapter)
        if found is None or _has_anchor(found.text, pkg.legal_rep_anchors):
            continue
        yield Finding("seals.chapter_signature", Severity.fatal, found.where(),
                      f"招标文件要求“{chapter.title}”由法定代表人签字或盖章，但该章没有签字位置。"
                      f"Chapter {chapter.id} needs the legal representative's signature and has no anchor.",
                      "在模板的该章落款处加入“法定代表人或授权代表：（签字或盖章）”。")
    if needs and not (company.legal_rep_seal or company.legal_rep_signature):
        yield Finding("seals.chapter_signature", Severity.warning, inp.where("company", "legal_rep_seal"),
                      "没有法定代表人印章或签名图片：电子标书上的签字位置将是空白。"
                      "No legal representative seal or signature image is configured.",
                      f"在 company.yaml 中设置 legal_rep_seal 或 legal_rep_signature（{PART_LABELS['price']}"
                      "等章节需要），或打印后手签。")


# --- DEMO and TEST material ------------------------------------------------------------------------------------

_NOT_REAL = "NOT FOR REAL BIDS"
_DEMO_CN = re.compile(r"(^|,)CN=DEMO ")

REPLACE = {
    "company_seal": ("换成本公司公章的图片（PNG，透明背景），或在 company.yaml 中把 company_seal 指向它。",
                     "the company's own seal image"),
    "legal_rep_seal": ("换成本公司法定代表人印章的图片，或从 company.yaml 中删去 legal_rep_seal。",
                       "the legal representative's own seal image"),
    "legal_rep_signature": ("换成法定代表人本人的签名图片，或从 company.yaml 中删去 legal_rep_signature。",
                            "the legal representative's own signature"),
    "id_card_front": ("换成本人身份证的复印件图片。", "the person's own ID card picture"),
    "id_card_back": ("换成本人身份证的复印件图片。", "the person's own ID card picture"),
    "scan": ("换成本公司证书的扫描件。", "the company's own scan"),
    "file": ("换成本项目自己的文件。", "this bid's own file"),
    "certificate": ("改用 CA 颁发的证书（bidkit.yaml signing.pkcs11，见 bidkit keys tokens）；试做时可用 bidkit keys "
                    "cert 生成测试证书。", "the company's certificate from its CA (signing.pkcs11)"),
}


def certificate_kind(identity: Mapping[str, str]) -> str:
    """``demo`` (a DEMO certificate of bidkit's samples or tools), ``test`` (self-signed: TEST from
    ``bidkit keys cert``, or any other not issued by a CA) or ``ca``; read from the certificate itself."""
    subject = identity.get("subject", "")
    if _NOT_REAL in subject and _DEMO_CN.search(subject):
        return "demo"
    if _NOT_REAL in subject or subject == identity.get("issuer"):
        return "test"
    return "ca"


def certificate_findings(code: str, facts: MaterialFacts, where: str) -> Iterator[Finding]:
    """The signing certificate: a DEMO one outside the samples' own projects is fatal, a TEST one a warning."""
    kind = certificate_kind(facts.certificate) if facts.certificate is not None else None
    if (kind == "demo" or facts.certificate_is_demo_file) and code not in facts.demo_codes:
        advice, _ = REPLACE["certificate"]
        yield Finding("seals.demo_material", Severity.fatal, where,
                      "签名证书是 bidkit 示例用的 DEMO 证书（私钥和口令随 bidkit 公开），"
                      f"不能给项目 {code} 的标书签名。"
                      f"The signing certificate is bidkit's DEMO certificate (its key is public): not for project "
                      f"{code}.", advice)
    elif kind == "test":
        assert facts.certificate is not None
        yield Finding("seals.demo_material", Severity.warning, where,
                      "签名证书是自签名的测试证书，不是 CA 颁发的：可以试做，但正式投标的电子签名不会被认可。"
                      f"The signing certificate is self-signed ({facts.certificate.get('subject', '')}), not "
                      "issued by a CA: fine to try with, not for the bid you submit.",
                      "正式投标前改用 CA 颁发的 UKey 证书：bidkit.yaml 的 signing.pkcs11（见 README“Signing with a "
                      "CA token”）。")


@rule("seals.demo_material", "no DEMO seal, picture, scan or certificate of bidkit's samples in another project's "
      "bid (fatal); a self-signed TEST certificate is a warning")
def demo_material(inp: CheckInput) -> Iterator[Finding]:
    facts = inp.material
    if facts is None:
        return
    code = inp.data.project.code
    if code not in facts.demo_codes:
        for used in facts.demo_files:
            what = next((str(p) for p in reversed(used.path) if isinstance(p, str)), "file")
            advice, replacement = REPLACE.get(what, REPLACE["file"])
            yield Finding("seals.demo_material", Severity.fatal, inp.where(used.key, *used.path),
                          f"{used.rel} 是 bidkit 示例项目的演示材料（{used.sample_file}），不能用于项目 {code} 的"
                          f"投标文件。DEMO material of bidkit's sample: replace it with {replacement}.", advice)
    signing = inp.data.config.signing
    if signing is not None and signing.certificate is not None:
        yield from certificate_findings(code, facts, inp.where("config", "signing", "certificate"))

"""Seals and signatures: every chapter the tender marks as needing one gets it, either on an anchor text in the
chapter (e.g. “（盖单位章）”, “（签字或盖章）”) or by a configured placement (``package.extra_seals``)."""

from __future__ import annotations

from collections.abc import Iterator

from bidkit.core.book import PART_OF_VOLUME
from bidkit.core.checks import CheckInput, Finding, Severity, rule
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

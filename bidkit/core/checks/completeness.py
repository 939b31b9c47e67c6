"""Completeness: every part renders, every chapter the tender requires is there and not empty, every required
attachment exists and opens as a PDF."""

from __future__ import annotations

from collections.abc import Iterator

from bidkit.core.checks import CheckInput, Finding, Severity, rule
from bidkit.core.checks.chapters import expected_part, locate, missing_part_reason
from bidkit.core.checks.text import PART_LABELS, heading_title


@rule("completeness.part_renders", "every part of the package renders from its template")
def part_renders(inp: CheckInput) -> Iterator[Finding]:
    for part, problem in inp.render_errors.items():
        yield Finding("completeness.part_renders", Severity.fatal, PART_LABELS.get(part, part),
                      f"{PART_LABELS.get(part, part)}无法生成：{problem}。The {part} does not render.",
                      "修正模板或数据中指出的问题后再检查。")


@rule("completeness.chapter_present", "every chapter the tender requires is in a packaged part and not empty")
def chapter_present(inp: CheckInput) -> Iterator[Finding]:
    if inp.texts is None:
        return
    packaged = set(inp.data.config.package.parts)
    for i, chapter in enumerate(inp.data.tender.chapters):
        where = inp.where("tender", "chapters", i, "title")
        found, exact = locate(inp, chapter)
        if found is None:
            part = expected_part(chapter.id)
            reason = missing_part_reason(inp, part) if part else None
            if part and reason:
                yield Finding("completeness.chapter_present", Severity.info, where,
                              f"未检查“{chapter.title}”：{PART_LABELS[part]}{_why(reason)}。"
                              f"Chapter {chapter.id} not checked: {part} {reason}.", "")
                continue
            yield Finding("completeness.chapter_present", Severity.fatal, where,
                          f"投标文件缺少招标文件要求的章节“{chapter.title}”。Required chapter {chapter.id} missing.",
                          "在相应部分的模板中加入该章节（标题与招标文件一致），或改正 tender.yaml 的章节标题。")
            continue
        if found.part not in packaged:
            yield Finding("completeness.chapter_present", Severity.fatal, where,
                          f"章节“{chapter.title}”所在的{PART_LABELS.get(found.part, found.part)}不在标书中。"
                          f"Chapter {chapter.id} is in {found.part}, which the package leaves out.",
                          f"在 bidkit.yaml 的 package.parts 中加入 {found.part}。")
        if not found.body_lines():
            yield Finding("completeness.chapter_present", Severity.fatal, found.where(),
                          f"章节“{chapter.title}”内容为空。Chapter {chapter.id} is empty.",
                          "补充该章节的数据或模板内容。")
        if not exact:
            yield Finding("completeness.chapter_present", Severity.info, found.where(),
                          f"章节标题“{heading_title(found.heading)}”与招标文件的“{chapter.title}”不完全一致。"
                          f"Heading differs from the tender's title for {chapter.id}.",
                          "如招标文件对格式有严格要求，使用招标文件的原标题。")


def _why(reason: str) -> str:
    return {"prices not readable": "无法读取报价", "did not render": "未能生成", "not rendered": "未生成"}[reason]


@rule("completeness.attachment", "every attachment the tender requires exists and opens as a PDF")
def attachment(inp: CheckInput) -> Iterator[Finding]:
    quals = {q.id: (i, q) for i, q in enumerate(inp.data.company.qualifications)}
    for i, req in enumerate(inp.data.tender.required_attachments):
        if req.qualification not in quals:
            yield Finding("completeness.attachment", Severity.fatal,
                          inp.where("tender", "required_attachments", i, "qualification"),
                          f"招标文件要求的资格证明“{req.note or req.qualification}”在公司资料中不存在。"
                          f"Required qualification {req.qualification} is not in company.yaml.",
                          "在 company.yaml 的 qualifications 中加入该证书及其扫描件。")
            continue
        qi, q = quals[req.qualification]
        if inp.attachments is None:
            continue
        facts = inp.attachments.get(q.scan)
        where = inp.where("company", "qualifications", qi, "scan")
        if facts is None or not facts["exists"]:
            yield Finding("completeness.attachment", Severity.fatal, where,
                          f"{q.name}的扫描件 {q.scan} 不存在。The scan of {q.id} is missing.",
                          f"把扫描件（PDF）放到工作区的 {q.scan}。")
        elif not facts["pdf_ok"]:
            yield Finding("completeness.attachment", Severity.fatal, where,
                          f"{q.name}的扫描件 {q.scan} 无法作为 PDF 打开（{facts['problem']}）。"
                          f"The scan of {q.id} does not open as a PDF.",
                          "重新扫描或导出为未加密的 PDF。")
        elif facts["pages"] < 1:
            yield Finding("completeness.attachment", Severity.fatal, where,
                          f"{q.name}的扫描件 {q.scan} 没有页面。The scan of {q.id} has no pages.",
                          "重新扫描该证书。")

"""Completeness: every chapter renders and is not empty, every attachment the book holds exists and opens as a
PDF, every piece of evidence cited is attached, every qualification the tender requires is in the bid."""

from __future__ import annotations

import re
from collections.abc import Iterator

from bidkit.core.book import attachment_index
from bidkit.core.checks import CheckInput, Finding, Severity, rule
from bidkit.core.checks.chapters import locate, missing_reason

_CITES = re.compile(r"见.{0,12}(报告|证书|附件|复印件|证明)|复印件附后|附后")


@rule("completeness.part_renders", "every chapter of the book renders from its form or file")
def part_renders(inp: CheckInput) -> Iterator[Finding]:
    assert inp.book is not None
    for chapter_id, problem in inp.render_errors.items():
        pc = inp.book.chapter(chapter_id)
        title = pc.title if pc is not None else chapter_id
        yield Finding("completeness.part_renders", Severity.fatal, title,
                      f"“{title}”无法生成：{problem}。Chapter {chapter_id} does not render.",
                      "修正模板、章节文件或数据中指出的问题后再检查。")


@rule("completeness.chapter_present", "every chapter the tender requires is in the book and not empty")
def chapter_present(inp: CheckInput) -> Iterator[Finding]:
    if inp.texts is None:
        return
    for i, chapter in enumerate(inp.data.tender.chapters):
        where = inp.where("tender", "chapters", i, "title")
        found, _ = locate(inp, chapter)
        if found is None:
            reason = missing_reason(inp, chapter.id)
            if reason in ("prices not readable", "no text of its own", "did not render"):
                if reason == "prices not readable":
                    yield Finding("completeness.chapter_present", Severity.info, where,
                                  f"未检查“{chapter.title}”：无法读取报价。Chapter {chapter.id} not checked: "
                                  "prices not readable.", "")
                continue
            yield Finding("completeness.chapter_present", Severity.fatal, where,
                          f"投标文件缺少招标文件要求的章节“{chapter.title}”。Required chapter {chapter.id} missing.",
                          "检查 tender.yaml 中该章节的来源（表单、文件或附件）。")
            continue
        if found.filled and not found.body_lines():
            yield Finding("completeness.chapter_present", Severity.fatal, found.where(),
                          f"章节“{chapter.title}”内容为空。Chapter {chapter.id} is empty.",
                          "补充该章节的数据或模板内容。")


def _facts_problem(inp: CheckInput, path: str) -> str | None:
    if inp.attachments is None:
        return None
    facts = inp.attachments.get(path)
    if facts is None or not facts["exists"]:
        return "missing"
    if not facts["pdf_ok"]:
        return facts["problem"] or "not a PDF"
    if facts["pages"] < 1:
        return "no pages"
    return None


@rule("completeness.attachment", "every attachment the book holds and every required qualification exists and "
      "opens as a PDF")
def attachment(inp: CheckInput) -> Iterator[Finding]:
    assert inp.book is not None
    index = attachment_index(inp.data)
    quals = {q.id: i for i, q in enumerate(inp.data.company.qualifications)}
    placed = {a for pc in inp.book.chapters() for a in pc.attachments}
    for i, req in enumerate(inp.data.tender.required_attachments):
        where = inp.where("tender", "required_attachments", i, "qualification")
        if req.qualification not in quals:
            yield Finding("completeness.attachment", Severity.fatal, where,
                          f"招标文件要求的资格证明“{req.note or req.qualification}”在公司资料中不存在。"
                          f"Required qualification {req.qualification} is not in company.yaml.",
                          "在 company.yaml 的 qualifications 中加入该证书及其扫描件。")
        elif req.qualification not in placed:
            yield Finding("completeness.attachment", Severity.fatal, where,
                          f"招标文件要求的资格证明“{index[req.qualification].title}”没有放入任何章节。"
                          f"Required qualification {req.qualification} is attached in no chapter.",
                          "在 tender.yaml 的资格证明文件章节的 attachments 中加入它。")
    for att_id in sorted(placed):
        ref = index.get(att_id)
        if ref is None:
            continue  # an unknown id is the validation path's problem
        problem = _facts_problem(inp, ref.path)
        if att_id in quals:
            where = inp.where("company", "qualifications", quals[att_id], "scan")
        else:
            n = next(i for i, a in enumerate(inp.data.responses.attachments) if a.id == att_id)
            where = inp.where("responses", "attachments", n, "file")
        if problem is None:
            facts = inp.attachments.get(ref.path) if inp.attachments is not None else None
            for note in facts.get("notes", []) if facts is not None else []:
                yield Finding("completeness.attachment", Severity.warning, where,
                              f"{ref.title}的扫描件 {ref.path} 封装时会被改动：{note}。"
                              f"Sealing changes the scan of {att_id}.",
                              "核对封装后的页面；最好换成没有这些内容的 PDF。")
            continue
        if problem == "missing":
            yield Finding("completeness.attachment", Severity.fatal, where,
                          f"{ref.title}的扫描件 {ref.path} 不存在。The scan of {att_id} is missing.",
                          f"把扫描件（PDF）放到工作区的 {ref.path}。")
        elif problem == "no pages":
            yield Finding("completeness.attachment", Severity.fatal, where,
                          f"{ref.title}的扫描件 {ref.path} 没有页面。The scan of {att_id} has no pages.",
                          "重新扫描该文件。")
        else:
            yield Finding("completeness.attachment", Severity.fatal, where,
                          f"{ref.title}的扫描件 {ref.path} 无法作为 PDF 打开（{problem}）。"
                          f"The scan of {att_id} does not open as a PDF.",
                          "重新扫描或导出为未加密的 PDF。")


@rule("completeness.evidence", "evidence: a ★ row proves itself, a response that cites a report attaches it, "
      "a reference attaches its contract")
def evidence(inp: CheckInput) -> Iterator[Finding]:
    reqs = {r.id: r for r in inp.data.tender.requirements}
    for table in ("technical", "commercial"):
        for i, row in enumerate(getattr(inp.data.responses, table)):
            req = reqs.get(row.requirement)
            cites = bool(_CITES.search(f"{row.response} {row.note}"))
            if row.evidence:
                continue
            if cites and req is not None and req.mandatory:
                yield Finding("completeness.evidence", Severity.fatal, inp.where("responses", table, i),
                              f"★条款 {req.clause or req.id}（{req.id}）的响应引用了证明材料，但没有附上。"
                              f"Mandatory requirement {req.id} cites evidence that is not attached.",
                              "在 responses.yaml 该行加 evidence: [附件编号]，并在 attachments 中声明该 PDF。")
            elif cites:
                yield Finding("completeness.evidence", Severity.warning, inp.where("responses", table, i),
                              f"条款 {req.clause if req else row.requirement}（{row.requirement}）的响应写了"
                              "“见…报告/证书/附件”，但没有附上证明材料。"
                              f"Response to {row.requirement} cites evidence that is not attached.",
                              "在该行加 evidence: [附件编号]，或删去“见…”的说法。")
    for i, ref in enumerate(inp.data.responses.references):
        if not ref.evidence:
            yield Finding("completeness.evidence", Severity.warning, inp.where("responses", "references", i),
                          f"类似项目业绩“{ref.project}”没有附合同复印件。Reference {ref.project}: no contract copy.",
                          "在该业绩加 evidence: [合同扫描件的附件编号]。")

"""Identity: the bidder (name, unified social credit code, legal representative) and the tender (number, project
name) printed identically in every part and on the covers, with no conflicting variant anywhere."""

from __future__ import annotations

from collections.abc import Iterator

from bidkit.core.checks import CheckInput, Finding, Severity, rule
from bidkit.core.checks.text import PART_LABELS, Chapter, labelled_values, squeeze

FIELD_NAMES = {
    "bidder": ("投标人名称", "bidder name"),
    "credit_code": ("统一社会信用代码", "credit code"),
    "legal_rep": ("法定代表人", "legal representative"),
    "tender_number": ("招标编号", "tender number"),
    "project_name": ("项目名称", "project name"),
}


def _conflicts(inp: CheckInput, rule_id: str, field: str, canonical: str, source: str) -> Iterator[Finding]:
    cn, en = FIELD_NAMES[field]
    want = squeeze(canonical)
    for volume in inp.volumes():
        for ch in inp.chapters(volume):
            for value in labelled_values(ch.text, field):
                if squeeze(value) != want:
                    yield Finding(rule_id, Severity.fatal, ch.where(value),
                                  f"{cn}印为“{value}”，与 {source} 中的“{canonical}”不一致。"
                                  f"The {en} printed differs from {source}.",
                                  f"检查模板中写死的{cn}，改为使用数据字段；或改正 {source}。")
                    break


def _absent(inp: CheckInput, rule_id: str, field: str, canonical: str, chapters: list[Chapter]) -> Iterator[Finding]:
    cn, en = FIELD_NAMES[field]
    want = squeeze(canonical)
    for ch in chapters:
        if want not in squeeze(ch.text):
            label = "封面" if not ch.heading else ch.heading
            yield Finding(rule_id, Severity.fatal, ch.where(),
                          f"{ch.part_title or PART_LABELS.get(ch.part, ch.part)}的{label}上没有{cn}“{canonical}”。"
                          f"The {en} is missing from {ch.part}.",
                          f"在模板中打印{cn}。")


@rule("identity.bidder", "bidder name, credit code and legal representative identical across all parts")
def bidder(inp: CheckInput) -> Iterator[Finding]:
    if not inp.texts:
        return
    c = inp.data.company
    covers = [inp.chapters(volume)[0] for volume in inp.volumes()]
    yield from _absent(inp, "identity.bidder", "bidder", c.name, covers)
    yield from _conflicts(inp, "identity.bidder", "bidder", c.name, "company.yaml name")
    yield from _conflicts(inp, "identity.bidder", "credit_code", c.credit_code, "company.yaml credit_code")
    yield from _conflicts(inp, "identity.bidder", "legal_rep", c.legal_rep.name, "company.yaml legal_rep.name")
    commercial = inp.chapters("commercial")
    if commercial:
        text = squeeze("\n".join(ch.text for ch in commercial))
        for field, value in (("credit_code", c.credit_code), ("legal_rep", c.legal_rep.name)):
            if squeeze(value) not in text:
                cn, en = FIELD_NAMES[field]
                where = commercial[0].part_title or PART_LABELS["commercial"]
                yield Finding("identity.bidder", Severity.warning, where,
                              f"商务部分没有写明{cn}。The commercial part does not show the {en}.",
                              f"在授权书或投标人基本情况表中打印{cn}。")


@rule("identity.tender", "tender number and project name identical across all parts and the covers")
def tender(inp: CheckInput) -> Iterator[Finding]:
    if not inp.texts:
        return
    t = inp.data.tender
    covers = [inp.chapters(volume)[0] for volume in inp.volumes()]
    for field, value, source in (("tender_number", t.number, "tender.yaml number"),
                                 ("project_name", t.project_name, "tender.yaml project_name")):
        yield from _absent(inp, "identity.tender", field, value, covers)
        yield from _conflicts(inp, "identity.tender", field, value, source)

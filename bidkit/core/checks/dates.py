"""Validity dates: certificates valid through the deadline and the bid validity period, the authorisation letter
dated before the deadline, the bid validity period at least what the tender asks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from bidkit.core.checks import CheckInput, Finding, Severity, rule
from bidkit.core.context import cn_date


def _required_ids(inp: CheckInput) -> set[str]:
    return {r.qualification for r in inp.data.tender.required_attachments}


def validity_end(inp: CheckInput) -> dt.date:
    """The last day the bid must stay valid: deadline + the bid validity days the tender requires."""
    return inp.deadline() + dt.timedelta(days=inp.data.tender.bid_validity_days)


@rule("dates.qualification_deadline", "every qualification valid on the bid deadline")
def qualification_deadline(inp: CheckInput) -> Iterator[Finding]:
    required = _required_ids(inp)
    deadline = inp.deadline()
    for i, q in enumerate(inp.data.company.qualifications):
        if q.valid_until is not None and q.valid_until < deadline:
            needed = q.id in required
            yield Finding(
                "dates.qualification_deadline", Severity.fatal if needed else Severity.warning,
                inp.where("company", "qualifications", i, "valid_until"),
                f"{q.name}（{q.number}）于 {cn_date(q.valid_until)} 到期，早于投标截止日 {cn_date(deadline)}。"
                f"Qualification {q.id} expires before the bid deadline.",
                "办理延续/换证并扫描新证书；更新 company.yaml 的 valid_until 与 scan。"
                + ("" if needed else "（招标文件未要求此证书：也可从资格证明文件中移除。）"),
            )


@rule("dates.qualification_validity", "every qualification valid through the bid validity period")
def qualification_validity(inp: CheckInput) -> Iterator[Finding]:
    deadline, end = inp.deadline(), validity_end(inp)
    for i, q in enumerate(inp.data.company.qualifications):
        if q.valid_until is not None and deadline <= q.valid_until < end:
            yield Finding(
                "dates.qualification_validity", Severity.warning,
                inp.where("company", "qualifications", i, "valid_until"),
                f"{q.name} 于 {cn_date(q.valid_until)} 到期，早于投标有效期结束日 {cn_date(end)}。"
                f"Qualification {q.id} expires within the bid validity period.",
                "尽快办理证书延续，并准备在评标或签约时提供新证书。",
            )


@rule("dates.authorisation", "the authorisation letter dated on or before the deadline and valid through it")
def authorisation(inp: CheckInput) -> Iterator[Finding]:
    a = inp.data.responses.authorisation
    deadline = inp.deadline()
    if a.date > deadline:
        yield Finding("dates.authorisation", Severity.fatal, inp.where("responses", "authorisation", "date"),
                      f"法定代表人授权书日期 {cn_date(a.date)} 晚于投标截止日 {cn_date(deadline)}。"
                      "The authorisation letter is dated after the bid deadline.",
                      "授权书须在投标截止前签署：改正日期。")
    if a.valid_until is not None:
        if a.valid_until < deadline:
            yield Finding("dates.authorisation", Severity.fatal,
                          inp.where("responses", "authorisation", "valid_until"),
                          f"授权书有效期至 {cn_date(a.valid_until)}，早于投标截止日。"
                          "The authorisation expires before the bid deadline.",
                          "重新出具授权书，有效期覆盖投标有效期。")
        elif a.valid_until < validity_end(inp):
            yield Finding("dates.authorisation", Severity.warning,
                          inp.where("responses", "authorisation", "valid_until"),
                          f"授权书有效期至 {cn_date(a.valid_until)}，"
                          f"早于投标有效期结束日 {cn_date(validity_end(inp))}。"
                          "The authorisation expires within the bid validity period.",
                          "把授权有效期延长至投标有效期结束。")
    bid_date = inp.data.responses.bid.date
    if bid_date > deadline:
        yield Finding("dates.authorisation", Severity.fatal, inp.where("responses", "bid", "date"),
                      f"投标日期 {cn_date(bid_date)} 晚于投标截止日。The bid is dated after the deadline.",
                      "改正 responses.yaml 中 bid.date。")
    if a.date > bid_date:
        yield Finding("dates.authorisation", Severity.warning, inp.where("responses", "authorisation", "date"),
                      "授权书日期晚于投标文件落款日期。The authorisation is dated after the bid.",
                      "授权书应在投标文件落款日或之前签署。")


@rule("dates.bid_validity_days", "the bid validity period at least what the tender requires")
def bid_validity_days(inp: CheckInput) -> Iterator[Finding]:
    offered = inp.data.responses.bid.bid_validity_days
    required = inp.data.tender.bid_validity_days
    if offered < required:
        yield Finding("dates.bid_validity_days", Severity.fatal,
                      inp.where("responses", "bid", "bid_validity_days"),
                      f"投标有效期 {offered} 天短于招标文件要求的 {required} 天，投标将被否决。"
                      "The bid validity period is shorter than required.",
                      f"把投标有效期改为不少于 {required} 日历天。")

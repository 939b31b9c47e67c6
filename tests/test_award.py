"""``bidkit award``: the award notice, contract, performance bond and instalments recorded from the command line,
through the same checks as a hand edit (nothing written when one fails)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import yaml

from bidkit.adapters.render.text import docx_text
from tests.helpers import Result, snapshot


def test_award_records_only_the_fields_given(cli: Callable[..., Result], sample_ws: Path) -> None:
    res = cli("award", sample_ws, "--bond-paid", "2027-01-05", "--bond-form", "guarantee", "--bond-issuer",
              "江临商业银行", "--bond-valid-until", "2030-12-31", "--letter", "--no-pdf")
    assert res.code == 0, res.err
    lines = res.out.splitlines()
    assert lines[0] == f"recorded {sample_ws / 'award.yaml'}"
    assert lines[3] == "performance bond ¥215,352.53 (银行保函), paid 2027-01-05"
    saved = yaml.safe_load((sample_ws / "award.yaml").read_text(encoding="utf-8"))
    assert saved["contract_number"] == "JLGA-HT-2027-006" and len(saved["instalments"]) == 4
    assert saved["performance_bond"]["issuer"] == "江临商业银行"
    letter = docx_text(sample_ws / "build" / "docx" / "performance_bond_letter.docx")
    assert "保函开立银行：江临商业银行；保函有效期至 2030年12月31日。" in letter


def test_award_from_nothing(cli: Callable[..., Result], sample_ws: Path) -> None:
    (sample_ws / "award.yaml").unlink()
    (sample_ws / "payments.yaml").unlink()
    (sample_ws / "supply.yaml").unlink()
    res = cli("award", sample_ws, "--notice-number", "ZB-1", "--notice-date", "2027-01-04", "--contract-number",
              "HT-1", "--contract-date", "2027-01-07", "--amount", "1000000.00", "--supply-days", "60",
              "--construction-days", "130", "--warranty-years", "3",
              "--instalment", "预付款:30:contract_signed", "--instalment", "进度款:30:installation_done:T11",
              "--instalment", "验收款:40:acceptance_passed")
    assert res.code == 0, res.err
    assert res.out.splitlines()[-1] == ("instalments: 预付款 30% 合同签订后 ¥300,000.00; "
                                        "进度款 30% 安装调试完成后 (T11) ¥300,000.00; "
                                        "验收款 40% 验收合格后 ¥400,000.00")


def test_award_refused_with_the_lines_of_a_hand_edit(cli: Callable[..., Result], sample_ws: Path) -> None:
    before = snapshot(sample_ws)
    res = cli("award", sample_ws, "--contract-date", "2027-01-01", "--instalment", "预付款:30:contract_signed",
              "--instalment", "尾款:60:warranty_ended")
    assert res.code == 3
    assert res.err_lines == [
        "award.yaml (top): contract_date is before notice_date",
        "payments.yaml:12 requests.1.instalment: unknown instalment '进度款' (one of 预付款, 尾款 in award.yaml "
        "instalments)",
        "payments.yaml:16 requests.2.instalment: unknown instalment '验收款' (one of 预付款, 尾款 in award.yaml "
        "instalments)",
        "error: 3 problems found",
    ]
    assert snapshot(sample_ws) == before
    res = cli("award", sample_ws, "--instalment", "预付款:thirty:contract_signed")
    assert res.err_lines == ["award.yaml instalments.0.percent: percent is not a number", "error: 1 problem found"]
    res = cli("award", sample_ws, "--instalment", "预付款-30")
    assert res.err_lines == ["error: --instalment 预付款-30: expected NAME:PERCENT:CONDITION[:TASK], e.g. "
                             "预付款:30:contract_signed"]
    assert snapshot(sample_ws) == before

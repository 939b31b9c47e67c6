"""`bidkit validate` / `render` on broken workspaces: every problem as one exact line, non-zero exit."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from tests.helpers import Result, line_no, replace_once, snapshot


def test_sample_is_valid(cli: Callable[..., Result], sample_ws: Path) -> None:
    r = cli("validate", sample_ws)
    assert r.code == 0, r.err
    assert r.out.startswith(f"ok: {sample_ws}: ")
    assert r.err == ""


def test_missing_workspace(cli: Callable[..., Result], tmp_path: Path) -> None:
    r = cli("validate", tmp_path / "nope")
    assert (r.code, r.err_lines) == (3, [f"error: {tmp_path / 'nope'}: workspace folder not found"])


def test_missing_file(cli: Callable[..., Result], sample_ws: Path) -> None:
    (sample_ws / "tender.yaml").unlink()
    r = cli("validate", sample_ws)
    assert (r.code, r.err_lines) == (3, ["tender.yaml: file not found", "error: 1 problem found"])


def test_malformed_yaml(cli: Callable[..., Result], sample_ws: Path) -> None:
    path = sample_ws / "solution.yaml"
    with path.open("a", encoding="utf-8") as fh:
        fh.write("broken: [1, 2\n")
    n = len(path.read_text(encoding="utf-8").splitlines())
    r = cli("validate", sample_ws)
    assert r.code == 3
    assert r.err_lines == [
        f"solution.yaml:{n + 1}: YAML syntax error: expected ',' or ']', but got '<stream end>'",
        "error: 1 problem found",
    ]


def test_wrong_type_unknown_field_missing_field_and_negative_quantity_all_at_once(
    cli: Callable[..., Result], sample_ws: Path
) -> None:
    tender = sample_ws / "tender.yaml"
    replace_once(tender, r"^bid_validity_days:.*$", "bid_validity_days: ninety")
    wrong_type = line_no(tender, r"^bid_validity_days: ninety")

    company = sample_ws / "company.yaml"
    replace_once(company, r"^(phone:.*)$", r"\1\nfax_number: 0000-0000000")
    unknown = line_no(company, r"^fax_number:")

    project = sample_ws / "project.yaml"
    replace_once(project, r"^code:.*\n", "")
    top = line_no(project, r"^[a-z_]+:")  # a missing field points at the mapping that lacks it

    solution = sample_ws / "solution.yaml"
    replace_once(solution, r"^(\s+qty:) .*$", r"\1 -3")
    negative = line_no(solution, r"^\s+qty: -3$")

    before = snapshot(sample_ws)
    r = cli("validate", sample_ws)
    assert r.code == 3
    assert r.err_lines == [
        f"company.yaml:{unknown} fax_number: unknown field (did you mean fax?)",
        f"project.yaml:{top} code: required field missing",
        f"tender.yaml:{wrong_type} bid_validity_days: expected a whole number",
        f"solution.yaml:{negative} bom.0.qty: quantity must be greater than 0",
        "error: 4 problems found",
    ]
    assert snapshot(sample_ws) == before


def test_cross_file_references(cli: Callable[..., Result], sample_ws: Path) -> None:
    responses = sample_ws / "responses.yaml"
    replace_once(responses, r"^(\s+-?\s*requirement:) T-01$", r"\1 T-999")
    line = line_no(responses, r"requirement: T-999$")
    r = cli("validate", sample_ws)
    assert r.code == 3
    assert r.err_lines[0] == f"responses.yaml:{line} technical.0.requirement: unknown requirement 'T-999'"


def test_attachment_outside_workspace_is_refused(cli: Callable[..., Result], sample_ws: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.pdf"
    outside.write_bytes(b"%PDF-1.4\n")
    scans = sorted(p for p in (sample_ws / "attachments").glob("*.pdf") if p.name != "bid_bond_receipt.pdf")
    scans[0].unlink()
    scans[0].symlink_to(outside)
    company = sample_ws / "company.yaml"
    line = line_no(company, rf"scan: attachments/{re.escape(scans[0].name)}")
    r = cli("validate", sample_ws)
    assert r.code == 3
    (problem,) = [x for x in r.err_lines if x.startswith("company.yaml")]
    assert problem.startswith(f"company.yaml:{line} qualifications.")
    assert problem.endswith(f".scan: file path leads outside the workspace (attachments/{scans[0].name})")


def test_unknown_task_fails_validate_with_the_line_status_prints(cli: Callable[..., Result], sample_ws: Path) -> None:
    """One validation path: what `status` refuses, `validate` refuses first, with the same line."""
    progress = sample_ws / "progress.yaml"
    replace_once(progress, r"^  - \{task: T1, date: 2027-01-11", "  - {task: T99, date: 2027-01-11")
    line = f"progress.yaml:{line_no(progress, 'task: T99')} records.0.task: unknown task 'T99'"
    v = cli("validate", sample_ws)
    s = cli("status", sample_ws, "--at", "2027-03-15")
    assert (v.code, v.err_lines) == (3, [line, "error: 1 problem found"])
    assert (s.code, s.err_lines) == (3, [line, "error: 1 problem found"])


def test_every_cross_file_reference_in_one_run(cli: Callable[..., Result], sample_ws: Path) -> None:
    supply = sample_ws / "supply.yaml"
    replace_once(supply, r"^(\s+item:) B01$", r"\1 B99")
    progress = sample_ws / "progress.yaml"
    replace_once(progress, r"^(\s+- \{role:) 项目经理", r"\1 架构师")
    tender = sample_ws / "tender.yaml"
    replace_once(tender, r"^(\s+- qualification:) iso9001$", r"\1 iso9999")
    (sample_ws / "award.yaml").unlink()
    r = cli("validate", sample_ws)
    assert r.code == 3
    text = "\n".join(r.err_lines)
    for expected in ("supply.yaml:", "unknown BOM line 'B99'", "progress.yaml:", "unknown staffing role '架构师'",
                     "tender.yaml:", "unknown qualification 'iso9999'",
                     "payments.yaml:", "payment requests without award.yaml"):
        assert expected in text, text


def test_ten_planted_errors_in_four_files_in_one_run(cli: Callable[..., Result], sample_ws: Path) -> None:
    tender, company, solution, responses = (sample_ws / f for f in (
        "tender.yaml", "company.yaml", "solution.yaml", "responses.yaml"))
    replace_once(tender, r"^bid_validity_days:.*$", "bid_validity_days: ninety")
    replace_once(tender, r"^deadline:.*$", "deadline: someday")
    replace_once(tender, r"^(  - qualification:) iso9001$", r"\1 iso9999")
    replace_once(company, r"^(phone:.*)$", r"\1\nfax_number: 0000-0000000")
    replace_once(company, r"^credit_code:.*$", "credit_code: 123")
    replace_once(company, r"^founded: .*$", "founded: 2011-02-30")
    replace_once(solution, r"^(\s+qty:) .*$", r"\1 -3")
    replace_once(solution, r"^(\s+unit:) .*$", r"\1 ''")
    replace_once(responses, r"^(\s+-?\s*requirement:) T-01$", r"\1 T-999")
    replace_once(responses, r"^(\s+warranty_years:) .*$", r"\1 zero")
    r = cli("validate", sample_ws)
    assert r.code == 3
    assert r.err_lines[-1] == "error: 10 problems found", "\n".join(r.err_lines)
    files = {line.split(":", 1)[0] for line in r.err_lines[:-1]}
    assert files == {"tender.yaml", "company.yaml", "solution.yaml", "responses.yaml"}

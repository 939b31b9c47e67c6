"""`bidkit check` end to end: the sample is clean; a copy with seven planted defects (one per rule family) is
caught, each with its rule id and location, exit 10; `bidkit assemble` refuses it."""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from bidkit.store import keys, lock
from bidkit.store.resources import templates_dir
from bidkit.store.workspace import load
from tests.helpers import DEMO_KEY, DEMO_PASSPHRASE, Result, line_no, needs_soffice
from tests.helpers import replace_once as edit

DEMO_REVIEWER = "郑雅琴"
PASSPHRASE = DEMO_PASSPHRASE


@pytest.fixture
def prices(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BIDKIT_PRICE_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("BIDKIT_SIGN_PASSWORD", "demo-only-password")  # the sample's public DEMO certificate


def reapprove(root: Path) -> None:
    """QA reviews the changed workspace again (with the sample's DEMO key), so the prices open."""
    ws = load(root)
    lock.request(ws)
    lock.decide(ws, "approved", DEMO_REVIEWER, "test approval", keys.load_private(DEMO_KEY))






def override(root: Path, name: str, *edits: tuple[str, str, str | None]) -> None:
    """A workspace template ``templates/NAME.docx``: the bundled one with (old, new, after) text edits in its
    XML, each replacing the first ``old`` that follows ``after``."""
    src = templates_dir() / "forms" / f"{name}.docx"
    (root / "templates").mkdir(exist_ok=True)
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(root / "templates" / f"{name}.docx", "w") as zout:
        for item in zin.infolist():
            blob = zin.read(item.filename)
            if item.filename == "word/document.xml":
                xml = blob.decode()
                for old, new, after in edits:
                    at = xml.index(after) if after else 0
                    pos = xml.index(old, at)
                    xml = xml[:pos] + new + xml[pos + len(old):]
                blob = xml.encode()
            zout.writestr(item, blob)


@pytest.mark.slow  # over 5 s (several full checks / processes)
def test_sample_is_clean(cli: Callable[..., Result], sample_ws: Path, prices: None) -> None:
    r = cli("check", sample_ws)
    assert r.code == 0, r.out + r.err
    assert r.err == ""
    assert re.search(r"^checked .*: 0 fatal, 1 warning, 0 info \(29 rules, [\d.]+s\)$", r.out, re.M)
    assert "[responsiveness.negative_deviation] responses.yaml:" in r.out
    r = cli("check", sample_ws, "--strict")  # the one warning now fails
    assert (r.code, r.err_lines) == (10, [
        "error: 0 fatal, 1 warning finding(s): the bid would be invalid; fix them before sealing"])


def test_without_prices_says_so(cli: Callable[..., Result], sample_ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BIDKIT_PRICE_PASSPHRASE", raising=False)
    r = cli("check", sample_ws, "--json")
    assert r.code == 11  # never clean when the price rules could not run
    report = json.loads(r.out)
    assert report["counts"]["fatal"] == 0 and (report["prices_checked"], report["complete"]) == (False, False)
    [skipped] = [f for f in report["findings"] if f["rule"] == "price.readable"]
    assert skipped["severity"] == "info" and "give BIDKIT_PRICE_PASSPHRASE" in skipped["message"]


@pytest.mark.slow  # over 5 s (several full checks / processes)
def test_check_exit_code_when_prices_cannot_be_read(cli: Callable[..., Result], sample_ws: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Exit 11, the last line of the report and the error say the check is not complete; --without-prices
    checks the rest and exits 0."""
    monkeypatch.delenv("BIDKIT_PRICE_PASSPHRASE", raising=False)
    r = cli("check", sample_ws)
    assert r.code == 11
    assert re.fullmatch(r"checked .*: 0 fatal, 1 warning, 4 info \(\d+ rules, [\d.]+s\); NOT COMPLETE: the price "
                        r"rules did not run \(no price passphrase: set BIDKIT_PRICE_PASSPHRASE or run on a terminal "
                        r"to be asked\)", r.out.splitlines()[-1]), r.out
    assert r.err_lines == [
        "error: the check is not complete: the price rules did not run (no price passphrase: set "
        "BIDKIT_PRICE_PASSPHRASE or run on a terminal to be asked); check again once QA has approved and the prices "
        "are in, with the passphrase ($BIDKIT_PRICE_PASSPHRASE or at the prompt), or use --without-prices for the "
        "rest only"]
    r = cli("check", sample_ws, "--without-prices")
    assert r.code == 0, r.err
    assert r.out.splitlines()[-1].endswith("; price rules not run (--without-prices)")
    (sample_ws / "pricing.enc").unlink()  # no prices yet: the same, with its reason
    r = cli("check", sample_ws, "--json")
    assert r.code == 11 and "no pricing.enc yet" in r.err


def test_wrong_passphrase_is_a_note_not_a_crash(cli: Callable[..., Result], sample_ws: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BIDKIT_PRICE_PASSPHRASE", "wrong")
    r = cli("check", sample_ws, "--json")
    assert r.code == 11
    [skipped] = [f for f in json.loads(r.out)["findings"] if f["rule"] == "price.readable"]
    assert "pricing.enc: wrong passphrase" in skipped["message"]


def plant_seven(root: Path) -> dict[str, str]:
    """One defect per rule family; returns rule id → expected location."""
    tender, company, responses = root / "tender.yaml", root / "company.yaml", root / "responses.yaml"
    expected: dict[str, str] = {}
    # price: the bid total is now above the control price
    edit(tender, r'^control_price: "4860000.00"', 'control_price: "4000000.00"')
    expected["price.control_price"] = f"tender.yaml:{line_no(tender, '^control_price')} control_price"
    # responsiveness: a ★ requirement answered with 负偏离
    edit(responses, r"(requirement: T-01\n(?:.*\n)*?\s*deviation:) \S+", r"\1 负偏离")
    text = responses.read_text(encoding="utf-8")
    t01 = text.index("requirement: T-01")
    dev_line = text[:t01].count("\n") + 1 + text[t01:].split("deviation:")[0].count("\n")
    expected["responsiveness.mandatory_deviation"] = f"responses.yaml:{dev_line} technical.0.deviation"
    # completeness: a required scan that is a PNG, not a PDF
    (root / "attachments" / "iso9001.pdf").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    expected["completeness.attachment"] = (
        f"company.yaml:{line_no(company, 'scan: attachments/iso9001.pdf')} qualifications.2.scan")
    # dates: the safety permit expires before the deadline
    edit(company, r"valid_until: 2028-01-09", "valid_until: 2026-12-01")
    expected["dates.qualification_deadline"] = (
        f"company.yaml:{line_no(company, 'valid_until: 2026-12-01')} qualifications.4.valid_until")
    # identity + seals: the tender's own commercial template hard-codes an old credit code and drops the seal
    # anchor of the authorisation letter
    override(root, "qualifications", ("{{ company.credit_code }}", "91990100MA1JL00A99", "投标人基本情况表"))
    override(root, "authorisation_letter", ("（盖单位章）", "", None))
    expected["identity.bidder"] = "资格证明文件（商务文件）"
    expected["seals.chapter_seal"] = "法定代表人授权委托书（商务文件）"
    # hygiene: a technical form tries to reach the internal cost
    sneak = "{% if internal_cost is defined %}{{ internal_cost.labour }}{% endif %}"
    override(root, "bom", ("{{ chapter.title }}", "{{ chapter.title }}" + sneak, None))
    expected["hygiene.internal_cost"] = "templates/bom.docx"
    return expected


@pytest.mark.slow
def test_seven_planted_defects(cli: Callable[..., Result], sample_ws: Path, prices: None, tmp_path: Path) -> None:
    expected = plant_seven(sample_ws)
    reapprove(sample_ws)
    r = cli("check", sample_ws, "--json", "--html", tmp_path / "report.html")
    assert r.code == 10
    assert r.err_lines == [
        f"error: {len(expected)} fatal finding(s): the bid would be invalid; fix them before sealing"]
    report = json.loads(r.out)
    fatal = {(f["rule"], f["location"]) for f in report["findings"] if f["severity"] == "fatal"}
    assert fatal == set(expected.items())
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "发现 7 个致命问题" in html and "price.control_price" in html
    assert "4,307,050.60" not in r.out + html  # the price itself is never printed

    r = cli("check", sample_ws)  # the text report: grouped, fatal first
    assert r.code == 10
    assert r.out.index("致命 fatal (7)") < r.out.index("警告 warning")
    assert f"  [price.control_price] {expected['price.control_price']}\n" in r.out


@pytest.mark.slow
def test_assemble_refuses_fatal_findings(cli: Callable[..., Result], sample_ws: Path, prices: None) -> None:
    edit(sample_ws / "responses.yaml", r"^  bid_validity_days: 90", "  bid_validity_days: 60")
    reapprove(sample_ws)
    r = cli("assemble", sample_ws)
    assert r.code == 10
    line = line_no(sample_ws / "responses.yaml", "bid_validity_days: 60")
    assert f"[dates.bid_validity_days] responses.yaml:{line} bid.bid_validity_days: 投标有效期 60 天" in r.err
    assert not list(sample_ws.glob("build/*.pdf"))


@pytest.mark.slow
@needs_soffice()
def test_check_package_pdf(cli: Callable[..., Result], sample_ws: Path, prices: None) -> None:
    r = cli("assemble", sample_ws, "--json")
    assert r.code == 0, r.err
    package = Path(json.loads(r.out)["path"])
    r = cli("check", sample_ws, "--package", package, "--json")
    assert r.code == 0, r.err
    assert json.loads(r.out)["counts"]["fatal"] == 0


def test_check_report_pdf(cli: Callable[..., Result], sample_ws: Path, tmp_path: Path) -> None:
    r = cli("check", sample_ws, "--without-prices", "--pdf", tmp_path / "report.pdf")
    assert r.code == 0, r.err
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF-")
    assert f"report: {tmp_path / 'report.pdf'}" in r.out


def test_check_bad_workspace(cli: Callable[..., Result], tmp_path: Path) -> None:
    r = cli("check", tmp_path / "nope")
    assert (r.code, r.err_lines) == (3, [f"error: {tmp_path / 'nope'}: workspace folder not found"])

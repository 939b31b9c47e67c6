"""DEMO material is never sealed into a real bid: the samples' seals, pictures, scans and DEMO certificate serve
the samples' own project code only, found by content; a self-signed TEST certificate is a warning."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from bidkit.core.checks import run_checks
from bidkit.core.checks.seals import certificate_kind
from bidkit.pipeline import check as check_io
from bidkit.store import demo, trust
from bidkit.store.workspace import load
from tests.helpers import SAMPLE, Result, line_no, replace_once

OTHER = "JL-2027-007"


@pytest.fixture
def other(cli: Callable[..., Result], tmp_path: Path) -> Path:
    """A copy of the sample turned into another project: its review (in the audit log) and prices go (they were
    the sample's)."""
    ws = tmp_path / "校园网"
    assert cli("init", ws).code == 0
    (ws / "audit.log").unlink()
    (ws / "pricing.enc").unlink()
    replace_once(ws / "project.yaml", r"^code: .*$", f"code: {OTHER}")
    return ws


def test_check_refuses_the_samples_seals_and_certificate_in_another_project(cli: Callable[..., Result],
                                                                          other: Path) -> None:
    r = cli("check", other, "--json")
    assert r.code == 10
    fatal = {f["location"]: f for f in json.loads(r.out)["findings"]
             if f["rule"] == "seals.demo_material" and f["severity"] == "fatal"}
    company, config = other / "company.yaml", other / "bidkit.yaml"
    seal = fatal[f"company.yaml:{line_no(company, '^company_seal:')} company_seal"]
    assert seal["message"].startswith("seals/company_seal.png 是 bidkit 示例项目的演示材料（city-surveillance/seals/"
                                      f"company_seal.png），不能用于项目 {OTHER} 的投标文件。")
    assert "company_seal" in seal["advice"]
    cert = fatal[f"bidkit.yaml:{line_no(config, '^  certificate:')} signing.certificate"]
    assert "DEMO" in cert["message"] and "signing.pkcs11" in cert["advice"]
    assert f"company.yaml:{line_no(company, '^legal_rep_seal:')} legal_rep_seal" in fatal


def test_assemble_refuses_before_rendering(cli: Callable[..., Result], other: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    def never(*_: object) -> None:
        raise AssertionError("rendered although the DEMO material refuses the package")

    monkeypatch.setattr("bidkit.pipeline.assemble.render", never)
    monkeypatch.setenv("BIDKIT_SIGN_PASSWORD", "demo-only-password")
    r = cli("assemble", other)
    assert r.code == 10
    assert r.err_lines[-1] == ("error: 20 fatal finding(s): the bid would be invalid; replace the DEMO material "
                               "named above before sealing")
    seal = line_no(other / "company.yaml", "^company_seal:")
    assert any(line.startswith(f"[seals.demo_material] company.yaml:{seal} company_seal: seals/company_seal.png 是")
               and line.endswith("→ 换成本公司公章的图片（PNG，透明背景），或在 company.yaml 中把 company_seal 指向它。"
                                 )
               for line in r.err_lines), r.err
    assert not (other / "build").exists() or not list((other / "build").glob("*.pdf"))


def test_a_renamed_copy_is_known_by_its_content(other: Path) -> None:
    shutil.copyfile(other / "seals" / "company_seal.png", other / "seals" / "我司公章.png")
    replace_once(other / "company.yaml", r"^company_seal: .*$", "company_seal: seals/我司公章.png")
    findings = check_io.demo_refusals(load(other))
    assert any(f.location.endswith(" company_seal") and f.message.startswith("seals/我司公章.png 是")
               for f in findings)


def test_the_samples_own_project_uses_its_demo_material(sample_ws: Path) -> None:
    assert check_io.demo_refusals(load(sample_ws)) == []
    # one statement of what DEMO material serves: the DEMO trust file's scope, which covers each sample's own code
    assert demo.sample_codes() == frozenset(trust.read(trust.demo_path()).projects) == frozenset({"JL-2026-031"})
    for sample in (p for p in SAMPLE.parent.iterdir() if (p / "project.yaml").is_file()):
        assert load(sample, check_files=False).data.project.code in demo.sample_codes(), sample
    assert demo.sample_copy(SAMPLE / "seals" / "company_seal.png") == "city-surveillance/seals/company_seal.png"


def test_a_test_certificate_is_a_warning(cli: Callable[..., Result], other: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BIDKIT_SIGN_PASSWORD", "test-password")
    assert cli("keys", "cert", "--out", other / "keys", "--name", "江临智安科技有限公司").code == 0
    replace_once(other / "bidkit.yaml", r"^  certificate: .*$", "  certificate: keys/TEST-company-cert.p12")
    ws = load(other)
    inp = check_io.CheckInput(data=ws.data, raw=ws.raw, material=check_io.material(ws))
    [cert] = [f for f in run_checks(inp, only=["seals.demo_material"]) if "signing" in f.location]
    assert cert.severity.value == "warning"
    assert cert.message.startswith("签名证书是自签名的测试证书，不是 CA 颁发的") and "TEST 江临智安" in cert.message


def test_certificate_kind_is_read_from_the_certificate() -> None:
    token = {"subject": "CN=DEMO 江临智安科技有限公司 签名 — NOT FOR REAL BIDS", "issuer": "CN=DEMO 中级 CA"}
    test = {"subject": "OU=TEST ONLY 测试证书,O=某公司,CN=TEST 某公司 — NOT FOR REAL BIDS",
            "issuer": "OU=TEST ONLY 测试证书,O=某公司,CN=TEST 某公司 — NOT FOR REAL BIDS"}
    ca = {"subject": "CN=江临智安科技有限公司,O=江临智安科技有限公司", "issuer": "CN=某 CA 中级 CA,O=某 CA"}
    assert [certificate_kind(c) for c in (token, test, ca)] == ["demo", "test", "ca"]
    assert certificate_kind({"subject": "CN=自己签的", "issuer": "CN=自己签的"}) == "test"


def test_a_demo_certificate_on_a_token_signs_only_the_sample(other: Path, sample_ws: Path) -> None:
    identity = {"sha256": "00", "subject": "CN=DEMO 江临智安科技有限公司 签名 — NOT FOR REAL BIDS",
                "issuer": "CN=DEMO 中级 CA"}
    [f] = check_io.signer_refusals(load(other), identity)
    assert (f.rule, f.location) == ("seals.demo_material", "bidkit.yaml signing.pkcs11")
    assert check_io.signer_refusals(load(sample_ws), identity) == []


def test_a_copied_review_and_prices_name_their_reset(cli: Callable[..., Result], tmp_path: Path) -> None:
    """A copy of the sample under another project code: its prices are named by validate, and the sample's QA
    decision (in audit.log) where the review is read, each with what resets it."""
    ws = tmp_path / "copy"
    assert cli("init", ws).code == 0
    replace_once(ws / "project.yaml", r"^code: .*$", f"code: {OTHER}")
    r = cli("validate", ws)
    assert r.code == 3
    assert r.err_lines[0].startswith(f"pricing.enc: belongs to another project (JL-2026-031), not {OTHER}: if "
                                     "project.yaml code was changed, change it back; if the file came with a copy of "
                                     f"another bid, delete it and import this bid's prices (bidkit price import {ws} ")
    assert r.err_lines[-1] == "error: 1 problem found"
    (ws / "pricing.enc").unlink()
    decision = next(n for n, line in enumerate((ws / "audit.log").read_text(encoding="utf-8").splitlines(), 1)
                    if '"review.approve"' in line)
    r = cli("review", "status", ws)
    assert r.code == 6
    assert r.err_lines == [
        f"error: audit.log:{decision}: QA decision signed for project JL-2026-031, not {OTHER}: if project.yaml code "
        "was changed, change it back; if the log came with a copy of another bid (bidkit init copies the "
        f"sample's), delete audit.log and ask QA for a new review (bidkit review request {ws}), or start the bid "
        "with bidkit new"]
    (ws / "audit.log").unlink()  # the reset it names
    assert "not requested" in cli("review", "status", ws).out


def test_the_demo_reviewer_key_approves_no_other_project(cli: Callable[..., Result], other: Path) -> None:
    """The DEMO key is trusted through the DEMO trust file alone, scoped to the codes DEMO material serves."""
    assert cli("review", "request", other).code == 0
    r = cli("review", "approve", other, "--reviewer", "郑雅琴", "--key",
            SAMPLE.parent / "demo-keys" / "DEMO-qa-reviewer.key")
    assert r.code != 0
    assert f"not trusted on this machine for project {OTHER}" in r.err
    assert OTHER not in demo.sample_codes()

"""A first real bid from zero, as README's 快速开始 tells it: every command of that block run as written (bash, from
a folder where `.venv` is bidkit's), on a `bidkit new` workspace; the `#` steps of the block (what the user does by
hand: fill in the YAML, put in the seals and scans, set the certificate, answer the deviation rows, fill in the
prices) are done here with minimal valid data. A fresh home folder: no trust installed, no keys, no DEMO trust.
The result is a sealed package signed with a throw-away TEST certificate, which `verify` accepts."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from docx import Document
from PIL import Image, ImageDraw

from bidkit.store import crypto, yamlio
from tests.helpers import ROOT, Result, needs_soffice, replace_once

README = (ROOT / "README.md").read_text(encoding="utf-8")
WS = "我的项目"
CODE = "XY-2027-007"


def quick_start() -> list[str]:
    """The lines of README's 快速开始 block (commands and the `#` steps between them)."""
    m = re.search(r"^## 快速开始\n.*?```bash\n(.*?)```", README, re.S | re.M)
    assert m, "README has no 快速开始 block"
    return [line for line in m.group(1).splitlines() if line.strip()]


# --- what the user fills in by hand ----------------------------------------------------------------------------


def put(path: Path, values: dict[str, str]) -> None:
    """Set fields of a commented YAML file as a user does: the value after ``key:`` on the field's own line (by
    dotted path), keeping the comment after it. Every path must be found."""
    lines = path.read_text(encoding="utf-8").splitlines()
    stack: list[tuple[int, str]] = []
    done = set()
    for i, line in enumerate(lines):
        m = re.match(r"^(\s*)([A-Za-z_][\w]*):(?:\s(.*))?$", line)
        if not m or line.lstrip().startswith("#"):
            continue
        indent = len(m.group(1))
        while stack and stack[-1][0] >= indent:
            stack.pop()
        stack.append((indent, m.group(2)))
        dotted = ".".join(k for _, k in stack)
        if dotted in values:
            rest = m.group(3) or ""
            comment = rest[rest.index(" #"):] if " #" in rest else (f" {rest}" if rest.startswith("#") else "")
            lines[i] = f"{m.group(1)}{m.group(2)}: {values[dotted]}{comment}"
            done.add(dotted)
    assert done == set(values), set(values) - done
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def seal_png(path: Path, text: str) -> None:
    """A red round seal on a transparent background (a stand-in for the company's own scan)."""
    img = Image.new("RGBA", (400, 400), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    draw.ellipse((10, 10, 390, 390), outline=(220, 0, 0, 255), width=14)
    draw.text((150, 190), text, fill=(220, 0, 0, 255))
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path)


def scan_pdf(path: Path, title: str) -> None:
    """A one-page scan (a picture saved as PDF, as a scanner writes it)."""
    img = Image.new("RGB", (827, 1169), "white")
    ImageDraw.Draw(img).text((80, 80), title, fill="black")
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, "PDF", resolution=100)


def tender_docx(path: Path) -> None:
    """The tender's own Word file, its 采购需求 chapter with a technical and a commercial table (★ rows)."""
    doc = Document()
    doc.add_heading("第三章 采购需求", 1)
    for heading, rows in (
        ("一、技术要求", [["1", "3.1", "★", "核心交换机交换容量不低于 10 Tbps"],
                    ["2", "3.2", "", "接入交换机支持 PoE+"]]),
        ("二、商务要求", [["1", "4.1", "★", "质保期不少于 3 年"],
                    ["2", "4.2", "", "合同签订后 60 日内完成安装调试"]]),
    ):
        doc.add_paragraph(heading)
        table = doc.add_table(rows=0, cols=4)
        for row in [["序号", "条款", "★", "要求"], *rows]:
            for cell, value in zip(table.add_row().cells, row, strict=True):
                cell.text = value
    doc.save(str(path))


def fill_workspace(ws: Path) -> None:
    """Minimal valid data for a campus-network bid, in the blank files' own lines."""
    put(ws / "company.yaml", {
        "name": "某某网络科技有限公司", "credit_code": "91330100MA2XXXX00A", "legal_rep.name": "王建国",
        "address": "某市某区科技路 1 号", "phone": "0571-88880000", "founded": "2015-03-18",
        "bank.bank": "某银行某支行", "bank.account_name": "某某网络科技有限公司",
        "bank.account_number": '"6222000011112222"',
        "qualifications": "[{id: business_licence, name: 营业执照, number: 91330100MA2XXXX00A, "
                          "issuer: 某市市场监督管理局, valid_until: null, scan: attachments/business_licence.pdf}]",
    })
    seal_png(ws / "seals" / "company_seal.png", "公章")
    seal_png(ws / "seals" / "legal_rep_seal.png", "王建国")
    scan_pdf(ws / "attachments" / "business_licence.pdf", "Business licence (scan)")
    put(ws / "project.yaml", {
        "code": CODE, "name": "某大学校园网升级改造", "type": "competitive_tender", "budget": '"1500000.00"',
        "customer.name": "某大学",
    })
    put(ws / "tender.yaml", {
        "number": "ZB-2027-0118", "project_name": "某大学校园网升级改造项目", "purchaser": "某大学",
        "method": "公开招标",
        "published": "2027-02-20", "deadline": "2027-03-18 09:30", "bid_validity_days": "90",
        "budget_amount": '"1500000.00"', "control_price": '"1450000.00"', "tax_rate": "0.13",
        "delivery_days": "60", "warranty_years": "3",
    })
    text = (ws / "tender.yaml").read_text(encoding="utf-8")  # the qualification the 资格证明文件 chapter holds
    (ws / "tender.yaml").write_text(text.replace("    attachments: [] #", "    attachments: [business_licence] #", 1),
                                    encoding="utf-8")
    put(ws / "solution.yaml", {
        "title": "某大学校园网升级改造技术方案", "overview": "核心、汇聚、接入三层架构，万兆骨干，千兆到桌面。",
        "sections": "[{title: 总体架构, paragraphs: [核心层双机冗余，汇聚层按楼宇部署。]}]",
        "bom": "[{id: B01, name: 核心交换机, brand: 某品牌, model: CS-9000, spec: 万兆, qty: 2, unit: 台}, "
               "{id: B02, name: 接入交换机, brand: 某品牌, model: AS-2000, spec: PoE+, qty: 40, unit: 台}]",
        "construction.summary": "分楼宇实施，不影响教学。",
        "construction.tasks": "[{id: T1, name: 安装调试, start: 2027-04-01, end: 2027-05-30}]",
        "construction.staffing": "[{role: 项目经理, count: 1, start: 2027-04-01, end: 2027-05-30, names: [赵工], "
                                 "duties: 全面负责}]",
    })
    put(ws / "responses.yaml", {
        "bid.date": "2027-03-15", "bid.bid_validity_days": "90", "bid.delivery_days": "60", "bid.warranty_years": "3",
        "authorisation.agent.name": "李明", "authorisation.date": "2027-03-10",
        "references": '[{customer: 某职业技术学院, project: 校园网改造, year: 2025, amount: "1200000.00"}]',
    })


def answer_rows(ws: Path) -> None:
    """Every row import-requirements added: answered 无偏离 with a response."""
    path = ws / "responses.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace('response: "" # 响应内容', "response: 满足 # 响应内容")
    text = re.sub(r"deviation: # 无偏离", "deviation: 无偏离 # 无偏离", text)
    path.write_text(text, encoding="utf-8")


def set_certificate(ws: Path) -> None:
    put(ws / "bidkit.yaml", {"signing.certificate": "keys/TEST-company-cert.p12"})


def fill_prices(sheet: Path) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(sheet)
    ws = wb.worksheets[0]
    header = next(r for r in range(1, 15) if any(str(c.value).startswith("单价") for c in ws[r]))
    col = next(c.column for c in ws[header] if str(c.value).startswith("单价"))
    ids = next(c.column for c in ws[header] if c.value == "编号")
    prices = {"B01": "380000.00", "B02": "9800.00"}
    for row in range(header + 1, ws.max_row + 1):
        item = ws.cell(row, ids).value
        if item in prices:
            ws.cell(row, col).value = float(prices[item])
    wb.save(sheet)


# --- the walk ----------------------------------------------------------------------------------------------------


@needs_soffice()
@pytest.mark.slow
def test_first_bid_from_zero_by_readme_alone(tmp_path: Path) -> None:
    cwd = tmp_path / "work"
    cwd.mkdir()
    (cwd / ".venv").symlink_to(Path(sys.prefix))
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BIDKIT_") and k != "XDG_CONFIG_HOME"}
    env |= {"HOME": str(home), "BIDKIT_PRICE_PASSPHRASE": "第一次投标 price phrase",
            "BIDKIT_SIGN_PASSWORD": "test-only-password"}
    ws = cwd / WS
    tender_docx(cwd / "招标文件.docx")
    steps: dict[str, Callable[[], None]] = {
        "填写 我的项目/": lambda: fill_workspace(ws),
        "bidkit.yaml": lambda: set_certificate(ws),
        "responses.yaml": lambda: answer_rows(ws),
        "报价.xlsx": lambda: fill_prices(cwd / "报价.xlsx"),
    }
    ran: list[tuple[str, float, str]] = []
    start = time.perf_counter()
    for line in quick_start():
        if line.startswith("#"):
            key = next(k for k in steps if k in line)
            steps.pop(key)()
            continue
        if line.startswith("./setup.sh"):
            continue  # done once for this machine
        t0 = time.perf_counter()
        proc = subprocess.run(["bash", "-c", line], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
        ran.append((line.split("  #")[0].strip(), time.perf_counter() - t0, proc.stdout + proc.stderr))
        assert proc.returncode == 0, f"{line}\n{proc.stdout}{proc.stderr}"
        assert "Traceback" not in proc.stderr
        if " new " in line:
            # a blank workspace: no trust on this machine for it, an audit log of its creation alone
            entries = [json.loads(x) for x in (ws / "audit.log").read_text(encoding="utf-8").splitlines()]
            assert [e["action"] for e in entries] == ["new"]
            assert not (home / ".config" / "bidkit" / "trust").exists()
    total = time.perf_counter() - start
    assert steps == {}, f"README's steps not found: {list(steps)}"
    by = {cmd.split(" 我的项目")[0].split(" 公司信任")[0].removeprefix(".venv/bin/bidkit "): out
          for cmd, _, out in ran}
    assert "TEST" in by["check"]  # a TEST certificate is a warning, not a fatal finding
    assert by["verify"].startswith("ok: "), by["verify"]
    package = ws / "build" / f"{CODE}-v1-1.pdf"
    manifest = json.loads((ws / "build" / f"{CODE}-v1-1.manifest.json").read_text(encoding="utf-8"))
    assert "DEMO" not in json.dumps(manifest, ensure_ascii=False)
    assert package.stat().st_size > 10_000
    note = "\n".join(f"  {seconds:6.1f}s  {cmd}" for cmd, seconds, _ in ran)
    print(f"\nREADME 快速开始 on a new workspace: {len(ran)} commands, {total:.0f} s\n{note}")
    raw = yamlio.parse((ws / "tender.yaml").read_text(encoding="utf-8"), "tender.yaml")
    assert [r["id"] for r in raw["requirements"]] == ["T-01", "T-02", "C-01", "C-02"]


def test_a_closed_lock_refuses_assemble_before_any_slow_work(cli: Callable[..., Result], sample_ws: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """A refused assemble refuses at once: the lock is checked before rendering, LibreOffice or a prompt."""
    def never(*_: object, **__: object) -> None:
        raise AssertionError("slow work started although the price lock is closed")

    monkeypatch.setattr("bidkit.pipeline.assemble.render", never)
    monkeypatch.setattr("bidkit.pipeline.assemble.LibreOffice", never)
    monkeypatch.setitem(crypto.PROMPT, "ask", never)
    monkeypatch.delenv(crypto.ENV, raising=False)
    replace_once(sample_ws / "responses.yaml", "红外补光距离 80 米", "红外补光距离 100 米")
    start = time.perf_counter()
    r = cli("assemble", sample_ws)
    assert r.code == 4, r.err
    assert r.err_lines[-1].startswith("error: price lock closed: changed since the QA approval by 郑雅琴")
    assert time.perf_counter() - start < 5


def test_the_admin_publishes_the_fingerprint_trust_install_asks_for(cli: Callable[..., Result], tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from bidkit.store import keys, trust

    monkeypatch.setenv("BIDKIT_CONFIG_DIR", str(tmp_path / "config"))
    assert cli("keys", "new", "--name", "公司管理员").code == 0
    file = tmp_path / "公司信任.json"
    assert cli("trust", "init", file, "--issuer", "本公司 质量管理部", "--admin-key",
               keys.key_path("公司管理员")).code == 0
    r = cli("keys", "show", "--name", "公司管理员", "--fingerprint")
    assert r.code == 0 and r.out == trust.read(file).admin_fingerprint + "\n"
    assert cli("trust", "install", file, "--fingerprint", r.out.strip()).code == 0

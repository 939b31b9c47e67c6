"""Insider attacks on the price lock (issue 13, items 1–4, 6, 8 and 9): someone with write access to the workspace —
a sales rep or a pre-sales engineer on a shared folder — tries to open the lock without QA, to undo QA's decision,
to get content QA never saw into the sealed package, or to read the prices without the passphrase.

Each test performs the attack with the real command line and asserts the refusal (or the status that shows it) and
that nothing was written. README's section "QA trust, the audit log and what the lock holds against" states what
is prevented and what is only made evident."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from bidkit.store import audit, keys, trust
from bidkit.store.audit import default_actor
from tests.helpers import CLI, DEMO_ENV, DEMO_KEY, needs_soffice, snapshot
from tests.hostile.test_secrets import leaks, price_figures
from tests.lockkit import rewrite_log, use_passphrase
from tests.pdfkit import html_pdf, page_texts

QA = "郑雅琴"  # the sample's QA reviewer (her DEMO key ships in samples/demo-keys)
NOT_TRUSTED = f"error: reviewer '{QA}' with this key is not trusted on this machine for project "


@pytest.fixture
def machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: CLI) -> Path:
    """This machine's bidkit config as README's first command leaves it: the DEMO trust installed, nothing else."""
    config = tmp_path / "config"
    monkeypatch.setenv("BIDKIT_CONFIG_DIR", str(config))
    assert cli("trust", "install", "--demo").code == 0
    use_passphrase(monkeypatch, DEMO_ENV["BIDKIT_PRICE_PASSPHRASE"])
    return config


def log_of(ws: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in (ws / audit.LOG_NAME).read_text(encoding="utf-8").splitlines()]


def public_of(name: str) -> str:
    return keys.public_line(keys.load_private(keys.key_path(name)).public_key())


# --- 1. self-approval ------------------------------------------------------------------------------------------


def test_a_key_made_in_the_reviewers_name_opens_nothing(cli: CLI, sample_ws: Path, machine: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    ws = sample_ws
    monkeypatch.setenv("BIDKIT_USER", QA)  # ignored: the log names the operating-system login
    assert cli("keys", "new", "--name", QA).code == 0  # the insider's own key, in QA's name
    public = public_of(QA)
    # the ways trust used to come from the workspace: a reviewers file and a public key dropped beside the data
    (ws / "reviewers.yaml").write_text(f"reviewers:\n  - name: {QA}\n    public_key: {public}\n", encoding="utf-8")
    (ws / "keys" / f"{QA}.pub").write_text(public + "\n", encoding="utf-8")
    assert cli("review", "request", ws).code == 0
    assert log_of(ws)[-1]["actor"] == default_actor() != QA
    before = snapshot(ws)
    r = cli("review", "approve", ws, "--reviewer", QA)
    assert r.code == 6 and len(r.err_lines) == 1
    assert r.err_lines[0].startswith(NOT_TRUSTED + "JL-2026-031 (the company admin adds the key to the company "
                                     f"trust file: bidkit trust add FILE --name '{QA}' --public-key {public}")
    r = cli("price", "show", ws)
    assert r.code == 4 and r.err_lines[0].startswith("error: price lock closed: QA review pending")
    assert snapshot(ws) == before


def test_an_installed_trust_file_edited_by_hand_vouches_for_nobody(cli: CLI, sample_ws: Path, machine: Path) -> None:
    ws = sample_ws
    assert cli("keys", "new", "--name", QA).code == 0
    installed = next((machine / "trust").glob("*.json"))
    doc = json.loads(installed.read_text(encoding="utf-8"))
    doc["reviewers"].append({**doc["reviewers"][0], "public_key": public_of(QA)})  # the insider's key too
    installed.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert cli("review", "request", ws).code == 0
    before = snapshot(ws)
    r = cli("review", "approve", ws, "--reviewer", QA)
    assert r.code == 6 and "Traceback" not in r.err and len(r.err_lines) == 1, r.err
    assert cli("price", "show", ws).code != 0
    assert snapshot(ws) == before


def test_a_trust_file_signed_by_another_admin_is_not_installed(cli: CLI, tmp_path: Path, machine: Path) -> None:
    assert cli("keys", "new", "--name", "自封管理员").code == 0
    assert cli("keys", "new", "--name", QA).code == 0
    own = tmp_path / "own-trust.json"
    assert cli("trust", "init", own, "--issuer", "自封的质量部", "--admin-key", keys.key_path("自封管理员")).code == 0
    assert cli("trust", "add", own, "--name", QA, "--public-key", public_of(QA),
               "--admin-key", keys.key_path("自封管理员")).code == 0
    fingerprint = trust.read(own).admin_fingerprint
    before = snapshot(machine)
    # installed with the company's published fingerprint (what a user is told to compare): refused
    r = cli("trust", "install", own, "--fingerprint", trust.DEMO_ADMIN_FINGERPRINT)
    assert r.code != 0 and len(r.err_lines) == 1 and "fingerprint" in r.err_lines[0], r.err
    # the file edited after signing: refused whatever fingerprint is given
    doc = json.loads(own.read_text(encoding="utf-8"))
    own.write_text(json.dumps(doc, ensure_ascii=False).replace("自封的质量部", "江临智安 质量管理部"), encoding="utf-8")
    r = cli("trust", "install", own, "--fingerprint", fingerprint)
    assert r.code != 0 and len(r.err_lines) == 1 and "Traceback" not in r.err
    assert snapshot(machine) == before


def test_the_demo_key_approves_no_other_project(cli: CLI, sample_ws: Path, machine: Path) -> None:
    ws = sample_ws
    project = ws / "project.yaml"
    project.write_text(project.read_text(encoding="utf-8").replace("JL-2026-031", "JL-2027-007"), encoding="utf-8")
    (ws / "pricing.enc").unlink()  # the sample's prices belong to the sample's project
    assert cli("review", "request", ws).code == 0
    before = snapshot(ws)
    r = cli("review", "approve", ws, "--reviewer", QA, "--key", DEMO_KEY)
    assert r.code == 6 and r.err_lines[0].startswith(NOT_TRUSTED + "JL-2027-007 "), r.err
    assert snapshot(ws) == before


@pytest.mark.slow
@needs_soffice()
def test_a_package_approved_under_a_self_made_trust_fails_the_company_check(
        cli: CLI, sample_ws: Path, machine: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An insider who controls their own machine installs a trust file of their own making: the lock opens there
    (a local program can always be patched), but the package says whose trust approved it, and the verifier who
    holds the company trust file refuses it."""
    ws = sample_ws
    admin = keys.key_path("自封管理员")
    assert cli("keys", "new", "--name", "自封管理员").code == 0
    assert cli("keys", "new", "--name", QA).code == 0
    own = machine.parent / "own-trust.json"
    assert cli("trust", "init", own, "--issuer", "自封的质量部", "--admin-key", admin).code == 0
    assert cli("trust", "add", own, "--name", QA, "--public-key", public_of(QA), "--admin-key", admin).code == 0
    assert cli("trust", "install", own, "--fingerprint", trust.read(own).admin_fingerprint).code == 0
    assert cli("review", "request", ws).code == 0
    assert cli("review", "approve", ws, "--reviewer", QA).code == 0
    for k, v in DEMO_ENV.items():
        monkeypatch.setenv(k, v)
    r = cli("assemble", ws)
    assert r.code == 0, r.err
    package = next((ws / "build").glob("JL-2026-031-v*-1.pdf"))
    company = Path(__file__).resolve().parents[2] / "samples" / "demo-trust.json"  # the trust the verifier holds
    r = cli("verify", package, "--reviewers", company)
    assert r.code == 6 and len(r.err_lines) == 1, r.err
    assert r.err_lines[0].startswith(f"error: {package}: approval: signed by a key {company} does not trust for "
                                     f"project JL-2026-031 (reviewer '{QA}', key {public_of(QA)})")
    r = cli("verify", package)  # without the company's trust: ok, and it names whose trust approved it
    assert r.code == 0 and "vouched for by 自封的质量部 v2" in r.out


# --- 2. a rejection undone --------------------------------------------------------------------------------------


def test_a_rejection_undone_by_restoring_the_log_is_found_by_qas_witness(cli: CLI, sample_ws: Path,
                                                                        machine: Path, tmp_path: Path) -> None:
    ws = sample_ws
    assert cli("review", "request", ws).code == 0
    assert cli("review", "approve", ws, "--reviewer", QA, "--key", DEMO_KEY).code == 0
    kept = (ws / audit.LOG_NAME).read_bytes()  # the insider keeps a copy of the approved log
    assert cli("review", "request", ws).code == 0  # a new round: the request alone voids the approval
    assert cli("price", "show", ws).code == 4
    r = cli("review", "reject", ws, "--reviewer", QA, "--key", DEMO_KEY, "--comment", "偏离说明不足")
    assert r.code == 0, r.err
    assert cli("price", "show", ws).code == 4
    (ws / audit.LOG_NAME).write_bytes(kept)  # ... and puts it back: a valid log that ends at the approval
    assert cli("log", "verify", ws).code == 0  # the workspace alone cannot tell a cut tail
    r = cli("review", "audit", ws)  # QA's own record can
    assert r.code == 6
    assert any(line.startswith(f"MISSING  rejected by {QA} at ") and "not in audit.log (removed)" in line
               for line in r.out.splitlines()), r.out
    assert r.err_lines == ["error: 1 decision(s) you signed are not in the workspace's log as signed"]


def test_an_entry_removed_before_a_decision_voids_it(cli: CLI, sample_ws: Path, machine: Path) -> None:
    ws = sample_ws
    assert cli("review", "request", ws).code == 0
    assert cli("review", "approve", ws, "--reviewer", QA, "--key", DEMO_KEY).code == 0
    # the insider removes the request the decision answered and recomputes the (unkeyed) chain
    rewrite_log(ws, lambda entries: [e for e in entries[:-2]] + [entries[-1]])
    before = snapshot(ws)
    for args in (("log", "verify", ws), ("review", "status", ws), ("price", "show", ws)):
        r = cli(*args)
        assert r.code == 6 and len(r.err_lines) == 1 and r.err_lines[0].startswith("error: audit.log:"), (args, r.err)
    assert snapshot(ws) == before


# --- 3. a template slipped in after the approval ----------------------------------------------------------------


@pytest.mark.parametrize("name", ["templates/forms/bid_letter.docx", "templates/notes.txt", "templates/bom.docx"])
def test_a_file_dropped_under_templates_makes_the_approval_stale(cli: CLI, sample_ws: Path, machine: Path,
                                                                 name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = sample_ws
    dropped = ws / name
    dropped.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(Path(__file__).resolve().parents[2] / "templates" / "forms" / "bom.docx", dropped)
    r = cli("review", "status", ws)
    assert r.out.splitlines()[0].startswith(f"QA review: stale (approved by {QA} at "), r.err
    assert any(line.startswith(f"  changed: file: {name}") for line in r.out.splitlines()), r.out
    before = snapshot(ws)
    for k, v in DEMO_ENV.items():
        monkeypatch.setenv(k, v)
    r = cli("assemble", ws)  # refused before anything is rendered
    assert r.code == 4 and r.err_lines[-1].startswith("error: price lock closed: changed since the QA approval"), r.err
    assert f"file: {name}" in r.err_lines[-1]
    assert snapshot(ws) == before


def test_the_old_whole_part_template_name_is_refused(cli: CLI, sample_ws: Path, machine: Path) -> None:
    """``templates/price_part.docx`` (the attack's file name) is not silently used: it is named as an input error."""
    ws = sample_ws
    (ws / "templates").mkdir(exist_ok=True)
    shutil.copyfile(Path(__file__).resolve().parents[2] / "templates" / "forms" / "bid_letter.docx",
                    ws / "templates" / "price_part.docx")
    before = snapshot(ws)
    for args in (("review", "status", ws), ("assemble", ws)):
        r = cli(*args)
        assert r.code == 3 and r.err_lines[0].startswith("templates/price_part.docx: whole-part templates are no "
                                                         "longer used"), (args, r.err)
    assert snapshot(ws) == before


# --- 4. swapped while assembling ----------------------------------------------------------------------------------


@pytest.mark.slow
@needs_soffice()
def test_a_scan_swapped_during_conversion_is_not_sealed(sample_ws: Path, machine: Path, tmp_path: Path) -> None:
    ws = sample_ws
    scan = ws / "attachments" / "iso9001.pdf"
    original = hashlib.sha256(scan.read_bytes()).hexdigest()
    forged = html_pdf(tmp_path / "forged.pdf", ["<h1>伪造的认证证书 FORGED-9001</h1>"])
    real = shutil.which("soffice") or shutil.which("libreoffice")
    assert real
    # LibreOffice as the insider wraps it: the first conversion swaps the scan (after bidkit checked its digest);
    # the insider swaps the original back once the package is sealed
    wrapper = tmp_path / "bin" / "soffice"
    wrapper.parent.mkdir()
    wrapper.write_text(f"#!/bin/sh\nif [ ! -e {tmp_path}/swapped ]; then cp {scan} {tmp_path}/kept.pdf; "
                       f"cp {forged} {scan}; touch {tmp_path}/swapped; fi\nexec {real} \"$@\"\n", encoding="utf-8")
    wrapper.chmod(0o755)
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {**os.environ, **DEMO_ENV, "BIDKIT_SOFFICE": str(wrapper), "TMPDIR": str(tmp)}
    r = subprocess.run([sys.executable, "-m", "bidkit", "assemble", str(ws)], env=env, capture_output=True,
                       text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "swapped").exists()  # the swap did happen while LibreOffice ran
    shutil.copyfile(tmp_path / "kept.pdf", scan)
    package = next((ws / "build").glob("JL-2026-031-v*-1.pdf"))
    text = "".join(page.extract_text() or "" for page in PdfReader(package).pages)
    assert "FORGED-9001" not in text
    manifest = json.loads(package.with_suffix(".manifest.json").read_text(encoding="utf-8"))
    digests = {e["name"]: e["sha256"] for e in manifest["entries"]}
    assert digests["qualifications/iso9001"] == original  # the approved bytes, not the swapped ones
    r = subprocess.run([sys.executable, "-m", "bidkit", "verify", str(package)], env=env, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert list(tmp.iterdir()) == []  # the private copy is gone


def test_a_data_file_swapped_before_the_copy_is_what_the_assembly_reads(sample_ws: Path) -> None:
    """The snapshot reuses the first load's data only for copies byte for byte what it parsed: a responses.yaml
    swapped between the first load and the copy is parsed again from the copy, so the data an assembly uses is
    always that of the bytes it copied (those the lock's digests are taken of)."""
    from bidkit.store import snapshot as snap_mod
    from bidkit.store.workspace import load

    ws = load(sample_ws)
    with snap_mod.snapshot(ws) as same:
        assert same.data is ws.data and same.root != ws.root  # unchanged copies: the parsed data, once
        assert (same.root / "responses.yaml").read_bytes() == ws.sources["responses.yaml"]
    path = sample_ws / "responses.yaml"
    swapped = path.read_text(encoding="utf-8").replace("copies: 2", "copies: 4", 1)
    assert swapped != path.read_text(encoding="utf-8")
    path.write_text(swapped, encoding="utf-8")  # the insider's swap, after the first load
    with snap_mod.snapshot(ws) as copy:
        assert copy.data is not ws.data
        assert copy.data.responses.bid.copies == 4 != ws.data.responses.bid.copies
        assert (copy.root / "responses.yaml").read_text(encoding="utf-8") == swapped


# --- 6. plaintext prices at rest -----------------------------------------------------------------------------------


@pytest.mark.slow
@needs_soffice()
def test_no_price_figure_on_disk_after_a_draft_and_a_failed_assembly(sample_ws: Path, machine: Path,
                                                                          tmp_path: Path) -> None:
    ws = sample_ws
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {**os.environ, **DEMO_ENV, "TMPDIR": str(tmp)}
    failing = tmp_path / "failbin" / "soffice"
    failing.parent.mkdir()
    failing.write_text("#!/bin/sh\necho 'Error: source file could not be loaded' >&2\nexit 1\n", encoding="utf-8")
    failing.chmod(0o755)
    figures = price_figures(ws)
    before = snapshot(ws)  # the workspace's own data may hold a public amount (award.yaml: the contract price)

    def on_disk() -> dict[str, list[str]]:
        found = {}
        for root in (ws, tmp):
            for path in sorted(root.rglob("*")):
                if not path.is_file() or (path.suffix == ".pdf" and path.parent == ws / "build"):
                    continue  # the sealed package and a draft (which holds no price chapter) are checked apart
                if root == ws and before.get(str(path.relative_to(ws))) == path.read_bytes():
                    continue  # not written by the assemblies
                text = path.read_bytes().decode("utf-8", "replace")
                if path.suffix == ".docx":
                    from bidkit.adapters.render.text import docx_text

                    text = docx_text(path.read_bytes())
                hits = leaks(text, figures)
                if hits:
                    found[str(path)] = hits
        return found

    # (a sealed assembly is scanned the same way, with every other command, in test_secrets.py)
    for label, extra, extra_env, code in (("draft", ["--draft"], {}, 0),
                                          ("failed", [], {"BIDKIT_SOFFICE": str(failing)}, None)):
        r = subprocess.run([sys.executable, "-m", "bidkit", "assemble", str(ws), *extra],
                           env={**env, **extra_env}, capture_output=True, text=True, timeout=600)
        assert (r.returncode == 0) if code == 0 else (r.returncode != 0), (label, r.stderr)
        assert leaks(r.stderr + r.stdout, figures) == [], label
        assert on_disk() == {}, label
    drafts = [p for p in (ws / "build").glob("*.pdf") if "draft" in p.name or "草稿" in p.name]
    for draft in drafts:
        assert leaks("".join(pg.extract_text() or "" for pg in PdfReader(draft).pages), figures) == []


# --- 8. a price on the command line ---------------------------------------------------------------------------------


def test_a_price_on_the_command_line_is_refused(cli: CLI, sample_ws: Path, machine: Path) -> None:
    ws = sample_ws
    before = snapshot(ws)
    r = cli("price", "set", ws, "B16", "76543.21")
    assert r.code == 7 and len(r.err_lines) == 1, r.err
    assert "76543.21" not in r.err and "stdin" in r.err_lines[0]
    assert snapshot(ws) == before


# --- 9. amounts in findings ------------------------------------------------------------------------------------------


@pytest.mark.slow  # over 5 s (several full checks / processes)
def test_a_stray_brace_in_a_price_note_is_reported_without_amounts(cli: CLI, sample_ws: Path, machine: Path,
                                                                   tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    ws = sample_ws
    monkeypatch.setenv("BIDKIT_PRICE_PASSPHRASE", DEMO_ENV["BIDKIT_PRICE_PASSPHRASE"])
    prices = ws.parent / "city-surveillance-prices.yaml"
    source = (Path(__file__).resolve().parents[2] / "samples" / "city-surveillance-prices.yaml").read_text("utf-8")
    prices.write_text(source.replace('    unit_price: "780.00"\n',
                                     '    unit_price: "780.00"\n    note: "{# 原价 12,345.00 元，折后 780.00 元"\n', 1),
                      encoding="utf-8")
    assert cli("price", "import", ws, prices).code == 0
    prices.unlink()
    figures = [*price_figures(ws), "12,345.00", "12345.00"]
    r = cli("check", ws, "--json")
    assert r.code == 10, r.err
    findings = [f for f in json.loads(r.out)["findings"] if f["rule"] == "hygiene.placeholder"]
    assert findings and "{#" in findings[0]["message"]
    assert leaks(r.out + r.err, figures) == []
    html = tmp_path / "report.html"
    r = cli("check", ws, "--html", html)
    assert r.code == 10 and html.exists()
    assert leaks(html.read_text(encoding="utf-8") + r.out + r.err, figures) == []


# --- the conversion cache ---------------------------------------------------------------------------------------


@needs_soffice()
@pytest.mark.slow
def test_a_pdf_swapped_into_the_conversion_cache_never_reaches_the_package(cli: CLI, packaged_ws: Path) -> None:
    """build/cache is in the shared workspace and what it holds is sealed into the package: an insider copies
    another chapter's cached PDF over the 技术参数偏离表's entry (its tag file untouched) after the approval. The
    next package is made from a fresh conversion: its pages read exactly as the earlier package's."""
    ws = packaged_ws
    (earlier,) = [p for p in (ws / "build").glob("*.pdf") if "draft" not in p.name]
    cache = ws / "build" / "cache"
    (entry,) = cache.glob("technical_deviations-*.pdf")
    (other,) = cache.glob("after_sales-*.pdf")
    entry.write_bytes(other.read_bytes())
    r = cli("assemble", ws, "--json")
    assert r.code == 0, r.err
    done = json.loads(r.out)
    assert "technical_deviations" in done["converted"] and "after_sales" in done["cached"]
    assert entry.read_bytes() != other.read_bytes()  # the entry is a real conversion again
    assert page_texts(Path(done["path"])) == page_texts(earlier)

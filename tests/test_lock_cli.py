"""End-to-end CLI tests of the price lock: the whole sequence and each way it must fail."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from docx import Document

from bidkit.adapters.render.text import docx_text
from bidkit.core import book, forms
from bidkit.store import crypto, keys, lock, workspace
from tests.helpers import Result, snapshot
from tests.lockkit import (
    PASSPHRASE,
    PRICES_YAML,
    REVIEWER,
    approved,
    bare,
    new_trusted_reviewer,
    priced,
    use_passphrase,
)

CLI = Callable[..., Result]


@pytest.fixture
def ws(sample_ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BIDKIT_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("BIDKIT_USER", "沈立群")
    use_passphrase(monkeypatch)
    return bare(sample_ws)


LOCKED_NOT_REQUESTED = (
    "error: price lock closed: no QA review requested yet (bidkit review request DIR, then QA approves)"
)


@pytest.mark.slow
def test_whole_sequence(cli: CLI, ws: Path, tmp_path: Path) -> None:
    r = cli("review", "status", ws)
    assert r.out.splitlines()[:2] == ["QA review: not requested", "price lock: closed"]
    public = new_trusted_reviewer(cli, ws)
    key_file = tmp_path / "config" / "keys" / f"{REVIEWER}.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
    assert public in (ws / "reviewers.yaml").read_text(encoding="utf-8")

    r = cli("review", "request", ws)
    assert r.code == 0 and r.out.startswith("review requested by 沈立群: ")
    r = cli("review", "status", ws)
    assert r.out.splitlines()[0].startswith("QA review: pending (requested by 沈立群 at ")

    r = cli("review", "approve", ws, "--reviewer", REVIEWER, "--comment", "技术商务部分无误")
    assert r.code == 0, r.err
    r = cli("review", "status", ws)
    lines = r.out.splitlines()
    assert lines[0].startswith(f"QA review: approved by {REVIEWER} at ")
    assert lines[1:] == ["price lock: open", "prices: none yet (bidkit price template "
                         f"{ws} prices.xlsx, then bidkit price import)"]

    r = cli("price", "import", ws, PRICES_YAML)
    assert (r.code, r.out) == (0, "imported 40 priced lines from city-surveillance-prices.yaml into pricing.enc "
                                  "(encrypted)\n")
    r = cli("render", ws, "--only", "price_part")
    assert r.code == 0, r.err
    text = docx_text((ws / "build" / "docx" / "bid_letter.docx").read_bytes())
    data = lock.with_prices(workspace.load(ws), PASSPHRASE).data
    chapter = book.plan(data).chapter("bid_letter")
    assert chapter is not None
    ctx = forms.build(data, chapter)
    assert ctx["prices"]["total"] in text and ctx["prices"]["total_upper"] in text

    r = cli("log", ws)
    actions = [line.split()[3] for line in r.out.splitlines()]
    assert actions == ["keys.trust", "review.request", "review.approve", "price.import", "render.price_part"]
    assert cli("log", "verify", ws).out.startswith("ok: audit.log: 5 entries, chain intact")


def test_price_render_before_approval(cli: CLI, ws: Path) -> None:
    before = snapshot(ws)
    r = cli("render", ws, "--only", "price_part")
    assert (r.code, r.err_lines) == (4, [LOCKED_NOT_REQUESTED])
    assert snapshot(ws) == before


def test_pending_review_keeps_lock_closed(cli: CLI, ws: Path) -> None:
    new_trusted_reviewer(cli, ws)
    cli("review", "request", ws)
    before = snapshot(ws)
    r = cli("price", "import", ws, PRICES_YAML)
    assert r.code == 4
    assert r.err_lines[0].startswith("error: price lock closed: QA review pending (requested by 沈立群 at ")
    assert snapshot(ws) == before


def test_render_all_skips_price_part_while_locked(cli: CLI, ws: Path) -> None:
    r = cli("render", ws)
    assert r.code == 0, r.err
    assert r.out.splitlines()[0] == "price part skipped: " + LOCKED_NOT_REQUESTED.removeprefix("error: ")
    assert not (ws / "build" / "docx" / "bid_letter.docx").exists()
    assert (ws / "build" / "docx" / "technical_deviations.docx").exists()


@pytest.mark.slow
def test_render_all_includes_price_part_with_env_passphrase(cli: CLI, ws: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    priced(cli, ws)
    r = cli("render", ws)
    assert r.out.splitlines()[0] == ("price part skipped: set BIDKIT_PRICE_PASSPHRASE to include it, or render "
                                     "it with --only price")
    monkeypatch.setenv("BIDKIT_PRICE_PASSPHRASE", PASSPHRASE)
    r = cli("render", ws)
    assert r.code == 0 and "bid_letter.docx" in r.out


def _edit_answer(ws: Path) -> None:
    path = ws / "responses.yaml"
    text = path.read_text(encoding="utf-8")
    data = workspace.load(ws).data
    answer = data.responses.technical[0].response
    assert text.count(answer) >= 1
    path.write_text(text.replace(answer, answer + "（已复核）", 1), encoding="utf-8")


def _edit_template(ws: Path) -> None:
    doc = Document()
    doc.add_paragraph("技术标 {{ tender.number }}")
    doc.save(str(ws / "templates" / "bom.docx"))


def _edit_attachment(ws: Path) -> None:
    path = ws / "attachments" / "iso9001.pdf"
    path.write_bytes(path.read_bytes() + b"\n% rescanned\n")


@pytest.mark.parametrize(
    ("change", "changed"),
    [
        (_edit_answer, "responses.yaml: technical"),
        (_edit_template, "template: bom"),
        (_edit_attachment, "file: attachments/iso9001.pdf"),
    ],
    ids=["requirement-answer", "template", "attachment"],
)
@pytest.mark.slow
def test_change_after_approval_makes_it_stale(cli: CLI, ws: Path, change: Callable[[Path], None],
                                              changed: str) -> None:
    priced(cli, ws)
    change(ws)
    r = cli("review", "status", ws)
    lines = r.out.splitlines()
    assert lines[0].startswith(f"QA review: stale (approved by {REVIEWER} at ")
    assert lines[1:] == [f"  changed: {changed}", "price lock: closed", "prices: pricing.enc (encrypted)"]
    before = snapshot(ws)
    for args in (("render", ws, "--only", "price_part"), ("price", "show", ws), ("price", "set", ws, "B01", "1.00"),
                 ("price", "import", ws, PRICES_YAML)):
        r = cli(*args)
        assert (r.code, r.err_lines) == (4, [
            f"error: price lock closed: changed since the QA approval by {REVIEWER}: {changed} "
            "(request a new review)"
        ]), args
    assert snapshot(ws) == before
    # a new request and approval open it again
    assert cli("review", "request", ws).code == 0
    assert cli("review", "approve", ws, "--reviewer", REVIEWER).code == 0
    assert cli("render", ws, "--only", "price_part").code == 0


def test_comment_only_edit_keeps_approval(cli: CLI, ws: Path) -> None:
    approved(cli, ws)
    path = ws / "tender.yaml"
    path.write_text("# 复核备注：仅增加注释\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    assert cli("review", "status", ws).out.startswith(f"QA review: approved by {REVIEWER}")


def test_approval_signed_by_untrusted_key(cli: CLI, ws: Path) -> None:
    approved(cli, ws)
    # someone makes a key of their own and signs an approval with the reviewer's name
    rogue = keys.Ed25519PrivateKey.generate()
    w = workspace.load(ws)
    st = lock.make_statement(w, "approved", REVIEWER, "", rogue, lock.current_digests(w))
    lock.write_statement(w, st)
    before = snapshot(ws)
    for args in (("review", "status", ws), ("render", ws, "--only", "price_part")):
        r = cli(*args)
        assert (r.code, r.err_lines) == (6, [
            "error: review/approval.json: signed by a key that is not in reviewers.yaml (not a trusted reviewer)"
        ])
    assert snapshot(ws) == before


def test_untrusted_reviewer_cannot_approve(cli: CLI, ws: Path) -> None:
    approved(cli, ws)
    assert cli("keys", "new", "--name", "冒名者").code == 0
    cli("review", "request", ws)
    before = snapshot(ws)
    r = cli("review", "approve", ws, "--reviewer", "冒名者")
    assert r.code == 6
    (line,) = r.err_lines
    assert line.startswith("error: reviewers.yaml: reviewer '冒名者' with this key is not trusted (the admin adds "
                           f"it: bidkit keys trust {ws} --name '冒名者' --public-key ed25519:")
    assert snapshot(ws) == before


@pytest.mark.parametrize("field", ["digests", "reviewer", "time"])
def test_approval_edited_by_hand(cli: CLI, ws: Path, field: str) -> None:
    approved(cli, ws)
    path = ws / "review" / "approval.json"
    obj = json.loads(path.read_text(encoding="utf-8"))
    if field == "digests":
        name = next(iter(obj["digests"]))
        obj["digests"][name] = "0" * 64
    elif field == "reviewer":
        obj["reviewer"] = "质量部经理"
    else:
        obj["time"] = "2099-01-01T00:00:00.000000Z"
    path.write_text(json.dumps(obj, ensure_ascii=False), encoding="utf-8")
    before = snapshot(ws)
    r = cli("render", ws, "--only", "price_part")
    expected = "error: review/approval.json: signature does not match its content (edited by hand?)"
    if field == "reviewer":
        expected = (
            f"error: review/approval.json: names reviewer '质量部经理' but is signed with the key of '{REVIEWER}'"
        )
    assert (r.code, r.err_lines) == (6, [expected])
    assert snapshot(ws) == before


def test_hand_written_approval(cli: CLI, ws: Path) -> None:
    approved(cli, ws)
    (ws / "review" / "approval.json").write_text('{"decision": "approved", "reviewer": "郑雅琴"}', encoding="utf-8")
    r = cli("review", "status", ws)
    assert r.code == 6
    assert r.err_lines[0].startswith("error: review/approval.json: not a signed review statement (")


def test_rejection(cli: CLI, ws: Path) -> None:
    new_trusted_reviewer(cli, ws)
    cli("review", "request", ws)
    r = cli("review", "reject", ws, "--reviewer", REVIEWER, "--comment", "★3.2 偏离说明不足")
    assert r.code == 0, r.err
    assert cli("review", "status", ws).out.splitlines()[0].startswith(f"QA review: rejected by {REVIEWER} at ")
    r = cli("price", "show", ws)
    assert r.code == 4
    assert r.err_lines[0].endswith(": ★3.2 偏离说明不足)")
    assert not (ws / "review" / "approval.json").exists()


def test_approve_without_request(cli: CLI, ws: Path) -> None:
    new_trusted_reviewer(cli, ws)
    before = snapshot(ws)
    r = cli("review", "approve", ws, "--reviewer", REVIEWER)
    assert (r.code, r.err_lines) == (9, [f"error: no QA review requested: run bidkit review request {ws} first"])
    assert snapshot(ws) == before


def test_approve_after_inputs_changed_since_request(cli: CLI, ws: Path) -> None:
    new_trusted_reviewer(cli, ws)
    cli("review", "request", ws)
    _edit_attachment(ws)
    before = snapshot(ws)
    r = cli("review", "approve", ws, "--reviewer", REVIEWER)
    assert (r.code, r.err_lines) == (9, [
        "error: inputs changed since the review was requested: file: attachments/iso9001.pdf "
        f"(ask for a new request: bidkit review request {ws})"
    ])
    assert snapshot(ws) == before


@pytest.mark.slow
def test_wrong_passphrase(cli: CLI, ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    priced(cli, ws)
    use_passphrase(monkeypatch, "not the passphrase")
    before = snapshot(ws)
    for args in (("price", "show", ws), ("render", ws, "--only", "price_part"), ("price", "set", ws, "B01", "9.00"),
                 ("price", "import", ws, PRICES_YAML)):
        r = cli(*args)
        assert (r.code, r.err_lines, r.out) == (7, ["error: pricing.enc: wrong passphrase"], ""), args
    assert snapshot(ws) == before


def test_empty_passphrase(cli: CLI, ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    approved(cli, ws)
    monkeypatch.setenv("BIDKIT_PRICE_PASSPHRASE", "")
    before = snapshot(ws)
    r = cli("price", "import", ws, PRICES_YAML)
    assert (r.code, r.err_lines) == (7, ["error: empty price passphrase refused"])
    assert snapshot(ws) == before


def test_first_import_asks_twice_and_refuses_a_mismatch(cli: CLI, ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    approved(cli, ws)
    answers = iter(["one passphrase", "another one"])
    monkeypatch.setitem(crypto.PROMPT, "ask", lambda _text: next(answers))
    before = snapshot(ws)
    r = cli("price", "import", ws, PRICES_YAML)
    assert (r.code, r.err_lines) == (7, ["error: the two passphrases differ; nothing was changed"])
    assert snapshot(ws) == before


@pytest.mark.parametrize("where", ["header", "body", "project"])
def test_tampered_price_file(cli: CLI, ws: Path, where: str) -> None:
    priced(cli, ws)
    path = ws / "pricing.enc"
    head, body = path.read_text(encoding="ascii").split("\n", 1)
    if where == "body":
        i = len(body) // 2
        body = body[:i] + ("A" if body[i] != "A" else "B") + body[i + 1:]
        expected = "error: pricing.enc: altered or damaged (authentication failed)"
    else:
        import base64

        magic, b64 = head.split(" ", 1)
        header = json.loads(base64.b64decode(b64))
        if where == "header":
            header["aead"] = "AES-256-GCM "
            expected = "error: pricing.enc: not a bidkit price file or damaged (header unreadable)"
        else:
            header["project"] = "JL-2026-999"  # a copy of another bid's prices: the loader names the fix
            expected = ("pricing.enc: belongs to another project (JL-2026-999), not JL-2026-031: if project.yaml "
                        "code was changed, change it back; if the file came with a copy of another bid, delete it "
                        f"and import this bid's prices (bidkit price import {ws} FILE)")
        head = f"{magic} {base64.b64encode(json.dumps(header).encode()).decode()}"
    path.write_text(f"{head}\n{body}", encoding="ascii")
    before = snapshot(ws)
    r = cli("price", "show", ws)
    if where == "project":
        assert (r.code, r.err_lines, r.out) == (3, [expected, "error: 1 problem found"], "")
    else:
        assert (r.code, r.err_lines, r.out) == (6, [expected], "")
    assert snapshot(ws) == before


def test_passphrase_is_never_a_command_line_argument(cli: CLI, ws: Path) -> None:
    priced(cli, ws)
    before = snapshot(ws)
    r = cli("price", "show", ws, "--passphrase", PASSPHRASE)
    assert (r.code, r.err_lines) == (7, [
        "error: --passphrase: secrets are never given on the command line (shell history, process list); "
        "set BIDKIT_PRICE_PASSPHRASE or BIDKIT_SIGN_PASSWORD, or type it at the prompt"
    ])
    r = cli("price", "import", ws, "hunter2-secret")
    assert (r.code, r.err_lines) == (3, [
        "error: price file must be an .xlsx or .yaml file (a passphrase is never given on the command line: "
        "set BIDKIT_PRICE_PASSPHRASE or type it at the prompt)"
    ])
    r = cli("price", "set", ws, "B01", "hunter2-secret")
    assert (r.code, r.err_lines) == (3, [
        "error: UNIT_PRICE: not an amount in 元 (digits, at most two decimals, e.g. 85.00)"
    ])
    assert "hunter2" not in r.err
    assert snapshot(ws) == before


@pytest.mark.slow
def test_price_set_and_show(cli: CLI, ws: Path) -> None:
    priced(cli, ws)
    assert cli("price", "set", ws, "B07", "86.50").code == 0
    r = cli("price", "show", ws)
    assert r.code == 0
    b07 = next(line for line in r.out.splitlines() if " B07 " in line)
    assert "86.50" in b07
    assert "大写: 人民币" in r.out
    r = cli("price", "set", ws, "B99", "1.00")
    assert (r.code, r.err_lines) == (3, ["error: B99: unknown BOM line"])


@pytest.mark.slow
def test_price_edit_through_editor(cli: CLI, ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    priced(cli, ws)
    seen = tmp_path / "seen.txt"
    editor = tmp_path / "editor.sh"
    editor.write_text(
        "#!/bin/sh\n"
        f"stat -c %a \"$1\" > {seen}; stat -c %a \"$(dirname \"$1\")\" >> {seen}\n"
        "sed -i 's/^  unit_price: .780.00.$/  unit_price: \"777.00\"/' \"$1\"\n",
        encoding="utf-8",
    )
    editor.chmod(0o700)
    monkeypatch.setenv("EDITOR", str(editor))
    r = cli("price", "edit", ws)
    assert r.code == 0, r.err
    assert seen.read_text().split() == ["600", "700"]
    prices = lock.with_prices(workspace.load(ws), PASSPHRASE).data.pricing
    assert prices is not None and str(prices.unit_price("B01")) == "777.00"
    assert "price.edit" in cli("log", ws).out


def test_plaintext_prices_beside_encrypted_ones(cli: CLI, ws: Path) -> None:
    priced(cli, ws)
    (ws / "pricing.yaml").write_bytes(PRICES_YAML.read_bytes())
    r = cli("price", "show", ws)
    assert (r.code, r.err_lines) == (3, [
        "error: pricing.yaml: plaintext prices beside pricing.enc: delete it (the live prices are in pricing.enc)"
    ])


def test_plaintext_prices_only_are_reported(cli: CLI, ws: Path) -> None:
    approved(cli, ws)
    (ws / "pricing.yaml").write_bytes(PRICES_YAML.read_bytes())
    assert cli("review", "status", ws).out.splitlines()[-1] == (
        f"prices not encrypted: run bidkit price import {ws} pricing.yaml, then delete pricing.yaml"
    )
    r = cli("price", "import", ws, ws / "pricing.yaml")
    assert r.code == 0, r.err
    assert r.out.splitlines()[-1] == (
        f"now delete {ws / 'pricing.yaml'}: plaintext prices beside pricing.enc are refused"
    )


def test_keys_new_never_overwrites(cli: CLI, ws: Path) -> None:
    assert cli("keys", "new", "--name", "王审核").code == 0
    path = keys.key_path("王审核")
    before = path.read_bytes()
    r = cli("keys", "new", "--name", "王审核")
    assert (r.code, r.err_lines) == (8, [f"error: {path}: a key for '王审核' exists already and is never overwritten"])
    assert path.read_bytes() == before
    r = cli("keys", "new", "--name", "../evil")
    assert r.code == 3


@pytest.mark.slow
def test_secrets_never_reach_the_log_or_messages(cli: CLI, ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    priced(cli, ws)
    use_passphrase(monkeypatch, "wrong")
    outputs = [cli("price", "show", ws), cli("render", ws, "--only", "price_part")]
    use_passphrase(monkeypatch)
    outputs.append(cli("render", ws, "--only", "price_part"))
    log = (ws / "audit.log").read_text(encoding="utf-8")
    data = workspace.load(ws).data
    prices = lock.with_prices(workspace.load(ws), PASSPHRASE).data.pricing
    assert prices is not None
    figures = {str(p.unit_price) for p in prices.lines} | {f"{p.unit_price:,.2f}" for p in prices.lines}
    figures = {f for f in figures if len(f) >= 5}
    blobs = [log] + [r.err for r in outputs] + [r.out for r in outputs]
    for blob in blobs:
        assert PASSPHRASE not in blob
        assert not [f for f in figures if f in blob]
    assert data.project.code  # the workspace still loads
    assert os.environ.get("BIDKIT_PRICE_PASSPHRASE") is None

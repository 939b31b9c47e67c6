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
from bidkit.pipeline.documents import PRICE_NOTE
from bidkit.store import crypto, keys, lock, workspace
from bidkit.store.audit import default_actor
from tests.helpers import CLI, snapshot
from tests.lockkit import (
    PASSPHRASE,
    PRICES_YAML,
    REVIEWER,
    approved,
    bare,
    copying_viewer,
    feed_stdin,
    new_trusted_reviewer,
    priced,
    rewrite_log,
    use_passphrase,
)

LOGIN = default_actor()  # the operating-system login: what the log names for people without a key



@pytest.fixture
def ws(sample_ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BIDKIT_CONFIG_DIR", str(tmp_path / "config"))  # a machine without the DEMO trust
    monkeypatch.setenv("BIDKIT_USER", "冒充的名字")  # ignored: the log names the operating-system login
    use_passphrase(monkeypatch)
    return bare(sample_ws)


LOCKED_NOT_REQUESTED = (
    "error: price lock closed: no QA review requested yet (bidkit review request DIR, then QA approves)"
)


@pytest.mark.slow
def test_whole_sequence(cli: CLI, ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = copying_viewer(monkeypatch, tmp_path / "seen")
    r = cli("review", "status", ws)
    assert r.out.splitlines()[:2] == ["QA review: not requested", "price lock: closed"]
    public = new_trusted_reviewer(cli, ws)
    key_file = tmp_path / "config" / "keys" / f"{REVIEWER}.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
    assert not (ws / "reviewers.yaml").exists()  # trust lives on the machine, signed by the company admin
    assert public in cli("trust", "show").out

    r = cli("review", "request", ws)
    assert r.code == 0 and r.out.startswith(f"review requested by {LOGIN}: ")
    r = cli("review", "status", ws)
    assert r.out.splitlines()[0].startswith(f"QA review: pending (requested by {LOGIN} at ")

    r = cli("review", "approve", ws, "--reviewer", REVIEWER, "--comment", "技术商务部分无误")
    assert r.code == 0, r.err
    r = cli("review", "status", ws)
    lines = r.out.splitlines()
    assert lines[0].startswith(f"QA review: approved by {REVIEWER} at ")
    assert lines[1].startswith("  reviewer key vouched for by: 测试公司 质量管理部 v2 (admin key ")
    assert lines[2:] == ["price lock: open", "prices: none yet (bidkit price template "
                         f"{ws} prices.xlsx, then bidkit price import)"]

    r = cli("price", "import", ws, PRICES_YAML)
    assert (r.code, r.out) == (0, "imported 40 priced lines from city-surveillance-prices.yaml into pricing.enc "
                                  "(encrypted)\n")
    r = cli("render", ws, "--only", "price")
    assert r.code == 0, r.err
    assert not (ws / "build" / "docx" / "bid_letter.docx").exists()  # shown in a private folder, never kept
    assert (seen / ".mode").read_text().strip() == "700" and not Path((seen / ".folder").read_text().strip()).exists()
    text = docx_text((seen / "bid_letter.docx").read_bytes())
    data = lock.with_prices(workspace.load(ws), PASSPHRASE).data
    chapter = book.plan(data).chapter("bid_letter")
    assert chapter is not None
    ctx = forms.build(data, chapter)
    assert ctx["prices"]["total"] in text and ctx["prices"]["total_upper"] in text

    r = cli("log", ws)
    actions = [line.split()[3] for line in r.out.splitlines()]
    assert actions == ["review.request", "review.approve", "price.import", "render.price"]
    assert cli("log", "verify", ws).out.startswith("ok: audit.log: 4 entries, chain intact")


def test_price_render_before_approval(cli: CLI, ws: Path) -> None:
    before = snapshot(ws)
    r = cli("render", ws, "--only", "price")
    assert (r.code, r.err_lines) == (4, [LOCKED_NOT_REQUESTED])
    assert snapshot(ws) == before


def test_pending_review_keeps_lock_closed(cli: CLI, ws: Path) -> None:
    new_trusted_reviewer(cli, ws)
    cli("review", "request", ws)
    before = snapshot(ws)
    r = cli("price", "import", ws, PRICES_YAML)
    assert r.code == 4
    assert r.err_lines[0].startswith(f"error: price lock closed: QA review pending (requested by {LOGIN} at ")
    assert snapshot(ws) == before


def test_render_all_never_writes_price_chapters(cli: CLI, ws: Path) -> None:
    r = cli("render", ws)
    assert r.code == 0, r.err
    assert r.out.splitlines()[0] == PRICE_NOTE
    assert not (ws / "build" / "docx" / "bid_letter.docx").exists()
    assert (ws / "build" / "docx" / "technical_deviations.docx").exists()


@pytest.mark.slow
def test_render_all_leaves_price_chapters_out_even_when_open(cli: CLI, ws: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    priced(cli, ws)
    monkeypatch.setenv("BIDKIT_PRICE_PASSPHRASE", PASSPHRASE)
    r = cli("render", ws)
    assert r.code == 0 and r.out.splitlines()[0] == PRICE_NOTE
    assert not [p for p in (ws / "build" / "docx").iterdir() if p.stem in ("bid_letter", "opening_summary",
                                                                         "itemised_prices")]


def test_price_chapters_need_a_terminal_or_a_viewer(cli: CLI, ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    approved(cli, ws)
    monkeypatch.delenv("BIDKIT_VIEWER", raising=False)
    before = snapshot(ws)
    r = cli("render", ws, "--only", "price")
    assert (r.code, r.err_lines) == (7, [
        "error: price chapters are shown only on a terminal or through $BIDKIT_VIEWER (they are never written to "
        "build/): run it on a terminal, or assemble the package"])
    assert snapshot(ws) == before


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
        (_edit_template, "file: templates/bom.docx, template: bom"),  # dropped in: bound, and now the form
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
    assert lines[1:] == [*(f"  changed: {c}" for c in changed.split(", ")), "price lock: closed",
                         "prices: pricing.enc (encrypted)"]
    before = snapshot(ws)
    for args in (("render", ws, "--only", "price"), ("price", "show", ws), ("price", "set", ws, "B01"),
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
    assert cli("price", "show", ws).code == 0


def test_comment_only_edit_keeps_approval(cli: CLI, ws: Path) -> None:
    approved(cli, ws)
    path = ws / "tender.yaml"
    path.write_text("# 复核备注：仅增加注释\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    assert cli("review", "status", ws).out.startswith(f"QA review: approved by {REVIEWER}")


def test_approval_signed_by_untrusted_key(cli: CLI, ws: Path) -> None:
    new_trusted_reviewer(cli, ws)
    assert cli("review", "request", ws).code == 0
    # someone makes a key of their own and signs an approval with the reviewer's name, at the right place
    rogue = keys.Ed25519PrivateKey.generate()
    w = workspace.load(ws)
    from bidkit.store import audit

    def forged(head: str, entries: list[dict[str, object]]) -> dict[str, object]:
        st = lock.make_statement(w, "approved", REVIEWER, "", rogue, lock.current_digests(w), log_head=head,
                                 request_hash=str(entries[-1]["hash"]))
        return {"statement": st.model_dump(mode="json")}

    audit.append(ws, "review.approve", forged, REVIEWER)
    before = snapshot(ws)
    for args in (("review", "status", ws), ("price", "show", ws)):
        r = cli(*args)
        assert r.code == 6, r.err
        assert r.err_lines[0].startswith("error: audit.log: the QA decision of ")
        assert r.err_lines[0].endswith("is signed by a key that no installed trust file vouches for (project "
                                       "JL-2026-031): bidkit trust show lists what this machine trusts")
    assert snapshot(ws) == before


def test_untrusted_reviewer_cannot_approve(cli: CLI, ws: Path) -> None:
    approved(cli, ws)
    assert cli("keys", "new", "--name", "冒名者").code == 0
    cli("review", "request", ws)
    before = snapshot(ws)
    r = cli("review", "approve", ws, "--reviewer", "冒名者")
    assert r.code == 6
    (line,) = r.err_lines
    assert line.startswith("error: reviewer '冒名者' with this key is not trusted on this machine for project "
                           "JL-2026-031 (the company admin adds the key to the company trust file: bidkit trust add "
                           "FILE --name '冒名者' --public-key ed25519:")
    assert snapshot(ws) == before


@pytest.mark.parametrize("field", ["digests", "reviewer", "time"])
def test_approval_edited_by_hand(cli: CLI, ws: Path, field: str) -> None:
    approved(cli, ws)

    def edit(entries: list[dict[str, object]]) -> list[dict[str, object]]:
        st = entries[-1]["details"]["statement"]  # type: ignore[index]
        if field == "digests":
            st["digests"][next(iter(st["digests"]))] = "0" * 64
        elif field == "reviewer":
            st["reviewer"] = "质量部经理"
        else:
            st["time"] = "2099-01-01T00:00:00.000000Z"
        return entries

    rewrite_log(ws, edit)  # the chain itself recomputed: only the signed decision tells
    r = cli("log", "verify", ws)
    assert (r.code, r.err_lines) == (6, [
        "error: audit.log:2: QA decision's signature does not match its content (edited by hand?)"])
    before = snapshot(ws)
    r = cli("price", "show", ws)
    assert (r.code, r.err_lines) == (6, [
        "error: audit.log:2: QA decision's signature does not match its content (edited by hand?)"])
    assert snapshot(ws) == before


def test_hand_written_approval(cli: CLI, ws: Path) -> None:
    new_trusted_reviewer(cli, ws)
    assert cli("review", "request", ws).code == 0
    rewrite_log(ws, lambda e: [*e, {"time": "2026-12-01T00:00:00Z", "actor": REVIEWER, "action": "review.approve",
                                    "details": {"statement": {"decision": "approved", "reviewer": REVIEWER}}}])
    r = cli("review", "status", ws)
    assert r.code == 6
    assert r.err_lines[0].startswith("error: audit.log:2: not a signed QA decision (")


def test_rejection(cli: CLI, ws: Path) -> None:
    new_trusted_reviewer(cli, ws)
    cli("review", "request", ws)
    r = cli("review", "reject", ws, "--reviewer", REVIEWER, "--comment", "★3.2 偏离说明不足")
    assert r.code == 0, r.err
    assert cli("review", "status", ws).out.splitlines()[0].startswith(f"QA review: rejected by {REVIEWER} at ")
    r = cli("price", "show", ws)
    assert r.code == 4
    assert r.err_lines[0].endswith(": ★3.2 偏离说明不足)")


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
    monkeypatch.setenv("BIDKIT_VIEWER", "true")
    for args in (("price", "show", ws), ("render", ws, "--only", "price"), ("price", "set", ws, "B01"),
                 ("price", "import", ws, PRICES_YAML)):
        feed_stdin(monkeypatch, "9.00\n")
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
    assert (r.code, r.err_lines) == (7, [
        "error: a price is never given on the command line (the process list and shell history show it): type it "
        "at the prompt, or pipe it on stdin"
    ])
    assert "hunter2" not in r.err
    assert snapshot(ws) == before


@pytest.mark.slow
def test_price_set_and_show(cli: CLI, ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    priced(cli, ws)
    feed_stdin(monkeypatch, "86.50\n")
    assert cli("price", "set", ws, "B07").code == 0
    r = cli("price", "show", ws)
    assert r.code == 0
    b07 = next(line for line in r.out.splitlines() if " B07 " in line)
    assert "86.50" in b07
    assert "大写: 人民币" in r.out
    r = cli("price", "set", ws, "B99")
    assert (r.code, r.err_lines) == (3, ["error: B99: unknown BOM line"])
    feed_stdin(monkeypatch, "hunter2\n")
    r = cli("price", "set", ws, "B07")
    assert (r.code, r.err_lines) == (3, [
        "error: unit price: not an amount in 元 (digits, at most two decimals, e.g. 85.00)"])


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
    monkeypatch.setenv("BIDKIT_VIEWER", "true")
    outputs = [cli("price", "show", ws), cli("render", ws, "--only", "price")]
    use_passphrase(monkeypatch)
    outputs.append(cli("render", ws, "--only", "price"))
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

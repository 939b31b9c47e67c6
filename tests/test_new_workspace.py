"""`bidkit new`: a blank workspace with nothing of the sample's (no approval, prices, reviewer, certificate, seals),
every field commented in Chinese and English, and `validate` naming what to fill in and what fixes it."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from bidkit.core import validation
from bidkit.store import audit
from bidkit.store.resources import blank_workspace
from tests.helpers import Result, line_no

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_new_has_no_demo_material(cli: Callable[..., Result], tmp_path: Path) -> None:
    ws = tmp_path / "我的项目"
    r = cli("new", ws)
    assert r.code == 0, r.err
    assert r.out.splitlines()[0] == f"created workspace {ws}: fill in its YAML files (each field is explained in " \
                                    "Chinese and English)"
    files = sorted(str(p.relative_to(ws)) for p in ws.rglob("*") if p.is_file())
    assert files == [".gitignore", "audit.log", "bidkit.yaml", "company.yaml", "internal_cost.yaml", "project.yaml",
                     "responses.yaml", "solution.yaml", "tender.yaml"]
    for folder in ("attachments", "seals", "ids", "chapters", "keys", "templates"):
        assert (ws / folder).is_dir() and not any((ws / folder).iterdir()), folder
    assert "build/" in (ws / ".gitignore").read_text(encoding="utf-8").splitlines()
    [entry] = audit.read(ws)  # no audit entries but its own creation
    assert (entry["seq"], entry["action"]) == (1, "new")
    assert cli("log", "verify", ws).code == 0


def test_validate_names_what_is_missing_and_what_fixes_it(cli: Callable[..., Result], tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    cli("new", ws)
    r = cli("validate", ws)
    assert r.code == 3
    lines = r.err_lines
    company, tender, config = ws / "company.yaml", ws / "tender.yaml", ws / "bidkit.yaml"
    for expected in (
        f"bidkit.yaml:{line_no(config, '^signing:')} signing: no signing certificate: give signing.certificate (a "
        f"PKCS#12 file; `bidkit keys cert --out {ws}/keys` makes a TEST one to try with) or signing.pkcs11 (the CA's "
        "token; `bidkit keys tokens MODULE` prints the lines to paste)",
        f"company.yaml:{line_no(company, '^company_seal:')} company_seal: file not found in the workspace "
        "(seals/company_seal.png): put the image of the company seal there (PNG, transparent background), or set "
        "company_seal in company.yaml to where it is",
        f"company.yaml:{line_no(company, '^legal_rep_seal:')} legal_rep_seal: file not found in the workspace "
        "(seals/legal_rep_seal.png): put the image of the legal representative's seal there (PNG, transparent "
        "background), or set legal_rep_seal in company.yaml (remove the line if there is none)",
        f"company.yaml:{line_no(company, '^name:')} name: not filled in (empty)",
        f"tender.yaml:{line_no(tender, '^requirements:')} requirements: not filled in (empty): import them with "
        f"`bidkit tender import-requirements {ws} FILE` (an .xlsx, or the tender's own .docx)",
    ):
        assert expected in lines, "\n".join(lines)
    assert lines[-1] == f"error: {len(lines) - 1} problems found"
    assert not any("demo" in line.lower() for line in lines)


def test_every_field_is_there_and_commented_in_chinese_and_english() -> None:
    blank = blank_workspace()
    for f in validation.DATA_FILES:
        path = blank / f.name
        if not path.exists():
            continue
        text = path.read_text(encoding="utf-8")
        for name in f.model.model_fields:  # every field is written, or explained in a comment
            assert re.search(rf"\b{name}\b", text), f"{f.name}: {name}"
        for n, line in enumerate(text.splitlines(), 1):
            m = re.match(r"^(\s*)([a-z_]+):", line)
            if m is None:
                continue
            comment = line.split(" # ", 1)[1] if " # " in line else ""
            assert CJK.search(comment) and re.search(r"[a-z]{3}", comment), f"{f.name}:{n}: {line}"


def test_new_refuses_a_non_empty_folder(cli: Callable[..., Result], tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    r = cli("new", tmp_path)
    assert (r.code, r.err_lines) == (8, [f"error: {tmp_path}: folder exists and is not empty"])
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]

"""Helpers for the price-lock tests: a sample copy without review material, a test reviewer key, prompters."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from bidkit.store import crypto, keys
from tests.helpers import SAMPLE, Result

PRICES_YAML = SAMPLE.parent / "city-surveillance-prices.yaml"
PASSPHRASE = "correct horse 价格 staple"
REVIEWER = "郑雅琴"


def bare(ws: Path) -> Path:
    """Remove the sample's review material, prices and log (the state before any review)."""
    shutil.rmtree(ws / "review", ignore_errors=True)
    for name in ("pricing.enc", "audit.log", "reviewers.yaml"):
        (ws / name).unlink(missing_ok=True)
    return ws


def use_passphrase(monkeypatch: pytest.MonkeyPatch, value: str = PASSPHRASE) -> list[str]:
    """Answer every passphrase prompt with ``value``; return the list of prompts asked."""
    asked: list[str] = []

    def prompt(text: str) -> str:
        asked.append(text)
        return value

    monkeypatch.delenv(crypto.ENV, raising=False)
    monkeypatch.setitem(crypto.PROMPT, "ask", prompt)
    return asked


ADMIN = "公司管理员"  # the company admin's key name in the test's config folder


def company_trust_file() -> Path:
    """The company trust file the test admin keeps (beside the test's config folder, outside any workspace)."""
    return keys.config_dir().parent / "company-trust.json"


def new_trusted_reviewer(cli: Callable[..., Result], ws: Path, name: str = REVIEWER) -> str:
    """A reviewer key for ``name``, added by the test company admin to the company trust file, installed on this
    (test) machine after comparing the admin key's fingerprint — as README's QA trust section does."""
    from bidkit.store import trust

    r = cli("keys", "new", "--name", name)
    assert r.code == 0, r.err
    public = keys.public_line(keys.load_private(keys.key_path(name)).public_key())
    admin = keys.key_path(ADMIN)
    if not admin.exists():
        assert cli("keys", "new", "--name", ADMIN).code == 0
    file = company_trust_file()
    if not file.exists():
        r = cli("trust", "init", file, "--issuer", "测试公司 质量管理部", "--admin-key", admin)
        assert r.code == 0, r.err
    r = cli("trust", "add", file, "--name", name, "--public-key", public, "--admin-key", admin)
    assert r.code == 0, r.err
    r = cli("trust", "install", file, "--fingerprint", trust.read(file).admin_fingerprint)
    assert r.code == 0, r.err
    return public


def approved(cli: Callable[..., Result], ws: Path) -> None:
    """Request and approve the review of ``ws`` with a trusted test reviewer."""
    new_trusted_reviewer(cli, ws)
    assert cli("review", "request", ws).code == 0
    r = cli("review", "approve", ws, "--reviewer", REVIEWER)
    assert r.code == 0, r.err


def priced(cli: Callable[..., Result], ws: Path) -> None:
    approved(cli, ws)
    r = cli("price", "import", ws, PRICES_YAML)
    assert r.code == 0, r.err


def feed_stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    """What a user pipes into the command (e.g. a unit price for ``price set``)."""
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(text))


def copying_viewer(monkeypatch: pytest.MonkeyPatch, dest: Path) -> Path:
    """``$BIDKIT_VIEWER``: a script that copies what it is shown into ``dest`` (and records the folder's mode)."""
    dest.mkdir(parents=True, exist_ok=True)
    script = dest.parent / f"{dest.name}-viewer.sh"
    script.write_text(f'#!/bin/sh\nstat -c %a "$1" > {dest}/.mode\necho "$1" > {dest}/.folder\ncp "$1"/* {dest}/\n',
                      encoding="utf-8")
    script.chmod(0o700)
    monkeypatch.setenv("BIDKIT_VIEWER", str(script))
    return dest


def rewrite_log(ws: Path, change: Callable[[list[dict[str, object]]], list[dict[str, object]]]) -> None:
    """An insider edits audit.log and recomputes its (unkeyed) hash chain so that ``log verify`` passes."""
    import json

    from bidkit.store import audit

    path = ws / audit.LOG_NAME
    entries = [json.loads(line) for line in path.read_bytes().splitlines() if line.strip()]
    entries = change(entries)
    prev = audit.GENESIS
    lines = []
    for seq, e in enumerate(entries, 1):
        e = {**e, "seq": seq, "prev": prev}
        e["hash"] = audit.entry_hash(e)
        prev = e["hash"]
        lines.append(json.dumps(e, ensure_ascii=False, sort_keys=True))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

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


def new_trusted_reviewer(cli: Callable[..., Result], ws: Path, name: str = REVIEWER) -> str:
    r = cli("keys", "new", "--name", name)
    assert r.code == 0, r.err
    public = keys.public_line(keys.load_private(keys.key_path(name)).public_key())
    r = cli("keys", "trust", ws, "--name", name, "--public-key", public)
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

"""The bundled sample ships a DEMO approval and DEMO-encrypted prices that match its current inputs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bidkit.adapters.render.text import docx_text
from bidkit.core import forms
from bidkit.pipeline import book
from bidkit.pipeline.documents import render_document
from bidkit.store import lock, workspace
from tests.helpers import DEMO_PASSPHRASE, SAMPLE, copy_sample
from tests.lockkit import PRICES_YAML, copying_viewer

# every chapter of the sample's bid book that bidkit renders (forms, covers, the bidder's own 技术方案)
BOOK = {pc.docx_name: pc for pc in book.plan(workspace.load(SAMPLE, check_files=False)).chapters()
        if pc.kind in ("form", "cover", "file")}


@pytest.fixture(scope="module")
def sample() -> workspace.Workspace:
    return workspace.load(SAMPLE)


@pytest.fixture(scope="module")
def priced(sample: workspace.Workspace) -> workspace.Workspace:
    return lock.with_prices(sample, DEMO_PASSPHRASE)


def test_sample_approval_is_current(sample: workspace.Workspace) -> None:
    st = lock.status(sample).state
    if not st.open:
        pytest.fail(f"sample approval is stale: run tools/refresh_sample_review.py ({st.describe()})", pytrace=False)


def test_sample_prices_decrypt_to_the_demo_prices(priced: workspace.Workspace) -> None:
    from bidkit.store import price_sheet

    demo = price_sheet.read(PRICES_YAML, priced.data.solution, priced.data.pricing.tax_rate)  # type: ignore[union-attr]
    if priced.data.pricing != demo:
        pytest.fail("sample approval is stale: run tools/refresh_sample_review.py (pricing.enc differs from "
                    "city-surveillance-prices.yaml)", pytrace=False)


def test_sample_keeps_no_plaintext_prices() -> None:
    assert not (SAMPLE / "pricing.yaml").exists()
    assert (SAMPLE.parent / "demo-keys" / "DEMO-qa-reviewer.key").read_text().startswith("# DEMO KEY — never use")


def test_sample_audit_log_verifies() -> None:
    from bidkit.store import audit

    actions = [e["action"] for e in audit.read(SAMPLE)]
    assert actions[:3] == ["review.request", "review.approve", "price.import"]


def _cost_figures(ws: workspace.Workspace) -> set[str]:
    cost = ws.data.internal_cost
    assert cost is not None and cost.lines
    figures: set[str] = set()
    for value in [c.unit_cost for c in cost.lines] + [cost.labour]:
        figures |= {f"{value:f}", f"{value:,.2f}", f"{value:.2f}"}
    figures |= {c.quote_ref for c in cost.lines if c.quote_ref}
    return {f for f in figures if len(f) >= 4 and f not in {"0.00", "0"}}


def test_the_book_has_every_kind_of_chapter() -> None:
    assert len(BOOK) >= 19 and {pc.kind for pc in BOOK.values()} == {"form", "cover", "file"}
    assert [n for n, pc in BOOK.items() if pc.priced] == ["bid_letter", "opening_summary", "itemised_prices"]


@pytest.mark.parametrize("name", list(BOOK))
def test_no_internal_cost_in_any_chapter(priced: workspace.Workspace, name: str) -> None:
    text = docx_text(render_document(priced, name))
    leaked = sorted(f for f in _cost_figures(priced) if f in text)
    assert leaked == [], f"{name} shows internal cost figures {leaked}"
    assert re.search(r"\d", text)  # the document does show figures of its own


@pytest.mark.parametrize("name", list(BOOK))
def test_internal_cost_is_not_in_a_chapter_context(priced: workspace.Workspace, name: str) -> None:
    flat = repr(forms.build(priced.data, BOOK[name]))
    assert not [f for f in _cost_figures(priced) if f in flat]


def test_sample_workspace_copy_renders_price_part_via_cli(cli, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                         monkeypatch: pytest.MonkeyPatch) -> None:

    ws = tmp_path / "ws"
    copy_sample(ws)
    monkeypatch.setenv("BIDKIT_PRICE_PASSPHRASE", DEMO_PASSPHRASE)
    seen = copying_viewer(monkeypatch, tmp_path / "seen")
    r = cli("render", ws, "--only", "price")
    assert r.code == 0, r.err
    assert sorted(p.name for p in seen.glob("*.docx")) == ["bid_letter.docx", "itemised_prices.docx",
                                                            "opening_summary.docx"]
    assert "人民币肆佰叁拾万柒仟零伍拾元陆角" in docx_text((seen / "bid_letter.docx").read_bytes())
    # nothing of them kept in the workspace: only the volume's title page (no price on it) is written
    assert sorted(p.name for p in (ws / "build" / "docx").iterdir()) == ["price-cover.docx"]

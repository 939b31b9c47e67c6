"""`bidkit assemble` on the bundled sample, end to end with real LibreOffice, weasyprint, pikepdf and poppler."""

from __future__ import annotations

import fcntl
import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from bidkit.core import pricing
from bidkit.core.errors import LockedError
from bidkit.core.money import rmb_upper
from bidkit.pipeline import book
from bidkit.store import lock
from bidkit.store.workspace import load
from tests.helpers import DEMO_PASSPHRASE, needs_soffice, snapshot
from tests.pdfkit import NUMBER, numbers, page_texts

pytestmark = [needs_soffice(), pytest.mark.slow]

PASSPHRASE = DEMO_PASSPHRASE


@pytest.fixture(autouse=True)
def _demo_sign_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BIDKIT_SIGN_PASSWORD", "demo-only-password")  # the sample's public DEMO certificate


@pytest.fixture
def priced(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BIDKIT_PRICE_PASSPHRASE", PASSPHRASE)


def _squeeze(text: str) -> str:
    return "".join(text.split())


def _packages(ws: Path) -> list[str]:
    return sorted(p.name for p in (ws / "build").glob("*.pdf"))


def test_sample_package(sample_ws: Path, cli: Callable[..., Any], priced: None,
                        monkeypatch: pytest.MonkeyPatch) -> None:
    from bidkit.adapters.pdf import compose

    laid: list[int] = []  # the 目录 is laid out once, while the chapters convert, and that layout is used
    real = compose.lay_out_front
    monkeypatch.setattr(compose, "lay_out_front", lambda *a, **k: laid.append(len(a[1])) or real(*a, **k))
    r = cli("assemble", sample_ws, "--json")
    assert r.code == 0, r.err
    assert len(laid) == 1 and laid[0] > 20, laid
    summary = json.loads(r.out)
    path = Path(summary["path"])
    assert path == sample_ws / "build" / "JL-2026-031-v1-1.pdf"
    chapters = [pc.docx_name for pc in book.plan(load(sample_ws)).chapters() if not pc.pdf_file
                and pc.kind != "attachments"]
    assert summary["converted"] == chapters and len(chapters) == 19
    assert summary["cached"] == []
    assert summary["volumes"] == ["price", "commercial", "technical"]
    texts = page_texts(path)
    assert summary["pages"] == len(texts)

    # the volumes in the tender's order, each behind its own title page
    flat = [_squeeze(t) for t in texts]
    covers = [next(i for i, t in enumerate(flat) if f"投标文件（{title}）" in t)
              for title in ("报价文件", "商务文件", "技术文件")]
    assert covers == sorted(covers) and covers[0] > 1

    # every page after the cover carries its number, counted after the cover
    total = len(texts) - 1
    assert NUMBER.search(texts[0]) is None
    for index, text in enumerate(texts[1:], start=1):
        assert numbers(text) == [(index, total)], index

    # the table of contents (the pages before the first volume): every entry is on the page it names
    toc = "".join(flat[1:covers[0]])
    ws = lock.with_prices(load(sample_ws), PASSPHRASE)
    for heading in ("投标函", "开标一览表", "分项报价表", "法定代表人授权委托书", "商务条款偏离表", "类似项目业绩",
                    "设备清单", "技术参数偏离表", "施工组织设计", "11.5系统验收"):
        m = re.search(re.escape(heading) + r"(\d+)", toc)
        assert m, heading
        assert heading in flat[int(m.group(1))], (heading, m.group(1))
    for volume, at in zip(("报价文件", "商务文件", "技术文件"), covers, strict=True):
        assert re.search(volume + r"(\d+)", toc).group(1) == str(at)  # type: ignore[union-attr]

    # the 大写 total of the bid letter matches the priced BOM
    summary_prices = pricing.summarise(ws.data.solution, ws.data.pricing)  # type: ignore[arg-type]
    assert f"人民币{rmb_upper(summary_prices.total)}" in "".join(flat)

    # the manifest beside the package, and no confidential figures or local paths in the metadata
    manifest = json.loads(Path(summary["manifest"]).read_text(encoding="utf-8"))
    assert manifest["sha256"] == summary["sha256"] and manifest["pages"] == summary["pages"]
    head = path.read_bytes()
    assert str(sample_ws).encode() not in head

    # again: only the price chapters convert (never cached), a new file beside the first, which is untouched
    first = path.read_bytes()
    r2 = cli("assemble", sample_ws, "--json")
    assert r2.code == 0, r2.err
    again = json.loads(r2.out)
    priced = ["bid_letter", "opening_summary", "itemised_prices"]
    assert again["converted"] == priced and again["cached"] == [c for c in chapters if c not in priced]
    cache = sorted(p.name for p in (sample_ws / "build" / "cache").iterdir())
    assert not [n for n in cache if n.startswith((*priced, ".convert-"))], cache
    assert Path(again["path"]).name == "JL-2026-031-v1-2.pdf"
    assert path.read_bytes() == first


def test_split_parts_one_signed_package_per_volume(sample_ws: Path, cli: Callable[..., Any], priced: None,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from bidkit.adapters.pdf import compose

    laid: list[int] = []  # each volume's cover and 目录 laid out once, ahead, and used
    real = compose.lay_out_front
    monkeypatch.setattr(compose, "lay_out_front", lambda *a, **k: laid.append(len(a[1])) or real(*a, **k))
    r = cli("assemble", sample_ws, "--split-parts", "--json")
    assert r.code == 0, r.err
    packages = json.loads(r.out)
    assert [p["volumes"] for p in packages] == [["price"], ["commercial"], ["technical"]]
    assert [Path(p["path"]).name for p in packages] == [f"JL-2026-031-v1-{v}-1.pdf"
                                                        for v in ("price", "commercial", "technical")]
    assert len(laid) == 3
    titles = {"price": "报价文件", "commercial": "商务文件", "technical": "技术文件"}
    for p in packages:
        path = Path(p["path"])
        texts = page_texts(path)
        assert p["signed"] and p["pages"] == len(texts)
        for index, text in enumerate(texts[1:], start=1):  # numbered within its own package
            assert numbers(text) == [(index, len(texts) - 1)], (path.name, index)
        toc = _squeeze(texts[1])
        own = titles[p["volumes"][0]]
        assert own in toc and not [t for t in titles.values() if t != own and t in toc]
        m = re.search(re.escape(own) + r"(\d+)", toc)  # the 目录 points at the volume's own title page
        assert m and f"投标文件（{own}）" in _squeeze(texts[int(m.group(1))])
        v = cli("verify", path)
        assert v.code == 0, v.err


def test_draft_package_has_no_prices(sample_ws: Path, cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BIDKIT_PRICE_PASSPHRASE", raising=False)
    r = cli("assemble", sample_ws, "--draft")
    assert r.code == 0, r.err
    path = sample_ws / "build" / "JL-2026-031-v1-draft-1.pdf"
    assert r.out.splitlines()[0].startswith(f"draft package: {path} (")
    texts = page_texts(path)
    flat = "".join(_squeeze(t) for t in texts)
    assert "投标文件（报价部分）" not in flat and "第一章投标函" not in flat and "人民币肆佰" not in flat
    assert all(set("草稿未审核") <= set(t) for t in texts)


def test_locked_price_part_refused(sample_ws: Path, cli: Callable[..., Any], priced: None) -> None:
    resp = sample_ws / "responses.yaml"
    resp.write_text(resp.read_text(encoding="utf-8").replace("warranty_years: 3", "warranty_years: 5"),
                    encoding="utf-8")
    with pytest.raises(LockedError) as info:
        lock.require_open(load(sample_ws))
    r = cli("assemble", sample_ws)
    assert (r.code, r.err) == (4, f"error: {info.value.message}\n")
    assert _packages(sample_ws) == []


def test_refused_attachment_names_it(
    sample_ws: Path, cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    import bidkit.pipeline.assemble

    # the validity checks may catch it first (their own message); this is the PDF stage's own refusal
    monkeypatch.setattr(bidkit.pipeline.assemble, "run_checks", lambda *args: [])
    Image.new("RGB", (20, 20)).save(sample_ws / "attachments" / "iso9001.pdf", "PNG")
    r = cli("assemble", sample_ws, "--draft")
    assert (r.code, r.err) == (
        3, "error: attachments/iso9001.pdf: not a PDF (a PNG image); convert it to PDF first\n")
    assert _packages(sample_ws) == []


def test_second_assembly_at_once_is_refused(sample_ws: Path, cli: Callable[..., Any]) -> None:
    build = sample_ws / "build"
    build.mkdir(exist_ok=True)
    fd = os.open(build / ".assemble.lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        before = snapshot(sample_ws)
        r = cli("assemble", sample_ws, "--draft")
        assert (r.code, r.err) == (8, "error: another assembly of this workspace is running; try again when it ends\n")
        assert snapshot(sample_ws) == before
    finally:
        os.close(fd)


def test_interrupt_leaves_no_partial_package(
    sample_ws: Path, cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    import bidkit.adapters.pdf.compose as compose_mod

    real = compose_mod.save

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        real(*args, **kwargs)  # the whole file is written to its temporary name ...
        raise KeyboardInterrupt  # ... and then Ctrl-C arrives

    monkeypatch.setattr(compose_mod, "save", interrupted)
    r = cli("assemble", sample_ws, "--draft")
    assert r.code == 130 and "Traceback" not in r.err
    build = sample_ws / "build"
    assert _packages(sample_ws) == []
    assert [p.name for p in build.iterdir() if p.name.endswith(".part") or p.name.endswith(".json")] == []
    fd = os.open(build / ".assemble.lock", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # released
    finally:
        os.close(fd)

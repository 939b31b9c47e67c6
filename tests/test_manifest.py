"""The manifest (pure): shape, canonical bytes, consistency checks, and nothing confidential in it."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bidkit import __version__
from bidkit.core.errors import IntegrityError
from bidkit.core.manifest import (
    FORMAT,
    ManifestEntry,
    build_manifest,
    check_manifest,
    manifest_json,
    parse_manifest,
    with_page_digests,
)

PARTS = [ManifestEntry("commercial_part", "商务部分", "part", "a" * 64, 3, 10),
         ManifestEntry("technical_part", "技术部分", "part", "b" * 64, 11, 40)]
ATTS = [ManifestEntry("attachments/licence.pdf", "营业执照", "attachment", "c" * 64, 41, 42)]
FRONT = [ManifestEntry("cover", "封面", "front", None, 1, 1), ManifestEntry("toc", "目录", "front", None, 2, 2)]
APPROVAL = {"reviewer": "郑雅琴", "time": "2026-11-29T02:22:58Z", "decision": "approved", "digest": "d" * 64,
            "digests": {"pricing.yaml: items": "e" * 64}, "comment": "报价 1,234,567.00 元"}


def manifest(draft: bool = False) -> dict:
    return build_manifest(project_code="JL-2026-031", version=2, bidkit_version=__version__, parts=PARTS,
                          attachments=ATTS, approval=APPROVAL, draft=draft, front=FRONT)


def test_shape() -> None:
    m = manifest()
    assert m["format"] == FORMAT and m["project"] == "JL-2026-031" and m["version"] == 2
    assert m["bidkit"] == __version__ and m["draft"] is False and m["pages"] == 42
    assert [e["name"] for e in m["entries"]] == ["cover", "toc", "commercial_part", "technical_part",
                                                 "attachments/licence.pdf"]
    assert m["entries"][2] == {"name": "commercial_part", "title": "商务部分", "kind": "part", "sha256": "a" * 64,
                               "first_page": 3, "last_page": 10, "pages_sha256": None}
    # the approval keeps only who, when, what and the digest of the reviewed inputs
    assert m["approval"] == {"reviewer": "郑雅琴", "time": "2026-11-29T02:22:58Z", "decision": "approved",
                             "digest": "d" * 64}


def test_no_prices_or_internal_cost() -> None:
    """Prices and internal cost are not inputs of the manifest; a comment quoting one does not slip through."""
    text = manifest_json(manifest()).decode("utf-8")
    assert not re.search(r"\d{1,3}(,\d{3})+(\.\d+)?|\d+\.\d{2}\b", text)
    for word in ("price", "unit_price", "internal_cost", "cost", "margin", "passphrase", "报价", "成本", "元"):
        assert word not in text
    assert "comment" not in text


def test_canonical_bytes() -> None:
    blob = manifest_json(manifest())
    assert blob == json.dumps(json.loads(blob), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    assert "商务部分".encode() in blob  # UTF-8, not \\u escapes
    assert parse_manifest(blob, "x.pdf") == manifest()


def test_check_consistent() -> None:
    m = with_page_digests(manifest(), {"commercial_part": "1" * 64})
    assert check_manifest(m, 42, {"commercial_part": "1" * 64}) == []


def test_check_finds_each_problem() -> None:
    m = with_page_digests(manifest(), {"commercial_part": "1" * 64, "attachments/licence.pdf": "2" * 64})
    assert check_manifest(m, 43, {"commercial_part": "9" * 64}) == [
        "page count: the package has 43 pages, the manifest lists 42",
        "part 商务部分: pages 3–10 differ from the manifest",
        "attachment 营业执照: pages 41–42 are missing",
    ]
    gap = build_manifest(project_code="P", version=1, bidkit_version="0", parts=[PARTS[1]], attachments=[],
                         approval=None, draft=True, front=FRONT)
    assert check_manifest(gap, 40, {}) == ["manifest: part 技术部分 starts on page 11, expected 3"]


@pytest.mark.parametrize(("blob", "problem"), [
    (b"\xff\xfe", "embedded manifest is not valid JSON"),
    (b'{"format": "other/1", "entries": []}', "embedded manifest is not a bidkit-manifest/1 manifest"),
    (b'{"format": "bidkit-manifest/1"}', "embedded manifest has no entry list"),
    (b'{"format": "bidkit-manifest/1", "entries": [{"name": 1}]}', "embedded manifest has a malformed entry"),
])
def test_parse_refuses(blob: bytes, problem: str) -> None:
    with pytest.raises(IntegrityError) as info:
        parse_manifest(blob, "pkg.pdf")
    assert info.value.message == f"pkg.pdf: {problem}"


def test_duplicate_names_refused() -> None:
    with pytest.raises(ValueError):
        build_manifest(project_code="P", version=1, bidkit_version="0", parts=[PARTS[0], PARTS[0]],
                       attachments=[], approval=None, draft=False)


@given(st.lists(st.integers(min_value=1, max_value=50), min_size=1, max_size=12))
def test_contiguous_ranges_always_check(sizes: list[int]) -> None:
    entries, first = [], 1
    for i, n in enumerate(sizes):
        entries.append(ManifestEntry(f"p{i}", f"第{i}部分", "part", None, first, first + n - 1))
        first += n
    m = build_manifest(project_code="P", version=1, bidkit_version="0", parts=entries, attachments=[],
                       approval=None, draft=False)
    assert check_manifest(m, first - 1, {}) == []
    assert check_manifest(m, first, {}) != []
    assert json.loads(manifest_json(m)) == m
    assert not any(isinstance(v, Decimal) for e in m["entries"] for v in e.values())

"""Dropping an item's older cache entries never touches another item's."""

from __future__ import annotations

import hashlib
from pathlib import Path

from bidkit.adapters.sealed import SealedCache


def _key(n: int) -> str:
    return hashlib.sha256(str(n).encode()).hexdigest()


def test_drop_others_keeps_the_entry_and_other_items(tmp_path: Path) -> None:
    cache = SealedCache(tmp_path, b"test-key")
    names = [f"commercial-{_key(1)}.pdf", f"commercial-{_key(2)}.pdf", f"commercial-cover-{_key(3)}.pdf",
             f"commercial.carried-{_key(4)}.pdf", f"commercial-{_key(5)}.pdf.words.json", f"commercial-{_key(6)}.docx"]
    for name in names:
        cache.write(tmp_path / name, name.encode())
    entry = Path("relative-looking") / names[1]  # (compared by name: a caller may hold an absolute path)
    cache.drop_others(entry, "commercial", ".pdf")
    left = sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".tag"))
    assert left == sorted(names[1:])
    assert all((tmp_path / f"{n}.tag").exists() for n in left) and not (tmp_path / f"{names[0]}.tag").exists()

"""DOCX → PDF with real LibreOffice: CJK fonts embedded, cache by content, faults turned into clear errors."""

from __future__ import annotations

import io
import stat
import subprocess
import time
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

from bidkit.adapters.libreoffice import Converted, Job, LibreOffice, batches, content_digest
from bidkit.adapters.sealed import SealedCache
from bidkit.core.errors import ToolError
from tests.helpers import needs_soffice, record_batches


def cjk_docx(text: str = "投标文件　第一章　投标函") -> bytes:
    doc = Document()
    for font in ("宋体", "黑体", "仿宋"):
        run = doc.add_paragraph().add_run(f"{text}（{font}）")
        run.font.name = font
        run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _retimed(blob: bytes) -> bytes:
    """The same members with other zip timestamps, as a second render produces."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(blob)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            info.date_time = (2030, 1, 2, 3, 4, 6)
            dst.writestr(info, src.read(info))
    return out.getvalue()


SECRET = b"k" * 32  # this test's cache key


def sealed(cache: Path, secret: bytes = SECRET) -> SealedCache:
    return SealedCache(cache, secret)


def convert(docs: dict[str, bytes], cache: Path, secret: bytes = SECRET) -> dict[str, Converted]:
    """Convert, and keep each PDF's bytes beside it (the private copies go with the LibreOffice context)."""
    with LibreOffice(sealed(cache, secret)) as office:
        done = office.convert([Job(name, blob) for name, blob in docs.items()])
        keep = cache.parent / "kept"
        keep.mkdir(exist_ok=True)
        out = {}
        for name, cv in done.items():
            (keep / f"{name}.pdf").write_bytes(cv.pdf.read_bytes())
            out[name] = Converted(cv.name, keep / f"{name}.pdf", cv.key, cv.cached, cv.entry)
        return out


def test_digest_ignores_zip_timestamps() -> None:
    blob = cjk_docx()
    again = _retimed(blob)
    assert again != blob
    assert content_digest(again) == content_digest(blob)
    assert content_digest(cjk_docx("别的内容")) != content_digest(blob)


def test_batches_balance_by_size() -> None:
    assert sorted(map(sorted, batches([("a", 10), ("b", 6), ("c", 5)], 2))) == [["a"], ["b", "c"]]
    assert batches([("a", 1)], 2) == [["a"]]
    assert batches([("a", 3), ("b", 2), ("c", 1)], 1) == [["a", "b", "c"]]


def _fake_soffice(tmp_path: Path, body: str) -> Path:
    script = tmp_path / "soffice"
    script.write_text("#!/bin/sh\n" + body + "\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


def test_missing_soffice_says_how_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BIDKIT_SOFFICE", str(tmp_path / "nowhere" / "soffice"))
    with pytest.raises(ToolError) as info:
        convert({"technical_part": cjk_docx()}, tmp_path / "cache")
    assert info.value.message == "LibreOffice not found: install it (apt-get install libreoffice-writer-nogui)"


def test_hanging_soffice_is_stopped_with_its_children(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pidfile = tmp_path / "child.pid"
    fake = _fake_soffice(tmp_path, f"sleep 300 & echo $! > {pidfile}\nwait")
    monkeypatch.setenv("BIDKIT_SOFFICE", str(fake))
    monkeypatch.setenv("BIDKIT_SOFFICE_TIMEOUT", "1")
    start = time.monotonic()
    with pytest.raises(ToolError) as info:
        convert({"technical_part": cjk_docx()}, tmp_path / "cache")
    assert time.monotonic() - start < 10
    assert info.value.message == "LibreOffice took longer than 1 s converting technical_part.docx; stopped it"
    child = int(pidfile.read_text())
    time.sleep(0.2)
    stat_file = Path(f"/proc/{child}/stat")
    # the whole process group was ended, not just the shell (a zombie awaiting its reaper is dead too)
    assert not stat_file.exists() or stat_file.read_text().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    assert list((tmp_path / "cache").iterdir()) == []


def test_killed_soffice_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = _fake_soffice(tmp_path, "echo 'Fatal: segfault in writer' >&2\nkill -9 $$")
    monkeypatch.setenv("BIDKIT_SOFFICE", str(fake))
    with pytest.raises(ToolError) as info:
        convert({"price_part": cjk_docx()}, tmp_path / "cache")
    assert info.value.message == (
        "LibreOffice was killed by signal 9 converting price_part.docx: Fatal: segfault in writer"
    )


def test_soffice_without_output_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = _fake_soffice(tmp_path, "echo 'Error: source file could not be loaded' >&2\nexit 0")
    monkeypatch.setenv("BIDKIT_SOFFICE", str(fake))
    with pytest.raises(ToolError) as info:
        convert({"price_part": cjk_docx()}, tmp_path / "cache")
    assert info.value.message == (
        "LibreOffice could not convert price_part.docx: Error: source file could not be loaded"
    )


@needs_soffice()
def test_cjk_fonts_embedded_and_cache_hit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    first = convert({"technical_part": cjk_docx(), "commercial_part": cjk_docx("商务标")}, cache)
    assert [c.cached for c in first.values()] == [False, False]
    fonts = subprocess.run(["pdffonts", str(first["technical_part"].pdf)], capture_output=True, text=True,
                           check=True).stdout
    rows = fonts.splitlines()[2:]
    assert rows and all(" yes " in r for r in rows)  # embedded
    assert "Type 3" not in fonts
    assert any("NotoSerifCJK" in r for r in rows) and any("NotoSansCJK" in r for r in rows)  # 宋体, 黑体
    text = subprocess.run(["pdftotext", str(first["technical_part"].pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "投标文件" in text and "（黑体）" in text
    # same content again (new zip timestamps): no LibreOffice start at all
    monkeypatch.setenv("BIDKIT_SOFFICE", str(tmp_path / "nowhere"))
    again = convert({"technical_part": _retimed(cjk_docx()), "commercial_part": cjk_docx("商务标")}, cache)
    assert [c.cached for c in again.values()] == [True, True]
    assert again["technical_part"].entry == first["technical_part"].entry
    entry = first["technical_part"].entry
    assert entry is not None and oct(entry.stat().st_mode & 0o777) == "0o600"


@needs_soffice()
def test_changed_part_replaces_its_old_cache_entry(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    old = convert({"price_part": cjk_docx("旧价格")}, cache)["price_part"].entry
    new = convert({"price_part": cjk_docx("新价格")}, cache)["price_part"].entry
    assert old is not None and new is not None
    assert new != old and new.exists() and not old.exists() and not Path(f"{old}.tag").exists()


@needs_soffice()
def test_parallel_batches_and_a_private_job(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two processes at once (forced for a small job), and a job kept out of the cache: its PDF exists while the
    context lives, in the private work folder, and is gone with it; the cache holds only the others."""
    monkeypatch.setattr("bidkit.adapters.libreoffice.PARALLEL_MIN_BYTES", 0)
    cache = tmp_path / "cache"
    jobs = [Job("technical_part", cjk_docx("技术")), Job("commercial_part", cjk_docx("商务")),
            Job("price_part", cjk_docx("报价"), cache=False)]
    with LibreOffice(sealed(cache), workers=2) as office:
        done = office.convert(jobs)
        private = done["price_part"].pdf
        assert private.is_file() and private.parent.parent.parent.name.startswith(".convert-")
        assert done["price_part"].entry is None
        for name in ("technical_part", "commercial_part", "price_part"):
            text = subprocess.run(["pdftotext", str(done[name].pdf), "-"], capture_output=True, text=True,
                                  check=True).stdout
            assert {"technical_part": "技术", "commercial_part": "商务", "price_part": "报价"}[name] in text
    assert not private.exists()
    assert sorted(p.name.split("-")[0] for p in cache.glob("*.pdf")) == ["commercial_part", "technical_part"]


@needs_soffice()
def test_a_spare_converts_with_its_job_only_when_the_job_converts(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A spare (the variant assemble may need once it sees the job's pages) is converted in the same process as
    its job when the job is a miss; when the job comes from the cache, nothing is converted at all."""
    cache = tmp_path / "cache"
    starts = record_batches(monkeypatch)
    spares = {"deviations": Job("deviations.carried", cjk_docx("偏离表（续）"))}
    with LibreOffice(sealed(cache), workers=1) as office:
        done = office.convert([Job("deviations", cjk_docx("偏离表")), Job("letter", cjk_docx("投标函"))],
                              spare=spares.get)
        text = subprocess.run(["pdftotext", str(done["deviations.carried"].pdf), "-"], capture_output=True,
                              text=True, check=True).stdout
    assert starts == [["deviations", "deviations.carried", "letter"]]  # one process, the spare in it
    assert "偏离表（续）" in text
    with LibreOffice(sealed(cache), workers=1) as office:
        again = office.convert([Job("deviations", cjk_docx("偏离表")), Job("letter", cjk_docx("新投标函"))],
                               spare=spares.get)
    assert starts[1:] == [["letter"]]  # the job is cached: its spare is not asked for
    assert again["deviations"].cached and "deviations.carried" not in again


@needs_soffice()
def test_a_cache_entry_without_this_users_tag_is_converted_again(tmp_path: Path) -> None:
    """The cache lives in the shared workspace: an entry swapped for another PDF (its tag kept), one whose tag is
    gone, and one made under another user's key are not used — the job converts again, and its private PDF is
    the real conversion; a good entry is read into a private copy, never used in place."""
    cache = tmp_path / "cache"
    first = convert({"technical_part": cjk_docx("技术"), "forged": cjk_docx("伪造的偏离表")}, cache)
    entry, forged = first["technical_part"].entry, first["forged"].entry
    assert entry is not None and forged is not None
    entry.write_bytes(forged.read_bytes())  # swapped: the tag beside it is the real one's
    again = convert({"technical_part": cjk_docx("技术")}, cache)["technical_part"]
    assert not again.cached
    text = subprocess.run(["pdftotext", str(again.pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "技术" in text and "伪造" not in text
    Path(f"{entry}.tag").unlink()  # no tag
    assert not convert({"technical_part": cjk_docx("技术")}, cache)["technical_part"].cached
    assert not convert({"technical_part": cjk_docx("技术")}, cache, b"x" * 32)["technical_part"].cached  # a colleague
    assert not convert({"technical_part": cjk_docx("技术")}, cache)["technical_part"].cached  # theirs is not mine
    hit = convert({"technical_part": cjk_docx("技术")}, cache)["technical_part"]
    assert hit.cached and hit.pdf != hit.entry


def test_the_cache_key_is_made_once_and_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Made on first use (0600); a second process reads the same key; one made meanwhile by another is kept."""
    from concurrent.futures import ProcessPoolExecutor

    from bidkit.store import keys

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache-home"))
    with ProcessPoolExecutor(4) as pool:
        made = list(pool.map(_cache_secret, range(8)))
    assert len(set(made)) == 1 and len(made[0]) == 32
    path = tmp_path / "cache-home" / "bidkit" / "cache.key"
    assert path.read_bytes() == made[0] == keys.cache_secret()
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert [p.name for p in path.parent.iterdir()] == ["cache.key"]


def _cache_secret(_: int) -> bytes:
    from bidkit.store import keys

    return keys.cache_secret()


def test_a_bidders_own_file_is_never_joined(tmp_path: Path) -> None:
    office = LibreOffice(sealed(tmp_path / "cache"))
    alike = [Job("a", cjk_docx("甲"), alone=True), Job("b", cjk_docx("乙"), alone=True), Job("c", cjk_docx("丙")),
             Job("d", cjk_docx("丁"))]
    assert sorted(sorted(j.name for j in unit) for unit in office._units(alike)) == [["a"], ["b"], ["c", "d"]]


def _soffice_processes(marker: str) -> list[str]:
    out = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True, check=True).stdout
    return [line for line in out.splitlines() if marker in line and "soffice" in line]


@needs_soffice()
def test_the_first_batch_is_handed_to_the_standby_and_nothing_of_it_stays(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The standby (started before the work) takes the first batch over LibreOffice's single-instance pipe: the
    batch's own soffice only hands its arguments over and waits; the PDF is right (a confidential job too). The
    standby ends with that batch: no process, no profile folder, no pipe in /tmp. The next batch starts its own."""
    from bidkit.adapters.soffice import Standby, pipes

    convert({"warm": cjk_docx("预热")}, tmp_path / "warm")  # (an initialised profile to copy, as bidkit keeps one)
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    handed: list[str | None] = []
    real = Standby.take
    monkeypatch.setattr(Standby, "take", lambda self: handed.append(real(self)) or handed[-1])
    with Standby() as standby:
        assert standby.launched() and standby.folder is not None
        url = standby.url
        with LibreOffice(sealed(tmp_path / "cache"), standby=standby) as office:
            first = office.convert([Job("price_part", cjk_docx("报价　标准"), cache=False)])
            text = subprocess.run(["pdftotext", str(first["price_part"].pdf), "-"], capture_output=True,
                                  text=True, check=True).stdout
            assert "报价" in text
            assert handed == [url]
            assert standby.proc is None and not any(p.exists() for p in pipes(url))  # gone with its batch
            assert not _soffice_processes(url.removeprefix("file://"))
            second = office.convert([Job("after_sales", cjk_docx("售后"))])
            assert second["after_sales"].pdf.is_file() and handed == [url, None]
    assert list((tmp_path / "tmp").iterdir()) == []


@needs_soffice()
def test_a_standby_that_died_or_is_turned_off_is_not_waited_for(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A standby that crashed is not waited for (the batch starts its own soffice at once and converts); with
    ``BIDKIT_SOFFICE_STANDBY=0`` none is started."""
    from bidkit.adapters.soffice import Standby, kill

    convert({"warm": cjk_docx("预热")}, tmp_path / "warm")
    with Standby() as standby:
        assert standby.launched() and standby.proc is not None
        kill(standby.proc)  # (crashed)
        with LibreOffice(sealed(tmp_path / "cache"), standby=standby) as office:
            start = time.monotonic()
            assert standby.take() is None and time.monotonic() - start < 1.0
            done = office.convert([Job("technical_part", cjk_docx("技术"))])
            assert "技术" in subprocess.run(["pdftotext", str(done["technical_part"].pdf), "-"],
                                          capture_output=True, text=True, check=True).stdout
    monkeypatch.setenv("BIDKIT_SOFFICE_STANDBY", "0")
    with Standby() as off:
        assert not off.launched() and off.folder is None and off.take() is None


@needs_soffice()
def test_a_standby_closed_as_soon_as_it_is_entered_leaves_nothing(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The standby copies its profile and starts soffice in a thread of its own (that took 15-50 ms of bidkit's
    main thread before it could load the workspace); an assembly refused or interrupted right after it started
    still leaves no soffice and no profile folder behind."""
    from bidkit.adapters import soffice

    convert({"warm": cjk_docx("预热")}, tmp_path / "warm")
    made: list[str] = []
    real = soffice.tempfile.mkdtemp
    monkeypatch.setattr(soffice.tempfile, "mkdtemp", lambda **kw: made.append(real(**kw)) or made[-1])
    for _ in range(3):
        with soffice.Standby() as standby:
            pass
        assert standby.proc is None and standby.folder is None
    assert len(made) == 3 and not any(Path(m).exists() for m in made)
    assert not any(_soffice_processes(m) for m in made)

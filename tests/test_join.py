"""Forms joined into one document for LibreOffice (adapters/render/join.py), and the PDF cut back per form
(adapters/pdf/split.py): what may join, what the joined .docx holds, and — with the real LibreOffice — that each
form comes out of the joined conversion as it does alone."""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from pathlib import Path

import pikepdf
import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm
from PIL import Image

from bidkit.adapters.libreoffice import Job, LibreOffice
from bidkit.adapters.pdf import split
from bidkit.adapters.render import join
from bidkit.adapters.sealed import SealedCache
from bidkit.pipeline import book as book_pipeline
from bidkit.store import workspace
from tests.helpers import copy_sample, needs_soffice

SECRET = b"j" * 32


def _save(doc: object) -> bytes:
    out = io.BytesIO()
    doc.save(out)  # type: ignore[attr-defined]
    return out.getvalue()


def _png(color: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 20), color).save(out, "PNG")
    return out.getvalue()


def form(title: str, *, landscape: bool = False, picture: str | None = None, header: str | None = None,
         paragraphs: int = 3) -> bytes:
    doc = Document()
    if landscape:
        sec = doc.sections[0]
        sec.orientation = WD_ORIENT.LANDSCAPE
        sec.page_width, sec.page_height = sec.page_height, sec.page_width
    if header:
        doc.sections[0].header.paragraphs[0].text = header
    doc.add_paragraph(title)
    for i in range(paragraphs):
        doc.add_paragraph(f"{title}：第{i + 1}段。投标人承诺遵守招标文件的全部要求。")
    if picture:
        doc.add_picture(io.BytesIO(_png(picture)), width=Cm(4))
    return _save(doc)


def _body(docx: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(docx)) as zf:
        return zf.read("word/document.xml").decode()


def test_forms_built_alike_share_a_key_and_what_counts_on_converts_alone() -> None:
    a, b = form("投标函"), form("开标一览表", landscape=True, picture="red")
    assert join.group_key(a) is not None and join.group_key(a) == join.group_key(b)
    page_field = Document(io.BytesIO(a))
    run = page_field.add_paragraph().add_run()
    for kind in ("begin", "end"):
        fld = OxmlElement("w:fldChar")
        fld.set(qn("w:fldCharType"), kind)
        run._r.append(fld)
    assert join.group_key(_save(page_field)) is None  # a page number would count on
    numbered = Document(io.BytesIO(a))
    numbered.add_paragraph("第一条", style="List Number")  # numbered through its style
    assert join.group_key(_save(numbered)) is None
    two = Document(io.BytesIO(a))
    two.add_section()
    assert join.group_key(_save(two)) is None
    assert join.group_key(b"not a zip") is None


def test_joined_document_keeps_each_forms_section_parts_and_start() -> None:
    docs = [form("投标函", header="页眉甲", picture="red"), form("分项报价表", landscape=True, header="页眉乙",
                                                              picture="blue"), form("售后服务承诺")]
    joined, marks = join.join(docs, "abc123")
    assert marks == ["bidkitabc123n0", "bidkitabc123n1", "bidkitabc123n2"]
    body = _body(joined)
    assert [m for m in re.findall(r'w:name="(bidkit[^"]*)"', body)] == marks
    assert body.count("<w:sectPr") == 3  # two ending their form's last paragraph, one for the last form
    assert len(re.findall(r'<w:pgSz [^>]*w:orient="landscape"', body)) == 1
    with zipfile.ZipFile(io.BytesIO(joined)) as zf:
        names = set(zf.namelist())
        rels = zf.read("word/_rels/document.xml.rels").decode()
        types = zf.read("[Content_Types].xml").decode()
        headers = sorted(n for n in names if re.fullmatch(r"word/j\d+_header\d*\.xml", n))
        media = sorted(n for n in names if n.startswith("word/media/"))
        header_text = [zf.read(h).decode() for h in headers]
    assert len(headers) == 2 and any("页眉甲" in h for h in header_text) and any("页眉乙" in h for h in header_text)
    assert len(media) == 2 and all("/j" in m for m in media)
    for rid in re.findall(r'r:(?:id|embed)="([^"]+)"', body):
        assert f'Id="{rid}"' in rels  # every reference has its relationship
    assert 'Extension="png"' in types and all(f'PartName="/{h}"' in types for h in headers)
    with pytest.raises(ValueError):
        join.join(docs, "not-alnum!")


def test_confidential_jobs_join_only_each_other(tmp_path: Path) -> None:
    office = LibreOffice(SealedCache(tmp_path / "cache", SECRET))
    jobs = [Job("a", form("甲")), Job("price", form("报价"), cache=False), Job("b", form("乙")),
            Job("price2", form("报价二"), cache=False), Job("odd", b"PK broken")]
    units = [[j.name for j in u] for u in office._units(jobs)]
    assert sorted(units) == [["a", "b"], ["odd"], ["price", "price2"]]
    assert [[j.name for j in u] for u in LibreOffice(SealedCache(tmp_path, SECRET), join_forms=False)._units(
        jobs)] == [["a"], ["price"], ["b"], ["price2"], ["odd"]]


def test_split_refuses_marks_it_cannot_place(tmp_path: Path) -> None:
    pdf = pikepdf.new()
    for _ in range(3):
        pdf.add_blank_page()
    pdf.Root.Dests = pikepdf.Dictionary(m0=pikepdf.Array([pdf.pages[0].obj, pikepdf.Name.Fit]),
                                        m1=pikepdf.Array([pdf.pages[2].obj, pikepdf.Name.Fit]))
    pdf.save(tmp_path / "j.pdf")
    outs = [tmp_path / "0.pdf", tmp_path / "1.pdf"]
    assert split.split_at(tmp_path / "j.pdf", ["m0", "m1"], outs)
    assert [len(pikepdf.open(p).pages) for p in outs] == [2, 1]
    assert not split.split_at(tmp_path / "j.pdf", ["m1", "m0"], outs)  # out of order
    assert not split.split_at(tmp_path / "j.pdf", ["m0", "gone"], outs)
    assert not split.split_at(tmp_path / "j.pdf", ["m1"], outs[:1])  # the first does not start the PDF


def _words(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return ["".join(page.split()) for page in text.split("\f")][:-1]


@needs_soffice()
def test_the_samples_forms_come_out_of_one_conversion_as_they_do_alone(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Every form of the sample without prices (and a landscape form with a picture and a header of its own):
    joined, one LibreOffice document; each form's PDF has the pages and the words it has converted alone."""
    ws = workspace.load(copy_sample(tmp_path / "ws"))
    chapters = [pc for pc in book_pipeline.plan(ws).chapters() if not pc.priced and pc.kind != "attachments"
                and not pc.pdf_file and pc.form is not None]
    docs = book_pipeline.render_chapters(ws, chapters)
    docs["landscape"] = form("附表", landscape=True, picture="green", header="附表页眉", paragraphs=60)
    assert len({join.group_key(d) for d in docs.values()} - {None}) >= 1
    runs: list[int] = []
    real = LibreOffice._run_batch

    def counted(self: LibreOffice, binary: str, units: list[list[Job]]) -> dict[str, Path]:
        runs.append(len(units))
        return real(self, binary, units)

    monkeypatch.setattr(LibreOffice, "_run_batch", counted)
    pages: dict[bool, dict[str, list[str]]] = {}
    for joined in (True, False):
        with LibreOffice(SealedCache(tmp_path / f"cache-{joined}", SECRET), workers=1, join_forms=joined) as lo:
            done = lo.convert([Job(n, b) for n, b in docs.items()])
            pages[joined] = {n: _words(cv.pdf) for n, cv in done.items()}
    assert runs[0] < len(docs) / 2 and runs[1] == len(docs)  # joined: a few documents; alone: one each
    for name in docs:
        alone, together = pages[False][name], pages[True][name]
        assert len(together) == len(alone), name
        assert together == alone, name
    assert len(pages[True]["landscape"]) >= 2


@needs_soffice()
def test_a_bookmark_lost_in_conversion_converts_the_forms_one_by_one(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(split, "split_at", lambda *_a: False)
    docs = {"letter": form("投标函"), "service": form("售后服务承诺", paragraphs=50)}
    with LibreOffice(SealedCache(tmp_path / "cache", SECRET), workers=1) as office:
        done = office.convert([Job(n, b) for n, b in docs.items()])
        words = {n: _words(cv.pdf) for n, cv in done.items()}
    assert words["letter"][0].startswith("投标函") and len(words["letter"]) == 1
    assert words["service"][0].startswith("售后服务承诺") and len(words["service"]) >= 2


def test_a_document_with_parts_that_cannot_be_doubled_converts_alone() -> None:
    """Footnotes (Word writes the part even without a note), comments, an embedded object: one part for the whole
    document, so such a form is not joined."""
    blob = form("授权书")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(blob)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/_rels/document.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdF" Type="http://schemas.openxmlformats'
                                    b'.org/officeDocument/2006/relationships/footnotes" Target="footnotes.xml"/>'
                                    b"</Relationships>")
            dst.writestr(info, data)
        dst.writestr("word/footnotes.xml", b'<w:footnotes xmlns:w="http://schemas.openxmlformats.org/'
                                           b'wordprocessingml/2006/main"/>')
    assert join.group_key(blob) is not None and join.group_key(out.getvalue()) is None

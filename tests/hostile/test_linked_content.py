"""Issue 13 item 5, linked content: a .docx (the bidder's own chapter file or a template override) that makes
LibreOffice fetch something from outside itself — an external picture (file:// outside the workspace, http:// to a
server this test runs), an INCLUDEPICTURE / INCLUDETEXT field, a linked OLE object, an attached template, a
sub-document, an external altChunk — is refused naming the file and the link, before anything converts: the
test's web server receives no request and build/ stays as it was. An ordinary hyperlink stays a link and passes."""

from __future__ import annotations

import http.server
import io
import re
import threading
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from docx import Document

from tests.helpers import Result, snapshot

CHAPTER = "chapters/技术方案.docx"  # the sample's 技术方案, the pre-sales engineer's own Word file
TEMPLATE = "templates/bom.docx"  # the 设备清单 form, overridden by the workspace
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
      f'xmlns:r="{R}" xmlns:o="urn:schemas-microsoft-com:office:office" '
      'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
      'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture" '
      'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"')


@pytest.fixture
def server() -> Iterator[tuple[str, list[str]]]:
    """A web server on 127.0.0.1 that records every request it gets (its base URL, the requests)."""
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", seen
    finally:
        httpd.shutdown()
        httpd.server_close()


def picture(rel_attr: str) -> str:
    """An inline picture whose blip takes its bytes from a relationship (``r:link`` or ``r:embed``)."""
    return (f'<w:p><w:r><w:drawing><wp:inline><wp:extent cx="914400" cy="914400"/><wp:docPr id="9" name="p"/>'
            '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic>'
            '<pic:nvPicPr><pic:cNvPr id="9" name="p"/><pic:cNvPicPr/></pic:nvPicPr>'
            f'<pic:blipFill><a:blip {rel_attr}/></pic:blipFill><pic:spPr/></pic:pic></a:graphicData></a:graphic>'
            '</wp:inline></w:drawing></w:r></w:p>')


def field(*instr: str) -> str:
    """A complex field whose instruction is split over the runs given."""
    runs = "".join(f'<w:r><w:instrText xml:space="preserve">{i}</w:instrText></w:r>' for i in instr)
    return (f'<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>{runs}'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>x</w:t></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>')


def rel(rid: str, kind: str, target: str, mode: str = ' TargetMode="External"') -> str:
    return f'<Relationship Id="{rid}" Type="{R}/{kind}" Target="{target}"{mode}/>'


def linked_docx(body: str = "", rels: str = "", settings: str = "", settings_rels: str = "") -> bytes:
    """A real Word document (python-docx) with ``body`` XML added to its body and ``rels`` relationships added
    to its document part (``settings``/``settings_rels`` likewise for word/settings.xml)."""
    doc = Document()
    doc.add_heading("技术方案", level=1)
    doc.add_paragraph("正文。")
    buf = io.BytesIO()
    doc.save(buf)
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        names = src.namelist()
        for name in names:
            data = src.read(name).decode("utf-8") if name.endswith((".xml", ".rels")) else src.read(name)
            if name == "word/document.xml" and isinstance(data, str):
                data = re.sub(r"<w:document\b", f"<w:document {NS}", data, count=1).replace(
                    "<w:sectPr", body + "<w:sectPr", 1)
                data = re.sub(r'(xmlns:\w+="[^"]*")(?=.*?\1)', "", data, flags=re.S)  # one declaration each
            elif name == "word/_rels/document.xml.rels" and isinstance(data, str):
                data = data.replace("</Relationships>", rels + "</Relationships>")
            elif name == "word/settings.xml" and isinstance(data, str):
                data = re.sub(r"(<w:settings\b[^>]*>)", r"\1" + settings, data, count=1)
            dst.writestr(name, data)
        if settings_rels:
            dst.writestr("word/_rels/settings.xml.rels",
                         '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns='
                         f'"http://schemas.openxmlformats.org/package/2006/relationships">{settings_rels}'
                         "</Relationships>")
    return out.getvalue()


def outside_file(tmp_path: Path) -> str:
    """A picture outside the workspace, as a file:// URI (the thing an insider would swap after approval)."""
    from PIL import Image

    path = tmp_path / "outside" / "logo.png"
    path.parent.mkdir()
    Image.new("RGB", (8, 8), "red").save(path)
    return path.as_uri()


CASES: dict[str, Callable[[str, str], tuple[dict[str, str], str]]] = {
    # name: (base URL, file URI) → (linked_docx arguments, the link the message names)
    "external picture, file:// outside the workspace": lambda url, f: (
        {"body": picture('r:link="rIdX1"'), "rels": rel("rIdX1", "image", f)}, f"image {f}"),
    "external picture, http://": lambda url, f: (
        {"body": picture('r:link="rIdX1"'), "rels": rel("rIdX1", "image", f"{url}/logo.png")},
        f"image {url}/logo.png"),
    "external picture, single quotes and an entity": lambda url, f: (
        {"body": picture('r:link="rIdX1"'),
         "rels": f"<Relationship Id='rIdX1' Type='{R}/image' Target='{url}/q.png' TargetMode='&#69;xternal'/>"},
        f"image {url}/q.png"),
    "a hyperlink relationship used as a picture": lambda url, f: (
        {"body": picture('r:embed="rIdX1"'), "rels": rel("rIdX1", "hyperlink", f"{url}/h.png")},
        "blip linked to an external target (relationship rIdX1)"),
    "INCLUDEPICTURE field": lambda url, f: (
        {"body": field(f' INCLUDEPICTURE "{url}/field.png" \\d ')}, f"INCLUDEPICTURE field {url}/field.png"),
    "includepicture split over runs, lower case": lambda url, f: (
        {"body": field(" include", f'picture "{url}/split.png" ')}, f"INCLUDEPICTURE field {url}/split.png"),
    "INCLUDETEXT simple field": lambda url, f: (
        {"body": f'<w:p><w:fldSimple w:instr=\' INCLUDETEXT "{f}" \'><w:r><w:t>x</w:t></w:r></w:fldSimple></w:p>'},
        f"INCLUDETEXT field {f}"),
    "linked OLE object": lambda url, f: (
        {"body": '<w:p><w:r><w:object><o:OLEObject Type="Link" ProgID="Excel.Sheet.12" r:id="rIdX1" '
                 'UpdateMode="Always"/></w:object></w:r></w:p>',
         "rels": rel("rIdX1", "oleObject", f"{url}/prices.xlsx")}, f"oleObject {url}/prices.xlsx"),
    "attached template": lambda url, f: (
        {"settings": '<w:attachedTemplate r:id="rIdT1"/>',
         "settings_rels": rel("rIdT1", "attachedTemplate", f"{url}/normal.dotm")},
        f"word/settings.xml: attachedTemplate {url}/normal.dotm"),
    "sub-document": lambda url, f: (
        {"body": '<w:p><w:subDoc r:id="rIdX1"/></w:p>', "rels": rel("rIdX1", "subDocument", f"{url}/sub.docx")},
        f"subDocument {url}/sub.docx"),
    "external altChunk": lambda url, f: (
        {"body": '<w:altChunk r:id="rIdX1"/>', "rels": rel("rIdX1", "aFChunk", f"{url}/chunk.html")},
        f"aFChunk {url}/chunk.html"),
    "an absolute URL without TargetMode": lambda url, f: (
        {"body": picture('r:embed="rIdX1"'), "rels": rel("rIdX1", "image", f"{url}/nomode.png", mode="")},
        f"image {url}/nomode.png"),
}


def built(ws: Path) -> dict[str, bytes]:
    return {k: v for k, v in snapshot(ws / "build").items() if k != ".assemble.lock"} if (ws / "build").exists() else {}


def refused(cli: Callable[..., Result], ws: Path, display: str, link: str, seen: list[str], *args: str) -> None:
    """``bidkit ARGS WS …`` (default: a draft assembly, which would convert with LibreOffice) is refused in one line
    naming the file and the link; nothing was fetched and nothing was written."""
    before = built(ws)
    r = cli(*(args or ("assemble", ws, "--draft")))
    assert (r.code, len(r.err_lines)) == (3, 1), r.err
    line = r.err_lines[0]
    assert line.startswith(f"error: {display}: refers to content outside itself, which LibreOffice would fetch ("), \
        line
    assert link in line, line
    assert "Traceback" not in r.err and " object at 0x" not in r.err
    assert seen == []
    assert built(ws) == before


@pytest.mark.parametrize("case", list(CASES))
def test_linked_content_in_a_chapter_file_is_refused(sample_ws: Path, cli: Callable[..., Result], tmp_path: Path,
                                                     server: tuple[str, list[str]], demo_secrets: dict[str, str],
                                                     case: str) -> None:
    url, seen = server
    kwargs, link = CASES[case](url, outside_file(tmp_path))
    (sample_ws / CHAPTER).write_bytes(linked_docx(**kwargs))
    refused(cli, sample_ws, CHAPTER, link, seen, "render", str(sample_ws), "--only", "technical")


def test_a_draft_assembly_fetches_nothing(sample_ws: Path, cli: Callable[..., Result], tmp_path: Path,
                                         server: tuple[str, list[str]], demo_secrets: dict[str, str]) -> None:
    """The whole attack: an assembly would hand the chapter to LibreOffice, which would fetch the picture."""
    url, seen = server
    kwargs, link = CASES["external picture, http://"](url, outside_file(tmp_path))
    (sample_ws / CHAPTER).write_bytes(linked_docx(**kwargs))
    refused(cli, sample_ws, CHAPTER, link, seen)


@pytest.mark.parametrize("case", ["external picture, http://", "INCLUDEPICTURE field", "attached template"])
def test_linked_content_in_a_template_override_is_refused(sample_ws: Path, cli: Callable[..., Result],
                                                          tmp_path: Path, server: tuple[str, list[str]],
                                                          demo_secrets: dict[str, str], case: str) -> None:
    url, seen = server
    kwargs, link = CASES[case](url, outside_file(tmp_path))
    (sample_ws / TEMPLATE).write_bytes(linked_docx(**kwargs))
    refused(cli, sample_ws, TEMPLATE, link, seen, "render", str(sample_ws), "--only", "bom")


def test_a_field_the_data_writes_into_a_template_is_refused(sample_ws: Path, cli: Callable[..., Result],
                                                            server: tuple[str, list[str]],
                                                            demo_secrets: dict[str, str]) -> None:
    """The template is clean; a workspace value rendered into a field instruction makes it an INCLUDEPICTURE."""
    url, seen = server
    (sample_ws / TEMPLATE).write_bytes(linked_docx(body=field("{{ tender.project_name }}")))
    tender = sample_ws / "tender.yaml"
    text = tender.read_text(encoding="utf-8")
    new = re.sub(r"^project_name: .*$", f"project_name: 'INCLUDEPICTURE \"{url}/data.png\"'", text, count=1,
                 flags=re.M)
    assert new != text
    tender.write_text(new, encoding="utf-8")
    r = cli("render", sample_ws, "--only", "bom")
    assert (r.code, len(r.err_lines)) == (3, 1), r.err
    assert r.err_lines[0].startswith(f"error: {TEMPLATE}: renders content from outside itself"), r.err
    assert f"INCLUDEPICTURE field {url}/data.png" in r.err
    assert seen == []


def test_an_ordinary_hyperlink_passes(sample_ws: Path, cli: Callable[..., Result], server: tuple[str, list[str]],
                                      demo_secrets: dict[str, str]) -> None:
    url, seen = server
    link = ('<w:p><w:hyperlink r:id="rIdH1"><w:r><w:t>招标公告</w:t></w:r></w:hyperlink></w:p>'
            '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> HYPERLINK '
            f'"{url}/notice" </w:instrText></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>')
    (sample_ws / CHAPTER).write_bytes(linked_docx(body=link, rels=rel("rIdH1", "hyperlink", f"{url}/notice")))
    r = cli("render", sample_ws, "--only", "technical")
    assert r.code == 0, r.err
    with zipfile.ZipFile(sample_ws / "build" / "docx" / "technical_solution.docx") as zf:  # a link it stays
        assert f'Target="{url}/notice"' in zf.read("word/_rels/document.xml.rels").decode()
    assert seen == []


def test_a_chapter_file_checked_before_is_checked_again_once_it_changed(sample_ws: Path, tmp_path: Path,
                                                                        server: tuple[str, list[str]]) -> None:
    """That a chapter file passed is kept in the conversion cache, by its content: the file swapped for a linked
    one is read again and refused; an entry forged for the swapped file (a copy of the good one's, renamed) is
    not trusted."""
    from bidkit.adapters.sealed import SealedCache
    from bidkit.core.errors import TemplateError
    from bidkit.pipeline import book as book_pipeline
    from bidkit.store import workspace

    url, seen = server
    ws = workspace.load(sample_ws)
    pc = next(pc for pc in book_pipeline.plan(ws).chapters() if pc.file == CHAPTER)
    cache = SealedCache(tmp_path / "cache", b"k" * 32)
    book_pipeline.render_chapter(ws, pc, cache=cache)
    [good] = cache.dir.glob(f"checked-{pc.docx_name}-*.ok")
    import hashlib

    def entry_name() -> str:  # where a verdict on the file as it is now would be
        key = hashlib.sha256(f"{book_pipeline.code_digest()}\0".encode() + (sample_ws / CHAPTER).read_bytes())
        return f"checked-{pc.docx_name}-{key.hexdigest()}.ok"

    assert good.name == entry_name()
    book_pipeline.render_chapter(ws, pc, cache=cache)  # (read from the cache now)
    kwargs, link = CASES["external picture, http://"](url, outside_file(tmp_path))
    (sample_ws / CHAPTER).write_bytes(linked_docx(**kwargs))
    with pytest.raises(TemplateError, match=re.escape(link)):
        book_pipeline.render_chapter(ws, pc, cache=cache)
    assert [p.name for p in cache.dir.glob(f"checked-{pc.docx_name}-*.ok")] == [good.name]
    forged = cache.dir / entry_name()
    forged.write_bytes(good.read_bytes())
    forged.with_name(forged.name + ".tag").write_bytes(good.with_name(good.name + ".tag").read_bytes())
    with pytest.raises(TemplateError, match=re.escape(link)):
        book_pipeline.render_chapter(ws, pc, cache=cache)
    assert seen == []

"""What a rendered .docx is checked for: external_links() with the template it was rendered from reads again only
the parts rendering changed (and a part whose relationships changed), so the template itself must be clean —
bidkit's own templates are, and a workspace's template is refused by check_docx before it renders."""

from __future__ import annotations

import io
import zipfile

import pytest

from bidkit.adapters.render.docx import external_links
from bidkit.store.resources import templates_dir

R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
BUNDLED = sorted(templates_dir().rglob("*.docx"))


def package(parts: dict[str, str]) -> zipfile.ZipFile:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, text in parts.items():
            zf.writestr(name, text)
    return zipfile.ZipFile(io.BytesIO(buf.getvalue()))


def document(body: str) -> str:
    return f'<w:document xmlns:w="{W}" xmlns:r="{R}"><w:body>{body}</w:body></w:document>'


def rels(*items: str) -> str:
    return ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(items) + "</Relationships>")


LINK = f'<Relationship Id="rId9" Type="{R}/hyperlink" Target="http://example.invalid/x.png" TargetMode="External"/>'
PICTURE = '<w:p><w:r><w:pict><v:imagedata xmlns:v="urn:v" r:id="rId9"/></w:pict></w:r></w:p>'
FIELD = '<w:p><w:r><w:instrText>INCLUDETEXT "http://example.invalid/t.docx"</w:instrText></w:r></w:p>'
TEMPLATE = {
    "word/document.xml": document("<w:p><w:r><w:t>{{ total }}</w:t></w:r></w:p>"),
    "word/header1.xml": document(PICTURE),  # (a header would not be a w:document; the checks do not mind)
    "word/_rels/document.xml.rels": rels(),
    "word/_rels/header1.xml.rels": rels(),
    "word/styles.xml": f'<w:styles xmlns:w="{W}"/>',
}


@pytest.mark.parametrize("path", BUNDLED, ids=[p.name for p in BUNDLED])
def test_every_bundled_template_is_clean(path: object) -> None:
    with zipfile.ZipFile(path) as zf:  # type: ignore[arg-type]
        assert external_links(zf) == []


def test_a_field_in_a_changed_part_is_found() -> None:
    template = package(TEMPLATE)
    rendered = package({**TEMPLATE, "word/document.xml": document(FIELD)})
    assert external_links(rendered, template) == ['word/document.xml: INCLUDETEXT field http://example.invalid/t.docx']


def test_a_part_whose_relationships_changed_is_read_again() -> None:
    """The header is byte for byte the template's, but its relationships now make rId9 an external picture."""
    template = package(TEMPLATE)
    rendered = package({**TEMPLATE, "word/_rels/header1.xml.rels": rels(LINK)})
    assert external_links(rendered, template) == [
        "word/header1.xml: imagedata linked to an external target (relationship rId9)"]
    assert external_links(rendered) == external_links(rendered, template)


def test_a_part_as_it_was_in_the_template_is_not_read_again() -> None:
    """The contract: ``checked`` is clean. A field left in the template itself is check_docx's to refuse."""
    dirty = {**TEMPLATE, "word/styles.xml": document(FIELD)}
    assert external_links(package(dirty)) == ["word/styles.xml: INCLUDETEXT field http://example.invalid/t.docx"]
    assert external_links(package(dirty), package(dirty)) == []


def test_a_part_new_in_the_rendered_package_is_read() -> None:
    template = package(TEMPLATE)
    rendered = package({**TEMPLATE, "word/footer1.xml": document(FIELD)})
    assert external_links(rendered, template) == ["word/footer1.xml: INCLUDETEXT field http://example.invalid/t.docx"]

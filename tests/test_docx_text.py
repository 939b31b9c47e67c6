"""The checks' reading of a .docx (``paragraph_text``, straight from the XML) gives what python-docx's
``Paragraph.text`` gives: on every .docx of the repository and on random runs of every kind of run content."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from docx import Document
from docx.oxml import parse_xml
from docx.text.paragraph import Paragraph
from hypothesis import given, settings
from hypothesis import strategies as st

from bidkit.adapters.render.text import paragraph_text

ROOT = Path(__file__).resolve().parent.parent
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
DOCX = sorted(p for d in ("samples", "templates", "tests") for p in (ROOT / d).rglob("*.docx"))


def test_there_are_documents_to_read() -> None:
    assert len(DOCX) >= 20


@pytest.mark.parametrize("path", DOCX, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_paragraph_of_the_repositorys_documents(path: Path) -> None:
    doc = Document(str(path))
    parts = [doc.element, *(s.header._element for s in doc.sections), *(s.footer._element for s in doc.sections)]
    paragraphs = [p for part in parts for p in part.iter(f"{{{W}}}p")]
    assert paragraphs
    for p in paragraphs:
        assert paragraph_text(p) == Paragraph(p, None).text  # type: ignore[arg-type]


RUN_CONTENT = st.sampled_from([
    "<w:t>投标</w:t>", '<w:t xml:space="preserve"> 总价 </w:t>', "<w:t/>", "<w:tab/>", "<w:ptab w:relativeTo=\"margin\""
    " w:alignment=\"right\" w:leader=\"none\"/>", "<w:br/>", '<w:br w:type="page"/>', '<w:br w:type="column"/>',
    '<w:br w:type="textWrapping"/>', "<w:cr/>", "<w:noBreakHyphen/>", "<w:softHyphen/>", "<w:rPr><w:b/></w:rPr>",
    '<w:fldChar w:fldCharType="begin"/>', "<w:instrText>PAGE</w:instrText>",
    '<w:sym w:font="Wingdings" w:char="F0FC"/>', "<w:lastRenderedPageBreak/>",
])
RUN = st.lists(RUN_CONTENT, max_size=6).map(lambda c: "<w:r>" + "".join(c) + "</w:r>")
CHILD = st.one_of(RUN, st.lists(RUN, max_size=3).map(lambda rs: '<w:hyperlink r:id="rId9">' + "".join(rs)
                                                      + "</w:hyperlink>"),
                  st.just("<w:pPr><w:jc w:val=\"center\"/></w:pPr>"), st.just('<w:bookmarkStart w:id="1" w:name="x"/>'),
                  st.just("<w:ins><w:r><w:t>插入</w:t></w:r></w:ins>"),
                  st.just("<w:smartTag><w:r><w:t>标记</w:t></w:r></w:smartTag>"))


@settings(max_examples=300, deadline=None)
@given(st.lists(CHILD, max_size=8))
def test_random_paragraphs(children: list[str]) -> None:
    p = parse_xml(f'<w:p xmlns:w="{W}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
                  f'relationships">{"".join(children)}</w:p>')
    assert paragraph_text(p) == Paragraph(copy.deepcopy(p), None).text  # type: ignore[arg-type]

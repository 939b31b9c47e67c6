"""Chinese typography of generated text (pure): quotation marks and sentence ends.

Data typed on a Latin keyboard carries straight quotes (``江临市公安局"雪亮工程"项目``); Chinese text uses “ ” (and
‘ ’ inside them). Every string a template or a generated page prints goes through :func:`cn_quotes`; the checks
compare text with :func:`plain_quotes`, so a name matches whichever marks it is printed with.
"""

from __future__ import annotations

import re
import unicodedata

_STRAIGHT = '"'
_INCH = re.compile(r'(?<=[0-9.])"')  # 1/1.8" is an inch mark, not a quote
_PLAIN = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'"})
SENTENCE_ENDS = "。！？；：…”’）」』》.!?;:"


def _has_cjk(text: str) -> bool:
    return any(unicodedata.east_asian_width(c) == "W" and c.isalpha() for c in text)


def cn_quotes(text: str) -> str:
    """Straight double quotes in Chinese text become “ ”, in pairs (an inch mark after a digit stays); a text
    without Chinese, or with an odd number of them, is left as it is."""
    if _STRAIGHT not in text or not _has_cjk(text):
        return text
    marks = [m.start() for m in re.finditer(_STRAIGHT, text) if not _INCH.match(text, m.start())]
    if not marks or len(marks) % 2:
        return text
    chars = list(text)
    for n, at in enumerate(marks):
        chars[at] = "“" if n % 2 == 0 else "”"
    return "".join(chars)


def plain_quotes(text: str) -> str:
    """Curly quotes as straight ones, for comparing texts whichever marks they are printed with."""
    return text.translate(_PLAIN)


def sentence(text: str) -> str:
    """A list item or promise as a sentence: it ends with 。 unless it ends with a mark of its own."""
    stripped = text.rstrip()
    if not stripped or stripped[-1] in SENTENCE_ENDS:
        return stripped
    return stripped.rstrip("，,、") + "。"

"""Before the price: the internal 成本与报价分析 (cost and price analysis), rendered in memory.

It is written only for the sales rep, as the price is: to stdout (``bidkit cost DIR``, the document's text), or
as a PDF encrypted with AES-256 under a one-time password shown once on stdout (``--pdf``). Its .docx and the
plain PDF exist only in memory and in LibreOffice's private work folder, which is removed when the conversion
ends (also on Ctrl-C); nothing lands in the conversion cache. The bid prices enter only through the open price
lock and the passphrase (:func:`bidkit.store.lock.with_prices`); without them it shows cost, budget and control
price only. Never part of a package: it is not in :data:`bidkit.core.context.DOCUMENTS`.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from bidkit.adapters import libreoffice
from bidkit.adapters.pdf import encrypt
from bidkit.adapters.render.docx import render_bytes
from bidkit.adapters.render.text import docx_text
from bidkit.adapters.sealed import SealedCache
from bidkit.core import context as ctx_mod
from bidkit.core import review
from bidkit.core.errors import InputError
from bidkit.store import audit, crypto, keys, lock
from bidkit.store.files import atomic_write
from bidkit.store.templates import find_template
from bidkit.store.workspace import Workspace

NAME = ctx_mod.COST_ANALYSIS.name
PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or typed from a screen


def with_prices(ws: Workspace, prices: bool | None) -> tuple[Workspace, str | None]:
    """The workspace for the analysis, and a note when the prices are left out.

    ``prices=None``: the prices come in when the lock is open and ``$BIDKIT_PRICE_PASSPHRASE`` is set (never a
    prompt); ``True``: through the gate (closed lock: refused) and the passphrase (asked when not set);
    ``False``: never."""
    if prices is False:
        return ws, "bid prices left out (--no-prices)"
    if prices:
        return lock.with_prices(ws, crypto.passphrase()), None
    try:
        st = lock.status(ws)
    except InputError as exc:
        return ws, f"bid prices left out: {exc.message}"
    if not st.state.open:
        return ws, f"bid prices left out: {review.lock_message(st.state)}"
    if not (ws.root / lock.PRICES).exists():
        return ws, f"bid prices left out: {st.prices}"
    if not os.environ.get(crypto.ENV):
        return ws, f"bid prices left out: set {crypto.ENV} or give --prices to include them"
    return lock.with_prices(ws, crypto.passphrase()), None


def render(ws: Workspace) -> bytes:
    """The .docx of the analysis, in memory."""
    try:
        context = ctx_mod.node("", ctx_mod.COST_ANALYSIS.build(ws.data))
    except LookupError as exc:
        raise InputError(f"{NAME}: {exc.args[0]}") from None
    return render_bytes(find_template(ws, NAME), context)


def text(ws: Workspace) -> str:
    """The analysis as text (headers, paragraphs, table rows ``a | b``), for stdout."""
    return docx_text(render(ws))


def one_time_password() -> str:
    """20 random characters in groups of five (100 bits): shown once, stored nowhere."""
    chars = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(20))
    return "-".join(chars[i:i + 5] for i in range(0, 20, 5))


@dataclass(frozen=True)
class Written:
    path: Path
    password: str
    prices: bool


def write_pdf(ws: Workspace) -> Written:
    """Convert the analysis in LibreOffice's private work folder (never cached), encrypt it in memory under a new
    one-time password, and write only the encrypted PDF into build/pdf/."""
    blob = render(ws)
    password = one_time_password()
    with libreoffice.LibreOffice(SealedCache(ws.build_dir / "cache" / "pdf", keys.cache_secret())) as office:
        converted = office.convert([libreoffice.Job(NAME, blob, cache=False)])[NAME]
        sealed = encrypt.encrypt(converted.pdf.read_bytes(), password)
    target = ws.build_dir / "pdf" / f"{NAME}.pdf"
    atomic_write(target, sealed)
    prices = ws.data.pricing is not None
    audit.append(ws.root, f"render.{NAME}", {"file": str(target.relative_to(ws.root)), "prices": prices,
                                             "sha256": review.sha256(sealed), "encrypted": "AES-256"})
    return Written(target, password, prices)

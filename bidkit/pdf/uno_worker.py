"""Drive one running LibreOffice through its UNO API: load each .docx hidden, export it as PDF, close it.

This file runs under a Python that has LibreOffice's UNO bridge (Debian's ``python3-uno`` for the system
``/usr/bin/python3``), not under bidkit's own interpreter, so it imports nothing from bidkit. bidkit starts it
beside a ``soffice --accept=pipe,...`` and talks to it in JSON lines:

- it prints ``{"ready": true}`` once connected, or ``{"fatal": "..."}`` and exits (``"no-uno"``: this Python
  has no UNO bridge; the caller then converts with ``soffice --convert-to``);
- for each input line ``{"src": "/abs/in.docx", "out": "/abs/out.pdf"}`` it prints ``{"ok": true, "pages": N}``
  or ``{"ok": false, "error": "..."}``; end of input ends it.

    python3 uno_worker.py PIPE_NAME CONNECT_TIMEOUT_SECONDS OFFICE_PGID [LABEL]

OFFICE_PGID: the process group of the LibreOffice this helper serves for one run (0 for a shared instance):
when bidkit goes away without stopping it (killed, say), the helper ends that LibreOffice too, so a listening
instance never outlives its run. LABEL is only there so the process is recognisable in ``ps``.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time


def _say(obj: dict[str, object]) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _orphaned(office: int) -> None:
    """bidkit is gone (its end of the pipe closed, or it is no longer the parent): end the LibreOffice it
    started for this run, then this helper. (On end of input the parent may not have been reaped yet, so the
    input's end is the signal, not the parent's pid.)"""
    if office > 0:
        try:
            os.killpg(office, signal.SIGKILL)
        except OSError:
            pass
    sys.exit(0)


def main(argv: list[str]) -> int:
    if len(argv) < 4:
        _say({"fatal": "usage: uno_worker.py PIPE CONNECT_TIMEOUT OFFICE_PGID [LABEL]"})
        return 2
    pipe, limit, office = argv[1], float(argv[2]), int(argv[3])
    parent = os.getppid()
    try:
        import uno
        from com.sun.star.beans import PropertyValue
        from com.sun.star.connection import NoConnectException
    except ImportError:
        _say({"fatal": "no-uno"})
        return 3

    def prop(name: str, value: object) -> object:
        p = PropertyValue()
        p.Name = name
        p.Value = value
        return p

    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + limit
    while True:
        try:
            ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            break
        except NoConnectException:
            if os.getppid() != parent:
                _orphaned(office)
            if time.monotonic() > deadline:
                _say({"fatal": f"no LibreOffice on pipe {pipe} after {limit:g} s"})
                return 4
            time.sleep(0.02)
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    _say({"ready": True})

    load_props = (
        prop("Hidden", True), prop("ReadOnly", True),
        prop("MacroExecutionMode", 0),  # NEVER_EXECUTE
        prop("UpdateDocMode", 0),  # NO_UPDATE: no links fetched
    )
    store_props = (prop("FilterName", "writer_pdf_Export"), prop("Overwrite", True))
    for line in sys.stdin:
        if not line.strip():
            continue
        job = json.loads(line)
        doc = None
        try:
            doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(job["src"]), "_blank", 0, load_props)
            if doc is None:
                _say({"ok": False, "error": "source file could not be loaded"})
                continue
            pages = 0
            try:
                pages = int(doc.getCurrentController().getPropertyValue("PageCount"))
            except Exception:  # only informative
                pages = 0
            doc.storeToURL(uno.systemPathToFileUrl(job["out"]), store_props)
            _say({"ok": True, "pages": pages})
        except Exception as exc:  # every UNO failure is reported to the caller as text
            message = getattr(exc, "Message", "") or str(exc) or type(exc).__name__
            _say({"ok": False, "error": message.strip().splitlines()[0][:300] if message.strip() else
                  type(exc).__name__})
        finally:
            if doc is not None:
                try:
                    doc.close(True)
                except Exception:  # a document that will not close dies with the instance
                    pass
    _orphaned(office)  # input ended: bidkit is gone (or stops everything anyway)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

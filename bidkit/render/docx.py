"""Render a document's docxtpl template in a Jinja sandbox, with autoescaping and no silent blanks."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import multiprocessing
import os
import resource
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from .. import context as ctx_mod
from ..errors import InputError, TemplateError
from ..memo import Bounded
from ..resources import templates_dir
from ..workspace import Workspace, resolve_inside

MAX_TEMPLATE_BYTES = 20 * 1024 * 1024  # compressed
MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # a zip bomb stops here
MAX_MEMBERS = 2000
MAX_OUTPUT_BYTES = 50 * 1024 * 1024  # a template that renders more than this is refused
DEFAULT_TIMEOUT = 60.0  # seconds for one workspace template; bundled ones take well under one
CHILD_MEMORY_BYTES = 2 * 1024 * 1024 * 1024
MAX_RENDERED_CHARS = 50_000_000  # the XML of one part; the sample's largest is about 0.5 million


@dataclass(frozen=True)
class TemplateSource:
    name: str  # document name
    path: Path
    display: str  # for messages: workspace-relative or "bundled:…"
    bundled: bool


def find_template(ws: Workspace, name: str) -> TemplateSource:
    """The workspace's own template for ``name`` if it has one, else the bundled one."""
    override = ws.data.config.templates.get(name)
    if override:
        return TemplateSource(name, resolve_inside(ws.root, override, what="template"), override, False)
    local = ws.root / "templates" / f"{name}.docx"
    if local.exists():
        rel = f"templates/{name}.docx"
        return TemplateSource(name, resolve_inside(ws.root, rel, what="template"), rel, False)
    bundled = templates_dir() / f"{name}.docx"
    if not bundled.exists():
        raise InputError(f"{name}: no template (bundled templates missing at {templates_dir()})")
    return TemplateSource(name, bundled, f"bundled:{name}.docx", True)


class _PathUndefined(jinja2.StrictUndefined):
    """StrictUndefined whose message names the full dotted path, e.g. ``company.fax_number``."""

    def _path(self) -> str:
        obj = self._undefined_obj
        base = getattr(obj, "path", None)
        name = self._undefined_name
        if base is not None and name is not None:
            return f"{base}.{name}" if base else str(name)
        return str(name) if name is not None else (self._undefined_hint or "?")

    @property
    def _undefined_message(self) -> str:
        if self._undefined_hint:  # the sandbox explains what it refused
            return self._undefined_hint
        return f"undefined variable '{self._path()}'"


class _Env(ImmutableSandboxedEnvironment):
    """Context keys win over dict methods, so ``notice.items`` is the data, not ``dict.items``."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, dict) and attribute in obj:
            return obj[attribute]
        if isinstance(obj, jinja2.Undefined) and obj._undefined_exception is SecurityError:
            return obj  # keep reporting the first refused access, not a follow-up on the placeholder
        return super().getattr(obj, attribute)


class _TooLarge(Exception):
    pass


def _bounded_concat(parts: Any) -> str:
    """Join rendered output, stopping a runaway loop as soon as the output passes the bound."""
    out = []
    total = 0
    for part in parts:
        total += len(part)
        if total > MAX_RENDERED_CHARS:
            raise _TooLarge
        out.append(part)
    return "".join(out)


def make_env(undefined: type[jinja2.Undefined] | None = None) -> jinja2.Environment:
    env = _Env(autoescape=True, undefined=undefined or _PathUndefined, keep_trailing_newline=True)
    env.concat = _bounded_concat  # type: ignore[method-assign]
    return env


def _check_zip(source: TemplateSource, blob: bytes) -> None:
    if len(blob) > MAX_TEMPLATE_BYTES:
        raise TemplateError(f"{source.display}: template too large ({len(blob) // 1024 // 1024} MB)")
    if not zipfile.is_zipfile(io.BytesIO(blob)):
        raise TemplateError(f"{source.display}: not a .docx file (not a zip archive)")
    try:
        with zipfile.ZipFile(io.BytesIO(blob)) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_MEMBERS:
                raise TemplateError(f"{source.display}: .docx has too many parts ({len(infos)})")
            unpacked = sum(i.file_size for i in infos)
            if unpacked > MAX_UNPACKED_BYTES:
                raise TemplateError(f"{source.display}: .docx unpacks to {unpacked // 1024 // 1024} MB (zip bomb?)")
            if "word/document.xml" not in zf.namelist():
                raise TemplateError(f"{source.display}: not a Word document (no word/document.xml)")
    except zipfile.BadZipFile as exc:
        raise TemplateError(f"{source.display}: broken .docx ({exc})") from None


@dataclass(frozen=True)
class Image:
    """A PNG in a context; it becomes a docxtpl ``InlineImage`` once the template object exists."""

    png: bytes
    width_cm: float


def _place_images(tpl: Any, value: Any) -> None:
    from docx.shared import Cm
    from docxtpl import InlineImage

    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in list(items):
        if isinstance(item, Image):
            value[key] = InlineImage(tpl, io.BytesIO(item.png), width=Cm(item.width_cm))
        elif isinstance(item, dict | list):
            _place_images(tpl, item)


def _render_in_process(source: TemplateSource, blob: bytes, context: dict[str, Any]) -> bytes:
    from docxtpl import DocxTemplate

    try:
        tpl = DocxTemplate(io.BytesIO(blob))
        _place_images(tpl, context)
        tpl.render(context, jinja_env=make_env(), autoescape=True)
        out = io.BytesIO()
        tpl.save(out)
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"{source.display}: {exc.message}") from None
    except SecurityError as exc:
        raise TemplateError(f"{source.display}: unsafe template expression refused ({exc})") from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"{source.display}: template syntax error: {exc.message}") from None
    except _TooLarge:
        raise TemplateError(
            f"{source.display}: rendered document too large (over {MAX_RENDERED_CHARS // 1_000_000} million characters)"
        ) from None
    except MemoryError:
        raise TemplateError(f"{source.display}: template needs too much memory (a runaway loop?)") from None
    except Exception as exc:  # the message could quote data (prices): name the kind of failure only
        raise TemplateError(f"{source.display}: template failed to render ({type(exc).__name__})") from None
    data = out.getvalue()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        unpacked = sum(i.file_size for i in zf.infolist())
    if len(data) > MAX_OUTPUT_BYTES or unpacked > MAX_UNPACKED_BYTES:
        raise TemplateError(f"{source.display}: rendered document too large (over {MAX_UNPACKED_BYTES >> 20} MB)")
    return data


def _child(conn: Any, source: TemplateSource, blob: bytes, context: dict[str, Any]) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY_BYTES, CHILD_MEMORY_BYTES))
    try:
        conn.send(("ok", _render_in_process(source, blob, context)))
    except TemplateError as exc:
        conn.send(("error", exc.message))
    except BaseException as exc:  # pragma: no cover - last resort, message withheld
        conn.send(("error", f"{source.display}: template failed to render ({type(exc).__name__})"))
    finally:
        conn.close()


def _render_guarded(source: TemplateSource, blob: bytes, context: dict[str, Any]) -> bytes:
    """Render a workspace template in a forked child with a time and memory bound."""
    timeout = float(os.environ.get("BIDKIT_TEMPLATE_TIMEOUT", DEFAULT_TIMEOUT))
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, source, blob, context), daemon=True)
    proc.start()
    child.close()
    try:
        if not parent.poll(timeout):
            raise TemplateError(
                f"{source.display}: rendering took longer than {timeout:g} s (an endless or huge loop?)"
            )
        try:
            status, payload = parent.recv()
        except EOFError:
            raise TemplateError(f"{source.display}: template rendering crashed (out of memory?)") from None
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(5)
        parent.close()
    if status != "ok":
        raise TemplateError(payload)
    return bytes(payload)


def render_bytes(source: TemplateSource, context: dict[str, Any]) -> bytes:
    """Render ``source`` with ``context``; return the .docx bytes.

    Bundled templates render in-process; a workspace's own template (it may come from a tender or a colleague)
    renders in a forked child bounded in time and memory, so a runaway loop cannot hang or exhaust bidkit.
    """
    blob = source.path.read_bytes()
    _check_zip(source, blob)
    key = _render_key(blob, context)
    cached = _rendered.get(key) if key is not None else None
    if cached is not None:
        return cached
    data = _render_in_process(source, blob, context) if source.bundled else _render_guarded(source, blob, context)
    if key is not None:
        _rendered.put(key, data)
    return data


_rendered = Bounded(8)  # a process that renders again (the warm bidkit) renders a document once


def _render_key(blob: bytes, context: dict[str, Any]) -> str | None:
    """A digest of the template and every value of the context, or None for a value it cannot spell out."""
    h = hashlib.sha256(blob)

    def feed(value: Any) -> bool:
        if isinstance(value, dict):
            h.update(b"{")
            for k in sorted(value, key=str):
                h.update(f"{k!s}\0".encode())
                if not feed(value[k]):
                    return False
            h.update(b"}")
        elif isinstance(value, list | tuple):
            h.update(b"[")
            if not all(feed(v) for v in value):
                return False
            h.update(b"]")
        elif isinstance(value, Image):
            h.update(b"I" + hashlib.sha256(value.png).digest() + repr(value.width_cm).encode())
        elif value is None or isinstance(value, str | int | float | Decimal | dt.date | Enum):
            h.update(f"{type(value).__name__}:{value!s}\0".encode())
        else:
            return False
        return True

    return h.hexdigest() if feed(context) else None


def render_document(ws: Workspace, name: str) -> bytes:
    spec = ctx_mod.DOCUMENTS.get(name)
    if spec is None:
        raise InputError(f"{name}: unknown document (one of {', '.join(ctx_mod.DOCUMENTS)})")
    try:
        context = ctx_mod.build(name, ws.data)
    except LookupError as exc:
        raise InputError(f"{name}: {exc.args[0]}") from None
    return render_bytes(find_template(ws, name), context)


def missing_variables(source: TemplateSource, context: dict[str, Any]) -> list[str]:
    """Dotted names ``source`` uses that ``context`` does not provide (rendering leniently once)."""
    from docxtpl import DocxTemplate

    found: set[str] = set()

    class Recorder(jinja2.Undefined):
        def __init__(self, hint: str | None = None, obj: Any = jinja2.utils.missing, name: str | None = None,
                     exc: type[jinja2.exceptions.TemplateRuntimeError] = jinja2.UndefinedError) -> None:
            super().__init__(hint, obj, name, exc)
            base: str | None = getattr(obj, "path", None)
            if isinstance(obj, Recorder):
                base = obj.full
            self.full: str = f"{base}.{name}" if base else str(name)
            found.add(self.full)

        def __getattr__(self, name: str) -> Any:
            if name.startswith("__"):
                raise AttributeError(name)
            return Recorder(obj=self, name=name)

    blob = source.path.read_bytes()
    _check_zip(source, blob)
    env = make_env(Recorder)
    try:
        tpl = DocxTemplate(io.BytesIO(blob))
        tpl.render(context, jinja_env=env, autoescape=True)
    except SecurityError as exc:
        raise TemplateError(f"{source.display}: unsafe template expression refused ({exc})") from None
    except jinja2.TemplateError as exc:
        raise TemplateError(f"{source.display}: template error: {exc}") from None
    minimal = sorted(n for n in found if not any(n.startswith(o + ".") for o in found if o != n))
    return minimal

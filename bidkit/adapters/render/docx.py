"""Render a document's docxtpl template in a Jinja sandbox, with autoescaping and no silent blanks."""

from __future__ import annotations

import html
import io
import multiprocessing
import os
import re
import resource
import zipfile
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from lxml import etree

from bidkit.adapters.render.layout import lay_out
from bidkit.core.errors import InputError, TemplateError
from bidkit.core.templates import Image, TemplateSource

MAX_TEMPLATE_BYTES = 20 * 1024 * 1024  # compressed
MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # a zip bomb stops here
MAX_MEMBERS = 2000
MAX_OUTPUT_BYTES = 50 * 1024 * 1024  # a template that renders more than this is refused
DEFAULT_TIMEOUT = 60.0  # seconds for one workspace template; bundled ones take well under one
CHILD_MEMORY_BYTES = 2 * 1024 * 1024 * 1024
MAX_RENDERED_CHARS = 50_000_000  # the XML of one part; the sample's largest is about 0.5 million


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
    """Context keys win over dict methods, so ``notice.items`` is the data, not ``dict.items``. A template's
    text compiles once per process: every ``_Env`` has the same settings, so its code serves them all."""

    _compiled: dict[str, Any] = {}  # template text → its code (the template, never the data rendered into it)

    def compile(
        self, source: Any, name: str | None = None, filename: str | None = None, raw: bool = False,
        defer_init: bool = False,
    ) -> Any:
        if not isinstance(source, str) or name is not None or filename is not None or raw or defer_init:
            return super().compile(source, name, filename, raw, defer_init)  # type: ignore[call-overload]
        code = self._compiled.get(source)
        if code is None:
            code = super().compile(source)
            if len(self._compiled) >= 256:
                self._compiled.clear()
            self._compiled[source] = code
        return code

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


MAX_CHAPTER_BYTES = 300 * 1024 * 1024  # a 技术方案 of 800 pages with its diagrams and photos
MAX_CHAPTER_UNPACKED = 1024 * 1024 * 1024


def check_docx(source: TemplateSource, blob: bytes, *, chapter: bool = False) -> None:
    """Refuse what is not a readable .docx, or is too large (a chapter file may be far larger than a template)."""
    limit = MAX_CHAPTER_BYTES if chapter else MAX_TEMPLATE_BYTES
    unpack_limit = MAX_CHAPTER_UNPACKED if chapter else MAX_UNPACKED_BYTES
    if len(blob) > limit:
        what = "file" if chapter else "template"
        raise TemplateError(f"{source.display}: {what} too large ({len(blob) >> 20} MB; the limit is {limit >> 20} MB)")
    if not zipfile.is_zipfile(io.BytesIO(blob)):
        raise TemplateError(f"{source.display}: not a .docx file (not a zip archive)")
    try:
        with zipfile.ZipFile(io.BytesIO(blob)) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_MEMBERS:
                raise TemplateError(f"{source.display}: .docx has too many parts ({len(infos)})")
            unpacked = sum(i.file_size for i in infos)
            if unpacked > unpack_limit:
                raise TemplateError(f"{source.display}: .docx unpacks to {unpacked // 1024 // 1024} MB (zip bomb?)")
            if "word/document.xml" not in zf.namelist():
                raise TemplateError(f"{source.display}: not a Word document (no word/document.xml)")
            links = external_links(zf)
    except zipfile.BadZipFile as exc:
        raise TemplateError(f"{source.display}: broken .docx ({exc})") from None
    except _BrokenPart as exc:
        raise TemplateError(f"{source.display}: {exc}") from None
    _refuse_links(source, links)


def _refuse_links(source: TemplateSource, links: list[str], rendered: bool = False) -> None:
    if links:
        more = f" and {len(links) - 1} more" if len(links) > 1 else ""
        how = "renders content from outside itself" if rendered else "refers to content outside itself"
        raise TemplateError(f"{source.display}: {how}, which LibreOffice would fetch ({links[0]}{more}); "
                            "embed it instead — nothing was fetched")


_FIELD = re.compile(r"\b(INCLUDETEXT|INCLUDEPICTURE|INCLUDE|LINK|DDEAUTO|DDE|IMPORT)\b\s*(\S+)?", re.I)
_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*:|//|\\\\)")  # http:, file:, //host, \\host
_R_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_HYPERLINK_USES = ("hyperlink", "hlinkClick", "hlinkHover", "hlinkMouseOver")  # w:hyperlink, a:hlinkClick …
MAX_XML_PART = 512 * 1024 * 1024


_FIELD_ELEMENTS = etree.XPath("//*[local-name()='instrText' or local-name()='fldSimple']")
_R_ATTRIBUTES = etree.XPath(f"//@*[namespace-uri()='{_R_NS.strip('{}')}']")


class _BrokenPart(Exception):
    pass


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _source_part(rels_name: str) -> str:
    """``word/_rels/document.xml.rels`` → ``word/document.xml`` (``_rels/.rels`` → the package itself)."""
    folder, _, base = rels_name.rpartition("_rels/")
    return folder + base.removesuffix(".rels")


def _xml_parts(zf: zipfile.ZipFile, skip: Collection[str] = ()) -> list[tuple[str, Any]]:
    """Every part that is XML, whatever its name (a content type can make any name the main document), parsed
    without entities, DTDs or network; less the parts named in ``skip``."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)
    parts = []
    for info in zf.infolist():
        if info.is_dir() or info.file_size > MAX_XML_PART or info.filename in skip:
            continue
        with zf.open(info) as fh:
            head = fh.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
        if not head.startswith(b"<"):
            continue  # a picture, a font, an embedded object's bytes
        try:
            parts.append((info.filename, etree.fromstring(zf.read(info), parser)))
        except etree.XMLSyntaxError:
            if info.filename.endswith((".xml", ".rels")):
                raise _BrokenPart(f"broken XML part {info.filename}") from None
    return parts


def external_links(zf: zipfile.ZipFile, checked: zipfile.ZipFile | None = None) -> list[str]:
    """What a .docx would make a converter fetch: external relationships other than hyperlinks (linked pictures,
    an attached template, sub-documents, external altChunks, linked OLE objects, frames), a hyperlink relationship
    used as a picture or object, and INCLUDETEXT / INCLUDEPICTURE / LINK / DDE / IMPORT fields; each as
    ``part: what target``. Read with an XML parser (quotes, entities and prefixes as LibreOffice reads them).

    ``checked``: a package this one was made from and in which nothing was found (a template, for its rendered
    .docx): a part byte for byte as it is there, with its relationships as they are there, is not read again
    (rendering changes the document, its headers and footers; styles, numbering, theme and settings stay)."""
    found = []
    parts = _xml_parts(zf, _unchanged(zf, checked) if checked is not None else ())
    hyperlinks: dict[str, set[str]] = {}  # source part → ids of its external hyperlink relationships
    for name, root in parts:
        if not name.endswith(".rels"):
            continue
        for rel in root.iter():
            if _local(rel.tag) != "Relationship":
                continue
            kind = (rel.get("Type") or "").strip().rsplit("/", 1)[-1]
            target = (rel.get("Target") or "").strip()
            external = (rel.get("TargetMode") or "").strip().lower() == "external" or bool(_SCHEME.match(target))
            if not external:
                continue
            if kind == "hyperlink":
                hyperlinks.setdefault(_source_part(name), set()).add((rel.get("Id") or "").strip())
            else:
                found.append(f"{_source_part(name) or name}: {kind or 'relationship'} {target}")
    for name, root in parts:
        if name.endswith(".rels"):
            continue
        instr = []
        for el in _FIELD_ELEMENTS(root):  # (XPath, evaluated in C: a 300-page chapter has millions of elements)
            tag = _local(el.tag)
            if tag == "instrText":
                if el.text:
                    instr.append(el.text)
            else:  # fldSimple
                instr.append(" " + next((v for k, v in el.attrib.items() if _local(k) == "instr"), "") + " ")
        links = hyperlinks.get(name, set())
        if links:
            for value in _R_ATTRIBUTES(root):
                tag = _local(value.getparent().tag)
                if tag not in _HYPERLINK_USES and value.strip() in links:
                    found.append(f"{name}: {tag} linked to an external target (relationship {value.strip()})")
        for m in _FIELD.finditer("".join(instr)):
            found.append(f"{name}: {m.group(1).upper()} field {(m.group(2) or '').strip(chr(34))}".rstrip())
    return found


def _unchanged(zf: zipfile.ZipFile, checked: zipfile.ZipFile) -> set[str]:
    """The parts other than relationships that are in ``checked`` with the same bytes, and whose relationships
    are as they are there (both absent, or the same bytes)."""
    before = {i.filename: i for i in checked.infolist()}
    names = set(zf.namelist())

    def same(name: str) -> bool:
        info = before.get(name)
        if name not in names or info is None:
            return name not in names and info is None  # absent from both
        return info.file_size == zf.getinfo(name).file_size and checked.read(info) == zf.read(name)

    out = set()
    for name in names:
        if name.endswith((".rels", "/")):
            continue
        folder, _, base = name.rpartition("/")
        rels = f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"
        if name in before and same(name) and same(rels):
            out.add(name)
    return out


def _place_images(tpl: Any, value: Any) -> None:
    from docx.shared import Cm
    from docxtpl import InlineImage

    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in list(items):
        if isinstance(item, Image):
            height = Cm(item.height_cm) if item.height_cm is not None else None
            value[key] = InlineImage(tpl, io.BytesIO(item.data), width=Cm(item.width_cm), height=height)
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
    with zipfile.ZipFile(io.BytesIO(data)) as zf, zipfile.ZipFile(io.BytesIO(blob)) as template:
        unpacked = sum(i.file_size for i in zf.infolist())
        try:  # the data may have made a field of the template's text: the output is checked too (what rendering
            # left as it was in the template is not read again: check_docx found nothing in the template)
            links = external_links(zf, template)
        except _BrokenPart as exc:
            raise TemplateError(f"{source.display}: rendered a {exc}") from None
    _refuse_links(source, links, rendered=True)
    if len(data) > MAX_OUTPUT_BYTES or unpacked > MAX_UNPACKED_BYTES:
        raise TemplateError(f"{source.display}: rendered document too large (over {MAX_UNPACKED_BYTES >> 20} MB)")
    return data


def _child(conn: Any, source: TemplateSource, work: Callable[..., Any], args: tuple[Any, ...]) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY_BYTES, CHILD_MEMORY_BYTES))
    try:
        conn.send(("ok", work(*args)))
    except TemplateError as exc:
        conn.send(("error", exc.message))
    except BaseException as exc:  # pragma: no cover - last resort, message withheld
        conn.send(("error", f"{source.display}: template failed to render ({type(exc).__name__})"))
    finally:
        conn.close()


def _guarded(source: TemplateSource, work: Callable[..., Any], *args: Any) -> Any:
    """Run ``work(*args)`` on a workspace template in a forked child with a time and memory bound."""
    timeout = float(os.environ.get("BIDKIT_TEMPLATE_TIMEOUT", DEFAULT_TIMEOUT))
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, source, work, args), daemon=True)
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
    return payload


def _render_guarded(source: TemplateSource, blob: bytes, context: dict[str, Any]) -> bytes:
    return bytes(_guarded(source, _render_in_process, source, blob, context))


def render_bytes(source: TemplateSource, context: dict[str, Any], *, layout: bool = True) -> bytes:
    """Render ``source`` with ``context``; return the .docx bytes, laid out for print (tables fitted to their
    content, signature blocks kept with their text: :mod:`bidkit.adapters.render.layout`) unless ``layout`` is
    False (a bidder's own file filled as a template keeps the bidder's layout).

    Bundled templates render in-process; a workspace's own template (it may come from a tender or a colleague)
    renders in a forked child bounded in time and memory, so a runaway loop cannot hang or exhaust bidkit.
    """
    blob = source.path.read_bytes()
    if not source.bundled:  # (bidkit's own forms ship with its code; what it renders from them is checked below)
        check_docx(source, blob)
    out = _render_in_process(source, blob, context) if source.bundled else _render_guarded(source, blob, context)
    return lay_out(out) if layout else out


class _Recorder(jinja2.Undefined):
    """A lenient undefined that records the full dotted name of everything the template reaches for."""

    found: set[str] = set()  # replaced per run (each run in its own process or call)

    def __init__(self, hint: str | None = None, obj: Any = jinja2.utils.missing, name: str | None = None,
                 exc: type[jinja2.exceptions.TemplateRuntimeError] = jinja2.UndefinedError) -> None:
        super().__init__(hint, obj, name, exc)
        if isinstance(obj, _Recorder):  # (never getattr on it: that would record, and recurse, forever)
            base: str | None = obj.__dict__.get("full")
        else:
            path = getattr(obj, "path", None) if isinstance(obj, dict) else None
            base = path if isinstance(path, str) else None
        self.__dict__["full"] = f"{base}.{name}" if base else str(name)
        _Recorder.found.add(self.__dict__["full"])

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return _Recorder(obj=self, name=name)


def _missing_in_process(source: TemplateSource, blob: bytes, context: dict[str, Any]) -> list[str]:
    from docxtpl import DocxTemplate

    _Recorder.found = set()
    env = make_env(_Recorder)
    try:
        tpl = DocxTemplate(io.BytesIO(blob))
        tpl.render(context, jinja_env=env, autoescape=True)
    except SecurityError as exc:
        raise TemplateError(f"{source.display}: unsafe template expression refused ({exc})") from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"{source.display}: template syntax error: {exc.message}") from None
    except jinja2.TemplateError as exc:
        raise TemplateError(f"{source.display}: template error: {exc}") from None
    except _TooLarge:
        raise TemplateError(f"{source.display}: rendered document too large") from None
    except Exception as exc:  # never an internal error: name the kind of failure (its message could hold data)
        raise TemplateError(f"{source.display}: template failed to render ({type(exc).__name__})") from None
    found = _Recorder.found
    return sorted(n for n in found if not any(n.startswith(o + ".") for o in found if o != n))


def missing_variables(source: TemplateSource, context: dict[str, Any]) -> list[str]:
    """Dotted names ``source`` uses that ``context`` does not provide, all of them (rendering leniently once; a
    workspace's template in a bounded child process, as for rendering)."""
    blob = source.path.read_bytes()
    check_docx(source, blob)
    if source.bundled:
        return _missing_in_process(source, blob, context)
    return list(_guarded(source, _missing_in_process, source, blob, context))


_DOCX_TAG = re.compile(r"\{%\s*(?:tr|tc|p|r)\s|\{\{\s*(?:r|p)\s")


def template_names(path: Path, data: bytes | None = None) -> frozenset[str]:
    """Dotted names a .docx template refers to (``internal_cost.lines``, ``ln.unit_cost``), read from its Jinja
    AST: the XML parts' text with the tags taken out, as docxtpl joins runs before rendering. ``data``: the
    file's bytes, already read (``path`` then only names it)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data) if data is not None else path) as zf:
            xml = "".join(
                zf.read(n).decode("utf-8", errors="replace") for n in zf.namelist()
                if re.fullmatch(r"word/(document|header\d*|footer\d*|footnotes)\.xml", n)
            )
    except (zipfile.BadZipFile, OSError):
        raise TemplateError(f"{path.name}: not a .docx file") from None
    text = html.unescape(re.sub(r"<[^>]+>", "", xml))
    text = _DOCX_TAG.sub(lambda m: m.group(0)[:2] + " ", text)
    try:
        ast = jinja2.Environment().parse(text)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"{path.name}: template syntax error: {exc.message}") from None
    found: set[str] = set()

    def dotted(node: nodes.Node) -> str | None:
        if isinstance(node, nodes.Name):
            return node.name
        if isinstance(node, nodes.Getattr):
            base = dotted(node.node)
            return f"{base}.{node.attr}" if base else None
        if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            base = dotted(node.node)
            return f"{base}.{node.arg.value}" if base else None
        return None

    for node in ast.find_all((nodes.Name, nodes.Getattr, nodes.Getitem)):
        name = dotted(node)
        if name:
            found.add(name)
    return frozenset(found)


MAX_PICTURE_PIXELS = 40_000_000  # a 身份证 scan at 600 dpi is 2 million; a photo of a page 12 million


def check_picture(data: bytes, display: str) -> None:
    """Refuse what is not a PNG or JPEG picture, or one so large it would exhaust memory when decoded (read
    from its header, before any decoding)."""
    from PIL import Image as PILImage
    from PIL import UnidentifiedImageError

    try:
        with PILImage.open(io.BytesIO(data)) as im:
            kind, (w, h) = im.format, im.size
    except (UnidentifiedImageError, OSError, PILImage.DecompressionBombError):
        raise InputError(f"{display}: not a readable picture") from None
    if kind not in ("PNG", "JPEG"):
        raise InputError(f"{display}: a {kind} picture; save it as PNG or JPEG")
    if w * h > MAX_PICTURE_PIXELS:
        raise InputError(f"{display}: picture too large ({w} × {h} pixels; at most "
                         f"{MAX_PICTURE_PIXELS // 1_000_000} million)")

"""Strict YAML reading and writing that keeps line numbers and never makes money a float.

Pure with respect to the file system: it parses text it is given. Floats are read as ``Decimal`` from their
source text, so ``1.1`` is ``Decimal("1.1")``. Duplicate keys, anchors/aliases and tabs are refused.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from enum import Enum
from typing import Any

import yaml

from bidkit.core.errors import InputError
from bidkit.core.location import LineList, LineMap

MAX_YAML_BYTES = 5 * 1024 * 1024


class _StrictComposer(yaml.composer.Composer):
    """PyYAML's composer (in Python, over either parser's events) that refuses anchors and aliases."""

    def compose_node(self: Any, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.MarkedYAMLError(None, None, "anchors and aliases (*name) are not allowed", event.start_mark)
        event = self.peek_event()
        if getattr(event, "anchor", None) is not None:
            raise yaml.MarkedYAMLError(None, None, "anchors and aliases (&name) are not allowed", event.start_mark)
        return yaml.composer.Composer.compose_node(self, parent, index)


class _Loader(
    yaml.reader.Reader,
    yaml.scanner.Scanner,
    yaml.parser.Parser,
    _StrictComposer,
    yaml.constructor.SafeConstructor,
    yaml.resolver.Resolver,
):
    """The pure-Python loader: the reference for behaviour and for the wording of syntax errors."""

    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        _StrictComposer.__init__(self)
        yaml.constructor.SafeConstructor.__init__(self)
        yaml.resolver.Resolver.__init__(self)


_CParser: Any = getattr(getattr(yaml, "cyaml", None), "CParser", None) if yaml.__with_libyaml__ else None

if _CParser is not None:

    class _FastLoader(_StrictComposer, _CParser, yaml.constructor.SafeConstructor, yaml.resolver.Resolver):  # type: ignore[misc]
        """libyaml scans and parses (C, ~4x faster); composing, resolving and constructing stay the same Python
        code as ``_Loader``'s, so data, line numbers and refusals are the same. Its syntax errors are worded
        differently: ``parse`` then re-reads the text with ``_Loader`` for the message."""

        def __init__(self, stream: str) -> None:
            _CParser.__init__(self, stream)
            _StrictComposer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)

    _LOADERS: tuple[type, ...] = (_FastLoader, _Loader)
else:  # pragma: no cover - PyYAML built without libyaml
    _LOADERS = (_Loader,)


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineMap:
    result = LineMap()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    result.flow = bool(node.flow_style)
    for key_node, value_node in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            raise yaml.MarkedYAMLError(None, None, "merge keys (<<) are not allowed", key_node.start_mark)
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int):
            raise yaml.MarkedYAMLError(None, None, "keys must be plain text", key_node.start_mark)
        key = str(key)
        if key in result:
            raise yaml.MarkedYAMLError(
                None, None, f"duplicate key '{key}' (first on line {result.key_lines[key]})", key_node.start_mark
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_PLAIN_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)")
_PLAIN_FLOAT = re.compile(r"[-+]?([0-9]+)?\.[0-9]+([eE][-+]?[0-9]+)?|[-+]?[0-9]+[eE][-+]?[0-9]+|[-+]?[0-9]+\.")


def _construct_int(loader: _Loader, node: yaml.ScalarNode) -> int | str:
    """A whole number written plainly; YAML 1.1's other forms (``2:00`` = 120, ``0x10``, ``0o17``, ``1_000``) and
    a negative zero stay text, which the model refuses ("not a number") instead of reading a value nobody meant."""
    text = str(node.value)
    if not _PLAIN_INT.fullmatch(text) or (text.lstrip("+-") == "0" and text.startswith("-")):
        return text
    return int(text)


def _construct_float(loader: _Loader, node: yaml.ScalarNode) -> Decimal | str:
    """A decimal number read from its text (never a binary float); other forms stay text for the model to refuse."""
    text = str(node.value)
    if not _PLAIN_FLOAT.fullmatch(text) or (text.startswith("-") and Decimal(text) == 0):
        return text  # .inf, .nan, 1_000.5, 1:30.5, -0.0: the model says what is wrong with the field
    return Decimal(text)


def _construct_timestamp(loader: _Loader, node: yaml.ScalarNode) -> object:
    """A date or date-time; one that does not exist (2026-02-30) stays text, which the model then refuses with
    its line and field instead of the parser stopping the whole file."""
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):
        return str(node.value)


for _cls in _LOADERS:
    _cls.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)  # type: ignore[attr-defined]
    _cls.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)  # type: ignore[attr-defined]
    _cls.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)  # type: ignore[attr-defined]
    _cls.add_constructor("tag:yaml.org,2002:float", _construct_float)  # type: ignore[attr-defined]
    _cls.add_constructor("tag:yaml.org,2002:int", _construct_int)  # type: ignore[attr-defined]


def parse(text: str | bytes, name: str) -> Any:
    """Parse YAML ``text`` from the file ``name`` (used in messages only)."""
    if isinstance(text, bytes):
        if len(text) > MAX_YAML_BYTES:
            raise InputError(f"{name}: file too large ({len(text) // 1024 // 1024} MB; the limit is 5 MB)")
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError(f"{name}: not UTF-8 text (byte {exc.start}); save the file as UTF-8") from None
    if len(text) > MAX_YAML_BYTES:
        raise InputError(f"{name}: file too large (the limit is 5 MB)")
    text = text.removeprefix("\ufeff")
    try:
        return load(text, _LOADERS[0])
    except (yaml.YAMLError, RecursionError) as exc:
        fast_error: BaseException = exc
    if _LOADERS[0] is not _Loader and not isinstance(fast_error, RecursionError):
        try:  # the same text through the pure-Python parser: its result, or its wording, is what users get
            return load(text, _Loader)
        except (yaml.YAMLError, RecursionError) as exc:
            fast_error = exc
    raise _input_error(fast_error, name) from None


def load(text: str, loader: type) -> Any:
    """``text`` read by ``loader`` (``_Loader``, or the libyaml-backed one); PyYAML's errors pass through."""
    return yaml.load(text, Loader=loader)


def _input_error(exc: BaseException, name: str) -> InputError:
    if isinstance(exc, RecursionError):
        return InputError(f"{name}: YAML nested too deeply")
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark else ""
        problem = exc.problem or exc.context or "invalid YAML"
        if "'\\t'" in problem or "\t" in problem:
            problem = "tab character used for indentation (use spaces)"
        elif problem == "mapping values are not allowed here":
            problem += " (a value that holds ': ' must be put in quotes)"
        return InputError(f"{name}{line}: YAML syntax error: {problem}")
    return InputError(f"{name}: YAML syntax error: {exc}")


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


class _Dumper(yaml.SafeDumper):
    pass


def _represent_decimal(dumper: _Dumper, value: Decimal) -> Any:
    text = format(value, "f")
    tag = "tag:yaml.org,2002:float" if "." in text else "tag:yaml.org,2002:int"
    return dumper.represent_scalar(tag, text)


def _represent_str(dumper: _Dumper, value: str) -> Any:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_enum(dumper: _Dumper, value: Enum) -> Any:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value.value))


_Dumper.add_representer(Decimal, _represent_decimal)
_Dumper.add_multi_representer(Enum, _represent_enum)
_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(dt.date, yaml.representer.SafeRepresenter.represent_date)
_Dumper.add_representer(dt.datetime, yaml.representer.SafeRepresenter.represent_datetime)


def dump(data: Any) -> str:
    """YAML text for plain data (dicts, lists, str, Decimal, dates); keys keep their order."""
    return yaml.dump(_plain(data), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)

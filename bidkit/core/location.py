"""Where a problem is: one ``Location(file, line, path)`` type for every message that points into the workspace.

Parsed YAML keeps the line of each key and item (:class:`LineMap`, :class:`LineList`, filled by
:mod:`bidkit.store.yamlio`); :func:`line_of` finds the best line for a field path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PathPart = str | int
FieldPath = tuple[PathPart, ...]


class LineMap(dict[str, Any]):
    """A mapping that remembers the 1-based line of each key (``key_lines``) and of itself (``line``)."""

    line: int = 0
    key_lines: dict[str, int]
    flow: bool = False  # written as { key: value, ... } on one line


class LineList(list[Any]):
    line: int = 0
    item_lines: list[int]


def line_of(data: object, path: FieldPath) -> int | None:
    """The best line for ``path`` inside parsed ``data``: the deepest key or item that exists."""
    best: int | None = getattr(data, "line", None) or None
    node = data
    for part in path:
        if isinstance(node, LineMap) and isinstance(part, str) and part in node:
            best = node.key_lines.get(part, best)
            node = node[part]
        elif isinstance(node, LineList) and isinstance(part, int) and 0 <= part < len(node):
            best = node.item_lines[part]
            node = node[part]
        else:
            break
    return best


def dotted(path: FieldPath) -> str:
    return ".".join(str(p) for p in path)


@dataclass(frozen=True, order=True)
class Location:
    """A place in the workspace: ``file`` (workspace-relative), ``line`` (1-based, 0 when unknown), ``path``."""

    file: str
    line: int = 0
    path: FieldPath = ()

    def __str__(self) -> str:
        head = f"{self.file}:{self.line}" if self.line else self.file
        return f"{head} {dotted(self.path)}" if self.path else head

    def with_path(self, path: FieldPath) -> Location:
        return Location(self.file, self.line, path)

    @classmethod
    def of(cls, file: str, raw: object, path: FieldPath) -> Location:
        """The location of ``path`` in the parsed file ``raw`` (the deepest line that exists)."""
        return cls(file, line_of(raw, path) or 0, path)


@dataclass(frozen=True)
class Problem:
    """One problem of the workspace's data: printed as ``file:line field.path: message``."""

    location: Location
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"

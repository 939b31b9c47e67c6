"""Which template a document is rendered from (a value: where it is and how to name it in messages)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class TemplateSource:
    name: str  # document name
    path: Path
    display: str  # for messages: workspace-relative or "bundled:…"
    bundled: bool  # bundled templates are bidkit's own; a workspace's may come from anyone


@dataclass(frozen=True)
class Image:
    """A picture in a template's context (PNG or JPEG bytes); the renderer places it as an inline image."""

    data: bytes
    width_cm: float
    height_cm: float | None = None  # None: keep the aspect ratio


@dataclass(frozen=True)
class ImageRef:
    """A picture the context names by its workspace path; the pipeline reads it into an :class:`Image`."""

    path: str
    width_cm: float
    height_cm: float | None = None


@dataclass(frozen=True)
class ChartRef:
    """A chart the context asks for by kind (``schedule``: the 横道图 of the construction plan); the pipeline
    draws it into an :class:`Image` of ``width_cm``, the width it prints at."""

    kind: str
    width_cm: float

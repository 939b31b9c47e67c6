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

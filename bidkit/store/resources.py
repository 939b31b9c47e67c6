"""Where the bundled templates and samples are, installed or in a checkout."""

from __future__ import annotations

from pathlib import Path

_PKG = Path(__file__).resolve().parent.parent


def _data_dir(name: str) -> Path:
    installed = _PKG / "_data" / name
    if installed.is_dir():
        return installed
    return _PKG.parent / name  # a source checkout or an editable install


def templates_dir() -> Path:
    return _data_dir("templates")


def samples_dir() -> Path:
    return _data_dir("samples")


def sample_workspace(name: str = "city-surveillance") -> Path:
    return samples_dir() / name


def blank_workspace() -> Path:
    """The commented YAML files of a new, blank workspace (``bidkit new``)."""
    return templates_dir() / "workspace"

"""Small helpers shared by the CLI modules."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from bidkit.store.workspace import Workspace
from bidkit.store.workspace import load as load_ws


@dataclass
class State:
    verbose: bool = False


STATE = State()


def out(line: str) -> None:
    sys.stdout.write(line + "\n")


def err(line: str) -> None:
    sys.stderr.write(line + "\n")


def load(directory: Path) -> Workspace:
    return load_ws(directory)

"""Compile each bidkit tree a benchmark runs to bytecode first, as installing a package does.

An installed bidkit (``pip install``) has its modules compiled; an editable checkout writes them on its first
run, unless ``PYTHONDONTWRITEBYTECODE`` is set (as on the development machine), when every command compiles
bidkit's ~90 modules again: 0.15-0.3 s per command, in the cold assembly and the re-assembly alike. The
benchmarks measure what a user runs, so they compile first (up-to-date files are left as they are).
"""

from __future__ import annotations

import compileall
from pathlib import Path


def compile_trees(*trees: Path) -> None:
    for tree in trees:
        compileall.compile_dir(tree / "bidkit", quiet=2)

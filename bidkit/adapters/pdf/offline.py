"""pyHanko without its HTTP client: bidkit signs and verifies offline, so aiohttp is never loaded.

pyHanko's signing modules import aiohttp at module level for what bidkit never does (fetching a timestamp, an OCSP
response, a CRL or a certificate over HTTP; bidkit validates with ``allow_fetching=False`` and signs without a
timestamp authority). Loading aiohttp took 0.16 s of pyHanko's 0.33 s import (it builds TLS contexts and ~100
dataclasses at import time), on the path of every signed package. :func:`install` puts a stand-in module under
the name ``aiohttp`` before pyHanko is imported (this package's ``__init__`` calls it, and every module importing
pyHanko is in this package): each name pyHanko's modules mention resolves to a class of its own, and using one —
which only a network request would — raises :class:`ToolError`. Where aiohttp was imported before, the real one
stays.
"""

from __future__ import annotations

import sys
import types
from typing import Any, NoReturn

from bidkit.core.errors import ToolError

NAME = "aiohttp"


class _Absent:
    """What every aiohttp name stands for: a type (annotations, ``isinstance`` and ``except`` clauses work), which
    refuses to be made."""

    def __new__(cls, *args: Any, **kwargs: Any) -> NoReturn:
        raise ToolError(f"bidkit works offline: pyHanko asked for network access ({NAME}.{cls.__name__})")


class _Offline(types.ModuleType):
    def __getattr__(self, name: str) -> type[_Absent]:
        if name.startswith("__"):
            raise AttributeError(name)
        stand_in = type(name, (_Absent,), {"__module__": NAME})
        setattr(self, name, stand_in)
        return stand_in


def install() -> None:
    """Make ``import aiohttp`` give the stand-in, unless aiohttp is loaded already."""
    sys.modules.setdefault(NAME, _Offline(NAME, __doc__))


def active() -> bool:
    return isinstance(sys.modules.get(NAME), _Offline)

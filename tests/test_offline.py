"""pyHanko is loaded without aiohttp (bidkit.adapters.pdf.offline): signing and verifying never go to the network,
and half of pyHanko's import time (the TLS contexts and dataclasses aiohttp builds) is not spent on every sealed
package. That signing and verifying still work is the business of test_sign_verify.py and test_token_sign.py, which
run with the stand-in in place."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bidkit.adapters.pdf import offline
from bidkit.core.errors import ToolError

FRESH = """
import sys
import bidkit.adapters.pdf.sign, bidkit.adapters.pdf.verify, bidkit.adapters.pdf.token, bidkit.adapters.pdf.embed
from bidkit.adapters.pdf import offline
loaded = sorted(m for m in sys.modules if m == "aiohttp" or m.startswith("aiohttp."))
print(offline.active(), loaded)
"""


def test_a_fresh_bidkit_signs_without_loading_aiohttp() -> None:
    r = subprocess.run([sys.executable, "-c", FRESH], capture_output=True, text=True, timeout=120, check=True)
    assert r.stdout.split() == ["True", "['aiohttp']"]  # the stand-in only: no aiohttp.client, .connector …


def test_the_stand_in_refuses_network_use_with_bidkit_s_error() -> None:
    if not offline.active():  # (something in this test process loaded the real aiohttp first)
        pytest.skip("aiohttp was imported before bidkit.adapters.pdf")
    import aiohttp  # the stand-in

    session_type = aiohttp.ClientSession
    assert isinstance(session_type, type) and aiohttp.ClientSession is session_type  # one class per name
    assert (aiohttp.BasicAuth | None) is not None  # usable in annotations, as pyHanko's modules use it
    with pytest.raises(ToolError, match="offline"):
        session_type()


def test_a_real_aiohttp_loaded_first_is_kept() -> None:
    code = ("import aiohttp, bidkit.adapters.pdf.sign; from bidkit.adapters.pdf import offline; "
            "print(offline.active(), hasattr(aiohttp, '__version__'))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert r.stdout.split() == ["False", "True"]

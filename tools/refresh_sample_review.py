"""Re-create the sample's review material: the signed DEMO approval in audit.log, and pricing.enc.

Run it whenever the sample's data, attachments or the bundled templates change (tests/test_sample_review.py
fails until you do):

    .venv/bin/python tools/refresh_sample_review.py

Everything it writes is DEMO material: the keys in samples/demo-keys/ and the passphrase ``demo-only-passphrase``
are public and must never protect a real bid. The DEMO reviewer is trusted through samples/demo-trust.json (signed
by the DEMO admin key, scoped to the sample's project code), installed into a throw-away config folder here.
"""

from __future__ import annotations

import os
import shutil
import sys
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402

from bidkit.store import keys, lock, price_sheet, trust, workspace  # noqa: E402

SAMPLE = ROOT / "samples" / "city-surveillance"
DEMO_KEYS = ROOT / "samples" / "demo-keys"
DEMO_KEY = DEMO_KEYS / "DEMO-qa-reviewer.key"
DEMO_PRICES = ROOT / "samples" / "city-surveillance-prices.yaml"
DEMO_PASSPHRASE = "demo-only-passphrase"
DEMO_REVIEWER = "郑雅琴"  # the sample team's QA reviewer (fictional)
DEMO_HEADER = "DEMO KEY — never use for real bids (public demo key of the bundled sample's QA reviewer)"


def demo_key() -> Ed25519PrivateKey:
    if not DEMO_KEY.exists():
        DEMO_KEYS.mkdir(parents=True, exist_ok=True)
        keys.write_private(DEMO_KEY, Ed25519PrivateKey.generate(), header=DEMO_HEADER)
    return keys.load_private(DEMO_KEY)


def main() -> None:
    import tempfile

    key = demo_key()
    (SAMPLE / "reviewers.yaml").unlink(missing_ok=True)  # trust never comes from a workspace
    shutil.rmtree(SAMPLE / "review", ignore_errors=True)
    for name in (lock.PRICES, "audit.log"):
        (SAMPLE / name).unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as config:
        os.environ["BIDKIT_CONFIG_DIR"] = config
        trust.install_demo()
        ws = workspace.load(SAMPLE)
        lock.request(ws)
        lock.decide(ws, "approved", DEMO_REVIEWER, "DEMO approval of the bundled sample", key)
        pricing = price_sheet.read(DEMO_PRICES, ws.data.solution, Decimal("0.13"))  # YAML carries its own rate
        lock.save_prices(ws, pricing, DEMO_PASSPHRASE, "price.import", {"source": DEMO_PRICES.name})
    os.chmod(SAMPLE / lock.PRICES, 0o644)
    print(f"refreshed {SAMPLE.relative_to(ROOT)}: audit.log (request, DEMO approval, price import), pricing.enc")


if __name__ == "__main__":
    main()

"""Re-create the sample's review material: DEMO reviewer key, reviewers.yaml, signed approval, pricing.enc.

Run it whenever the sample's data, attachments or the bundled templates change (tests/test_sample_review.py
fails until you do):

    .venv/bin/python tools/refresh_sample_review.py

Everything it writes is DEMO material: the key in samples/demo-keys/ and the passphrase ``demo-only-passphrase``
are public and must never protect a real bid.
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

from bidkit.store import keys, lock, price_sheet, workspace  # noqa: E402

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
    key = demo_key()
    public = keys.public_line(key.public_key())
    (SAMPLE / lock.REVIEWERS).write_text(
        "# 可信审核人（质量管理部），由公司管理员维护。 Trusted QA reviewers, kept by the company admin.\n"
        "# DEMO: the key below belongs to samples/demo-keys/DEMO-qa-reviewer.key; never trust it in a real bid.\n"
        "reviewers:\n"
        f'  - name: "{DEMO_REVIEWER}"\n'
        f"    public_key: {public}\n",
        encoding="utf-8",
    )
    shutil.rmtree(SAMPLE / "review", ignore_errors=True)
    for name in (lock.PRICES, "audit.log"):
        (SAMPLE / name).unlink(missing_ok=True)
    ws = workspace.load(SAMPLE)
    presales = next((m.name for m in ws.data.project.team if m.role.value == "presales_engineer"), "presales")
    sales = next((m.name for m in ws.data.project.team if m.role.value == "sales_rep"), "sales")
    lock.request(ws, presales)
    lock.decide(ws, "approved", DEMO_REVIEWER, "DEMO approval of the bundled sample", key)
    pricing = price_sheet.read(DEMO_PRICES, ws.data.solution, Decimal("0.13"))  # YAML carries its own rate
    lock.save_prices(ws, pricing, DEMO_PASSPHRASE, "price.import", {"source": DEMO_PRICES.name}, sales)
    os.chmod(SAMPLE / lock.PRICES, 0o644)
    print(f"refreshed {SAMPLE.relative_to(ROOT)}: reviewers.yaml, review/, pricing.enc, audit.log")


if __name__ == "__main__":
    main()

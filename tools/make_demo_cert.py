"""Make the sample's DEMO signing certificate (self-signed, public password: never for a real bid).

    .venv/bin/python tools/make_demo_cert.py [--force]

writes ``samples/city-surveillance/keys/DEMO-company-cert.p12`` (key and certificate, password
``demo-only-password``) and ``DEMO-company-cert.crt`` (the certificate ``bidkit verify`` trusts). The subject says
DEMO and NOT FOR REAL BIDS. The files live in the sample workspace so that ``bidkit init`` copies them and the
sample assembles and verifies without prompts (with ``BIDKIT_SIGN_PASSWORD=demo-only-password``).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bidkit.adapters.pdf.sign import make_test_certificate  # noqa: E402

COMPANY = "江临智安科技有限公司"
PASSWORD = "demo-only-password"
KEYS = ROOT / "samples" / "city-surveillance" / "keys"
STEM = "DEMO-company-cert"


def main(argv: list[str]) -> int:
    p12_path, crt_path = KEYS / f"{STEM}.p12", KEYS / f"{STEM}.crt"
    if (p12_path.exists() or crt_path.exists()) and "--force" not in argv:
        print(f"{p12_path} exists; pass --force to replace the demo certificate", file=sys.stderr)
        return 1
    p12, pem, subject = make_test_certificate(COMPANY, PASSWORD, label="DEMO", days=3650)
    KEYS.mkdir(parents=True, exist_ok=True)
    p12_path.write_bytes(p12)
    crt_path.write_bytes(pem)
    print(f"{subject}\n{p12_path}\n{crt_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

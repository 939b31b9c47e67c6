"""Try token signing without a CA's USB key: a DEMO SoftHSM2 token, a DEMO CA, a key generated on the token.

    .venv/bin/python tools/demo_token.py TOKEN_DIR WORKSPACE

creates ``TOKEN_DIR/softhsm2.conf`` and a token labelled ``DEMO-TOKEN`` (user PIN ``demo-pin-2468``, public:
never for a real bid) holding an RSA-2048 key ``demo-sign`` and the certificate a DEMO CA issued for it; writes
the CA's root to ``TOKEN_DIR/DEMO-ca-root.pem`` and its chain (intermediate and root) to
``WORKSPACE/keys/DEMO-ca-chain.pem``, and points ``WORKSPACE/bidkit.yaml`` ``signing:`` at the token. Commands
then need ``SOFTHSM2_CONF=TOKEN_DIR/softhsm2.conf`` (SoftHSM2 reads its configuration from there). Needs the
``softhsm2`` Debian package (``./setup.sh`` installs it) and the dev dependencies (tests/tokenkit.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.tokenkit import SoftToken, TestCA, softhsm_module, use_token  # noqa: E402

LABEL = "DEMO-TOKEN"
PIN = "demo-pin-2468"
KEY = "demo-sign"


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    folder, ws = Path(argv[0]), Path(argv[1])
    if softhsm_module() is None:
        print("SoftHSM2 is not installed: run ./setup.sh", file=sys.stderr)
        return 5
    if not (ws / "bidkit.yaml").is_file():
        print(f"{ws}: not a bidkit workspace (make one with bidkit init)", file=sys.stderr)
        return 3
    if folder.exists():
        print(f"{folder}: exists already; give a new folder", file=sys.stderr)
        return 8
    ca = TestCA.make("DEMO 根 CA", label="DEMO")
    token = SoftToken.create(folder, LABEL, PIN)
    token.add_key(KEY, ca.issue, cn="DEMO 江临智安科技有限公司 签名 — NOT FOR REAL BIDS")
    (token.folder / "DEMO-ca-root.pem").write_bytes(ca.root_pem())
    use_token(ws, token, KEY, ca, chain="keys/DEMO-ca-chain.pem")
    print(f"token {LABEL} (PIN {PIN}, DEMO) in {folder}; {ws}/bidkit.yaml signs with its key {KEY}")
    print(f"SOFTHSM2_CONF={folder}/softhsm2.conf  (set it for every command that uses the token)")
    print(f"CA root to verify against: {folder}/DEMO-ca-root.pem")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

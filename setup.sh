#!/usr/bin/env bash
# Set up bidkit on Debian (12 or later): system packages pip cannot install, then a venv with bidkit in it.
# Idempotent: what is already there is skipped. Run as root or with sudo available.
set -euo pipefail
cd "$(dirname "$0")"

APT_PACKAGES=(
  libreoffice-writer-nogui   # DOCX → PDF (soffice --headless)
  fonts-noto-cjk             # the CJK faces templates map 宋体/黑体/仿宋 to
  poppler-utils              # pdftotext, pdffonts, pdftoppm
  fontconfig
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0   # weasyprint
  qpdf
  softhsm2                   # a software PKCS#11 token: the tests sign with a real token (bidkit keys tokens)
)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  [[ "$pkg" == \#* ]] && continue
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}" >&2
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "setup: Debian packages present" >&2
fi

PY=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
  echo "setup: creating .venv" >&2
  "$PY" -m venv .venv
fi
stamp=.venv/.bidkit-installed
if [[ ! -f $stamp || pyproject.toml -nt $stamp || requirements.lock -nt $stamp ]]; then
  echo "setup: installing bidkit and its Python dependencies into .venv (exact versions: requirements.lock)" >&2
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  # the signed package depends on exact pyHanko/pikepdf versions: install what the lock file pins, by hash
  .venv/bin/python -m pip install -q --require-hashes -r requirements.lock
  .venv/bin/python -m pip install -q --no-deps -e .
  touch "$stamp"
else
  echo "setup: .venv up to date" >&2
fi
# bidkit's bytecode, as an installed package has it (an editable install would otherwise compile every module
# on every command where PYTHONDONTWRITEBYTECODE is set: 0.15-0.3 s each); up-to-date files are left as they are
.venv/bin/python -m compileall -q bidkit >/dev/null
# the bundled sample's QA approval is DEMO: trust it on this machine for the sample's project code only (signed by
# the DEMO admin key; idempotent, logged in the user's bidkit config folder)
.venv/bin/bidkit trust install --demo >/dev/null
echo "setup: done — run .venv/bin/bidkit --help" >&2

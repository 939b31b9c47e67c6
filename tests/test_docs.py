"""Every command is documented in README.md, and README's two opening commands stay the ones CI runs."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer

from bidkit.cli.app import app
from tests.helpers import needs_soffice
from tests.tokenkit import needs_softhsm

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def command_paths(group: Any, prefix: str = "") -> list[str]:
    paths = []
    for name, cmd in sorted(getattr(group, "commands", {}).items()):
        path = f"{prefix} {name}".strip()
        if getattr(cmd, "commands", None):
            paths += command_paths(cmd, path)
        else:
            paths.append(path)
    return paths


def test_every_command_is_documented() -> None:
    paths = command_paths(typer.main.get_command(app))
    assert "render" in paths and "validate" in paths
    missing = [p for p in paths if f"bidkit {p}" not in README]
    assert missing == []


def test_readme_opens_with_the_two_commands_and_ci_runs_the_second() -> None:
    blocks = re.findall(r"```bash\n(.*?)```", README, re.S)
    main_job, tests = blocks[0].strip(), blocks[1].strip()
    assert main_job.startswith("./setup.sh && ")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert ci.rstrip().splitlines()[-1] == tests


# --- the README's examples run as written -------------------------------------------------------------------





def _sandbox(tmp_path: Path) -> Path:
    """A folder where README's relative paths work: .venv points at this interpreter's env, samples is a copy."""
    (tmp_path / ".venv").symlink_to(Path(sys.prefix))
    shutil.copytree(ROOT / "samples", tmp_path / "samples", ignore=shutil.ignore_patterns("build"))
    # what ./setup.sh does last: install the bundled DEMO trust into this machine's (the sandbox's) config
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("BIDKIT_")},
           "BIDKIT_CONFIG_DIR": str(tmp_path / ".config")}
    subprocess.run([sys.executable, "-m", "bidkit", "trust", "install", "--demo"], cwd=tmp_path, env=env,
                   check=True, capture_output=True)
    return tmp_path


def _expected_code(line: str) -> int:
    m = re.search(r"#.*\bexit (\d+)", line)
    return int(m.group(1)) if m else 0


def _run_block(block: str, cwd: Path) -> list[tuple[str, int, str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BIDKIT_")}
    env["BIDKIT_CONFIG_DIR"] = str(cwd / ".config")
    results = []
    for line in block.strip().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        proc = subprocess.run(["bash", "-c", line], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
        results.append((line, proc.returncode, proc.stdout + proc.stderr))
        assert proc.returncode == _expected_code(line), f"{line}\n{proc.stdout}{proc.stderr}"
        assert "Traceback" not in proc.stderr
    return results


@needs_soffice()
@pytest.mark.slow
def test_readme_main_job_verify_and_tamper_examples(tmp_path: Path) -> None:
    cwd = _sandbox(tmp_path)
    blocks = re.findall(r"```bash\n(.*?)```", README, re.S)
    main_job = blocks[0].strip().removeprefix("./setup.sh && ")
    (_, _, out), = _run_block(main_job, cwd)
    assert "package: samples/city-surveillance/build/JL-2026-031-v1-1.pdf (104 pages" in out
    results = _run_block(blocks[2], cwd)
    assert results[0][2].startswith("ok: samples/city-surveillance/build/JL-2026-031-v1-1.pdf")
    assert "changed after signing: 1 page(s) added in an incremental update" in results[2][2]


@pytest.mark.slow
def test_readme_price_lock_walkthrough(tmp_path: Path) -> None:
    cwd = _sandbox(tmp_path)
    block = re.search(r"### The price lock.*?```bash\n(.*?)```", README, re.S)
    assert block
    results = _run_block(block.group(1), cwd)
    assert "price lock: open" in results[1][2]
    assert "changed: responses.yaml: technical" in results[4][2]
    assert "大写: 人民币" in results[2][2]


@needs_soffice()
@pytest.mark.slow
def test_readme_post_award_tour(tmp_path: Path) -> None:
    cwd = _sandbox(tmp_path)
    block = re.search(r"### After the award.*?```bash\n(.*?)```", README, re.S)
    assert block
    results = _run_block(block.group(1), cwd)
    by_command = {line.split("#")[0].strip(): out for line, _, out in results}
    assert "毛利率 18.06%，目标毛利率 18.00%：达到目标" in by_command[
        "BIDKIT_PRICE_PASSPHRASE=demo-only-passphrase .venv/bin/bidkit cost tour"]
    assert "password (shown only now, stored nowhere): " in by_command[".venv/bin/bidkit cost tour --no-prices --pdf"]
    assert "lead: 项目经理 周启航" in by_command[".venv/bin/bidkit status tour --at 2027-03-15"]
    assert "task T11 单点调试与片区联调 is 40% done on 2027-05-01" in by_command[
        ".venv/bin/bidkit request payment tour --instalment 进度款 --at 2027-05-01"]
    assert "2030-06-09" in by_command[".venv/bin/bidkit request bond-refund tour --at 2028-01-01"]
    assert (cwd / "tour" / "build" / "pdf" / "cost_analysis.pdf").read_bytes().count(b"/Encrypt") >= 1


@needs_soffice()
@needs_softhsm()
@pytest.mark.slow
def test_readme_ca_token_walkthrough(tmp_path: Path) -> None:
    cwd = _sandbox(tmp_path)
    (cwd / "tools").symlink_to(ROOT / "tools")
    (cwd / "tests").symlink_to(ROOT / "tests")
    block = re.search(r"### Signing with a CA token.*?```bash\n(.*?)```", README, re.S)
    assert block
    results = _run_block(block.group(1), cwd)
    assert "key 'demo-sign' (id " in results[2][2] and "token 'DEMO-TOKEN'" in results[2][2]
    assert "package: 令牌演示/build/JL-2026-031-v1-1.pdf" in results[5][2]
    assert ("chain: CN=DEMO 江临智安科技有限公司 签名 — NOT FOR REAL BIDS ← CN=DEMO 中级 CA ← CN=DEMO 根 CA"
            in results[6][2].splitlines())

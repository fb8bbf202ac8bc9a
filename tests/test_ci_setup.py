"""`.ci/run` on a fresh machine: it asks apt only for what is missing, and apt can do it."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / ".ci" / "system-packages"

pytestmark = pytest.mark.subprocess


def missing_on(tmp_path: Path, tools: list[str]) -> list[str]:
    """What the script asks for on a machine whose PATH has only ``tools`` (as stubs)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in tools:
        stub = bin_dir / tool
        stub.write_text("#!/bin/sh\nexit 0\n")
        stub.chmod(0o755)
    result = subprocess.run(
        [shutil.which("bash") or "/bin/bash", str(SCRIPT)],
        env={"PATH": str(bin_dir)},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.split()


def test_a_machine_with_nodesource_nodejs_gets_no_debian_nodejs_or_npm(tmp_path: Path) -> None:
    assert missing_on(tmp_path, ["node", "npm", "javac"]) == ["chromium", "redis-server"]


def test_a_bare_machine_gets_every_package(tmp_path: Path) -> None:
    assert missing_on(tmp_path, []) == [
        "chromium",
        "redis-server",
        "default-jdk-headless",
        "nodejs",
        "npm",
    ]


def test_a_machine_with_everything_gets_nothing(tmp_path: Path) -> None:
    assert missing_on(tmp_path, ["node", "npm", "chromium", "redis-server", "javac"]) == []


def test_apt_can_install_what_this_machine_would_be_asked_for(tmp_path: Path) -> None:
    if shutil.which("apt-get") is None:
        pytest.skip("not a Debian machine: nothing for apt to simulate")
    # as if Chromium, Redis and a JDK were missing, with the machine's own Node.js and npm
    tools = [t for t in ("node", "npm") if shutil.which(t)]
    wanted = missing_on(tmp_path, tools)
    simulated = subprocess.run(
        ["apt-get", "install", "-s", "--no-install-recommends", *wanted],
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        capture_output=True,
        text=True,
    )
    assert simulated.returncode == 0, simulated.stdout + simulated.stderr

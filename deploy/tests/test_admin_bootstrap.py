"""`./fairpath admin bootstrap`: the first admin of a new deployment, made in the gateway's database and shown
once; a second run is refused."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_bootstrap(var_dir: Path, database_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAIRPATH_")}
    env |= {"FAIRPATH_VAR_DIR": str(var_dir), "FAIRPATH_GATEWAY_DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "fairpath.deploy.cli", "admin", "bootstrap", *args],
        capture_output=True, text=True, timeout=120, env=env, cwd=ROOT,
    )  # fmt: skip


async def test_bootstrap_prints_the_first_admin_once_and_refuses_a_second(tmp_path: Path, database_url) -> None:
    url = await database_url("bootstrap_cli")
    first = run_bootstrap(tmp_path, url, "--username", "operator.one")
    assert first.returncode == 0, first.stderr
    out = first.stdout
    assert "operator.one" in out and "shown once" in out
    assert re.search(r"one-time code\s+[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", out), out
    assert re.search(r"API key\s+fp_\S{40,}", out), out
    assert "/v1/auth/activate" in out

    second = run_bootstrap(tmp_path, url, "--username", "operator.two")
    assert second.returncode == 1
    assert "has an admin already" in second.stderr and "fp_" not in second.stdout

"""What an image holds is what starts: the project's wheels, built and installed into a fresh virtual environment
(no checkout on the path, the locked versions of everything else), run the whole stack from there, each service
applying the migrations its wheel carries."""

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from fairpath.common.services import ALL_SERVICES
from fairpath.common.testing.nats import free_port
from fairpath.deploy.processes import SERVICES, StackConfig, build_stack

ROOT = Path(__file__).resolve().parents[2]
INSTALL_TIMEOUT = 600


def _uv() -> str:
    found = shutil.which("uv") or str(ROOT / ".tools" / "uv" / "bin" / "uv")
    if not Path(found).exists():
        pytest.fail("uv is missing: ./fairpath installs it into .tools/uv")
    return found


def _run(*argv: str, cwd: Path) -> None:
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=INSTALL_TIMEOUT)
    assert done.returncode == 0, f"{' '.join(argv)}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A fresh venv holding the project's wheels and the locked versions of what they need; its python."""
    tmp = tmp_path_factory.mktemp("wheels")
    uv, wheels, venv = _uv(), tmp / "dist", tmp / "venv"
    _run(uv, "build", "--all-packages", "--wheel", "--out-dir", str(wheels), cwd=ROOT)
    locked = tmp / "requirements.txt"
    _run(
        uv, "export", "--frozen", "--no-dev", "--all-packages", "--no-emit-workspace", "--no-hashes",
        "--output-file", str(locked), cwd=ROOT,
    )  # fmt: skip
    _run(uv, "venv", "--python", sys.executable, str(venv), cwd=tmp)
    python = venv / "bin" / "python"
    built = sorted(str(w) for w in wheels.glob("*.whl"))
    _run(uv, "pip", "install", "--python", str(python), "--requirements", str(locked), *built, cwd=tmp)
    yield python


def test_the_wheels_carry_every_service_and_its_migrations(installed: Path) -> None:
    where = subprocess.run(
        [str(installed), "-c", "import fairpath.common, sys; print(fairpath.common.__path__[0])"],
        capture_output=True, text=True, timeout=60, cwd=installed.parent,
    )  # fmt: skip
    assert where.returncode == 0, where.stderr
    site = Path(where.stdout.strip()).parent
    assert "site-packages" in site.parts and not site.is_relative_to(ROOT / "shared")  # not the checkout's
    for spec in ALL_SERVICES:
        assert sorted((site / spec.package / "migrations" / "versions").glob("0001_*.py")), spec.name


def test_the_stack_starts_from_the_installed_wheels(installed: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FAIRPATH_", "PYTHONPATH", "VIRTUAL_ENV"))}
    env["FAIRPATH_VETTING_WARM_MATCHING"] = "false"
    config = StackConfig(
        var_dir=tmp_path / "var",
        ports={name: free_port() for name in SERVICES},
        nats_port=free_port(),
        python=str(installed),
        base_env=env,
        cwd=tmp_path,  # nothing of the checkout on the path
        ready_timeout=120,
    )
    supervisor = build_stack(config)
    supervisor.start()  # every process answered /readyz: its migrations ran, its broker is connected
    try:
        for spec in ALL_SERVICES:
            log = (config.logs_dir / f"{spec.name}.log").read_text()
            assert "Application startup complete" in log, spec.name
        answer = httpx.get(f"{config.gateway_url}/v1/businesses", timeout=30)
        assert answer.status_code == 401  # the gateway routes and asks who is calling
    finally:
        supervisor.stop()

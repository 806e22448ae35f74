"""Where the launcher finds things: the repository root, the var dir `up` keeps its state in, and the
tools of the environment it runs in. The commands (`cli`, `admin`) and the supervisor read them here."""

import os
import sys
from pathlib import Path


def repo_root() -> Path:
    """The workspace root: FAIRPATH_ROOT (set by ./fairpath), else the folder above this file or
    the working directory that holds the `fairpath` script and pyproject.toml."""
    candidates: list[Path] = []
    if os.environ.get("FAIRPATH_ROOT"):
        candidates.append(Path(os.environ["FAIRPATH_ROOT"]))
    here = Path(__file__).resolve()
    cwd = Path.cwd().resolve()
    candidates += [*here.parents, cwd, *cwd.parents]
    for candidate in candidates:
        if (candidate / "fairpath").is_file() and (candidate / "pyproject.toml").is_file():
            return candidate
    raise SystemExit("fairpath: cannot find the repository root (the folder with ./fairpath); set FAIRPATH_ROOT")


def var_dir(root: Path) -> Path:
    """Where `up` keeps its databases, secrets and demo credentials: FAIRPATH_VAR_DIR, else var/ at the root."""
    value = os.environ.get("FAIRPATH_VAR_DIR", "")
    return Path(value).resolve() if value else root / "var"


def demo_credentials_file(var: Path) -> Path:
    """What `up` writes the demo users' credentials to, in its var dir (var/demo-credentials.json)."""
    return var / "demo-credentials.json"


def venv_tool(name: str) -> Path:
    """A command installed into the environment the launcher runs in (.venv/bin/<name> under ./fairpath)."""
    return Path(sys.prefix) / "bin" / name

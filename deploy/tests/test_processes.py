"""The supervisor on small stand-in processes: failures are named with their log, and a stop
leaves nothing behind, not even a grandchild that ignores SIGTERM. Plus the CLI's own rules."""

import os
import socket
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from fairpath.common.testing.nats import free_port, poll_until
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


def test_a_process_that_exits_is_restarted_and_the_restart_is_reported(tmp_path: Path) -> None:
    # Exits once, a moment after it is ready; its second run stays up.
    marker = tmp_path / "ran-once"
    code = f"""
        import pathlib, time
        marker = pathlib.Path({str(marker)!r})
        print('ready', flush=True)
        if not marker.exists():
            marker.touch()
            time.sleep(0.3)
            raise SystemExit(7)
        time.sleep(60)
    """
    flaky = ManagedProcess("flaky", python(code), log_path=tmp_path / "flaky.log")
    flaky.ready_check = says(flaky, "ready")
    steady = ManagedProcess("steady", python("import time; print('up', flush=True); time.sleep(60)"),
                            log_path=tmp_path / "steady.log")  # fmt: skip
    steady.ready_check = says(steady, "up")
    reports: list[str] = []
    with Supervisor([[steady], [flaky]], ready_timeout=30) as supervisor:
        first_pid, steady_pid = flaky.pid, steady.pid
        watching = threading.Thread(target=supervisor.watch, kwargs={"report": reports.append})
        watching.start()
        try:
            poll_until(lambda: any("flaky is ready again" in r for r in reports), 15, "the restart to be ready")
            assert flaky.running and flaky.pid != first_pid
            assert steady.pid == steady_pid and steady.running  # the others were left alone
        finally:
            supervisor.request_stop()
            watching.join(10)
    assert any(r.startswith("fairpath: flaky exited with code 7") and "restarting in 0.5 s" in r for r in reports)
    assert any(r.startswith("fairpath: flaky restarted (pid") for r in reports)
    assert gone(flaky.pid) and gone(steady.pid)


def test_a_process_that_keeps_crashing_makes_the_stack_give_up_and_say_why(tmp_path: Path) -> None:
    crashing = ManagedProcess(
        "crashing", python("print('ready', flush=True); raise SystemExit(2)"), log_path=tmp_path / "crash.log"
    )
    reports: list[str] = []
    supervisor = Supervisor([[crashing]], ready_timeout=30, restart_limit=3, restart_window=30)
    supervisor.start()
    try:
        assert supervisor.watch(report=reports.append) is crashing
    finally:
        supervisor.stop()
    assert supervisor.gave_up_because == "crashing exited 3 times within 30 s (last exit code 2); giving up"
    assert [r.split(";")[0] for r in reports if "exited" in r] == [
        f"fairpath: crashing exited with code 2 (log: {tmp_path / 'crash.log'})"
    ] * 2


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


def test_the_whole_suite_runs_on_a_worker_per_core_and_named_tests_in_this_process(tmp_path: Path) -> None:
    cores = min(4, os.cpu_count() or 1)
    assert cli._workers(["-q", "-ra", "-p", "no:randomly"], {}) == ["-n", str(cores), "--dist", "loadgroup"]
    assert cli._workers(["-q"], {"FAIRPATH_TEST_WORKERS": "3"}) == ["-n", "3", "--dist", "loadgroup"]
    assert cli._workers(["-q"], {"FAIRPATH_TEST_WORKERS": "0"}) == []
    assert cli._workers(["-n", "1"], {}) == [] and cli._workers(["-n2"], {}) == []
    assert cli._workers([str(tmp_path)], {}) == [] and cli._workers(["tests/test_up.py::test_x"], {}) == []


def test_contract_qr_codes_point_to_this_stacks_gateway_unless_an_address_is_set(tmp_path: Path) -> None:
    ports = {name: free_port() for name in SERVICES}
    config = StackConfig(var_dir=tmp_path, ports=ports, nats_port=free_port(), base_env={})
    assert config.service_env()["FAIRPATH_CONTRACTS_PUBLIC_BASE_URL"] == config.gateway_url

    public = "https://fairpath.example.org"
    config = StackConfig(
        var_dir=tmp_path, ports=ports, nats_port=free_port(), base_env={"FAIRPATH_CONTRACTS_PUBLIC_BASE_URL": public}
    )
    assert config.service_env()["FAIRPATH_CONTRACTS_PUBLIC_BASE_URL"] == public

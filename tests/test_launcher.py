"""The whole stack as processes: nats-server, the three services and the gateway, started by
the launcher's supervisor on free ports with a temporary var dir; and `./fairpath up` itself,
stopped with Ctrl-C (SIGINT). Nothing may be left running afterwards."""

import asyncio
import json
import os
import signal
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest

from fairpath.common.testing.nats import free_port, poll_until
from fairpath.deploy.processes import SERVICES, StackConfig, StackError, Supervisor, build_stack, gone, port_in_use
from fairpath.gateway.accounts.demo import DEMO_USERS, ensure_demo_identities

ROOT = Path(__file__).resolve().parents[1]
# Generous: a stack is ready in seconds, but on two cores shared with the rest of the suite it has taken a minute.
READY_TIMEOUT = 120.0


def clean_env(**extra: str) -> dict[str, str]:
    """This environment without any FAIRPATH_ setting of the caller's (the stack sets its own). Vetting skips
    warming its matching up (7 to 31 s before it is ready; its own tests cover the warm-up): these stacks
    screen little, and a screening without it is only slower the first time."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAIRPATH_")}
    env["FAIRPATH_VETTING_WARM_MATCHING"] = "false"
    env.update(extra)
    return env


def free_port_block(size: int) -> int:
    """A first port such that it and the next size-1 are free."""
    for _ in range(100):
        first = free_port()
        if first + size < 65536 and not any(port_in_use("127.0.0.1", first + i) for i in range(size)):
            return first
    raise RuntimeError(f"no block of {size} free ports")


@dataclass
class Stack:
    config: StackConfig
    supervisor: Supervisor
    credentials: dict[str, Any]

    def api_key(self, username: str) -> str:
        return self.credentials["users"][username]["api_key"]


def stack_config(var_dir: Path, **env: str) -> StackConfig:
    return StackConfig(
        var_dir=var_dir,
        ports={name: free_port() for name in SERVICES},
        nats_port=free_port(),
        base_env=clean_env(**env),
        cwd=ROOT,
        ready_timeout=READY_TIMEOUT,
    )


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    config = stack_config(tmp_path_factory.mktemp("stack-var"))
    credentials = ensure_demo_identities(config.var_dir, config.gateway_url)
    supervisor = build_stack(config)
    supervisor.start()
    try:
        yield Stack(config, supervisor, credentials)
    finally:
        supervisor.stop()


def test_the_stack_is_ready_with_demo_credentials(stack: Stack) -> None:
    assert {p.name for p in stack.supervisor.processes} == {"nats-server", *SERVICES}
    for name in SERVICES:
        assert httpx.get(f"{stack.config.url(name)}/readyz", timeout=5).status_code == 200
    saved = json.loads((stack.config.var_dir / "demo-credentials.json").read_text())
    assert saved["gateway"] == stack.config.gateway_url
    assert set(saved["users"]) == {username for username, _, _ in DEMO_USERS}
    assert (stack.config.var_dir / "logs" / "gateway.log").exists()


def test_an_agency_registers_an_employer_through_the_gateway(stack: Stack) -> None:
    headers = {"X-API-Key": stack.api_key("agency")}
    body = {
        "kind": "employer",
        "legal_name": "Gulf Builders LLC",
        "country": "AE",
        "registration_number": "CN-4471-LAUNCHER",
    }
    with httpx.Client(base_url=stack.config.gateway_url, headers=headers, timeout=15) as client:
        created = client.post("/v1/businesses", json=body)
        assert created.status_code == 201, created.text
        business = created.json()
        assert business["legal_name"] == "Gulf Builders LLC"

        fetched = client.get(f"/v1/businesses/{business['id']}")
        assert fetched.status_code == 200, fetched.text
        assert fetched.json()["id"] == business["id"]
        assert fetched.json()["registration_number"] == "CN-4471-LAUNCHER"


def test_the_gateway_documents_the_whole_api(stack: Stack) -> None:
    doc = httpx.get(f"{stack.config.gateway_url}/openapi.json", timeout=15).json()
    for path in (
        "/v1/auth/token",
        "/v1/businesses",
        "/v1/vetting-cases/{case_id}/decision",
        "/v1/workers",
        "/v1/contracts",
        "/v1/admin/events/replay",
    ):
        assert path in doc["paths"], path
    assert "ApiKey" in doc["components"]["securitySchemes"]
    assert httpx.get(f"{stack.config.gateway_url}/docs", timeout=5).status_code == 200


def test_a_service_reached_directly_without_a_principal_is_401(stack: Stack) -> None:
    response = httpx.get(f"{stack.config.url('vetting')}/v1/businesses", timeout=5)
    assert response.status_code == 401
    # Nor does a gateway API key open a service's door: only the gateway's signed principal does.
    response = httpx.get(
        f"{stack.config.url('vetting')}/v1/businesses", headers={"X-API-Key": stack.api_key("admin")}, timeout=5
    )
    assert response.status_code == 401


def test_admin_replays_dead_letters_through_the_gateway_from_the_cli(stack: Stack) -> None:
    async def park_a_dead_letter() -> None:
        nc = await nats.connect(f"nats://127.0.0.1:{stack.config.nats_port}")
        await nc.jetstream().publish(
            "dlq.launcher-test",
            b'{"not": "a cloudevent"}',
            headers={
                "Fairpath-Consumer": "launcher-test",
                "Fairpath-Original-Subject": "registry.fee.reported",
                "Fairpath-Original-Stream": "REGISTRY",
                "Fairpath-Original-Seq": "1",
                "Fairpath-Error": "ValidationError",
            },
        )
        await nc.close()

    asyncio.run(park_a_dead_letter())
    admin = ["--gateway", stack.config.gateway_url, "--api-key", stack.api_key("admin"), "--consumer", "launcher-test"]
    run = [str(ROOT / ".venv" / "bin" / "python"), "-m", "fairpath.deploy.cli", "admin", "events"]
    listed = subprocess.run([*run, "dead-letters", *admin], capture_output=True, text=True, timeout=60, env=clean_env())
    assert listed.returncode == 0 and "1 dead letter(s)" in listed.stdout, listed.stderr
    replayed = subprocess.run([*run, "replay", *admin], capture_output=True, text=True, timeout=60, env=clean_env())
    assert replayed.returncode == 0 and "replayed 1 dead letter(s)" in replayed.stdout, replayed.stderr
    after = subprocess.run([*run, "dead-letters", *admin], capture_output=True, text=True, timeout=60, env=clean_env())
    assert "0 dead letter(s)" in after.stdout
    as_agency = subprocess.run(
        [*run, "replay", "--gateway", stack.config.gateway_url, "--api-key", stack.api_key("agency")],
        capture_output=True,
        text=True,
        timeout=60,
        env=clean_env(),
    )
    # Refused by the same `roles(Role.admin)` the services use: its problem names the one role allowed.
    assert as_agency.returncode == 1 and "allowed: admin" in as_agency.stderr


def test_admin_loads_a_watchlist_from_the_cli_with_progress_and_bad_lines(stack: Stack, tmp_path: Path) -> None:
    admin = ["--gateway", stack.config.gateway_url, "--api-key", stack.api_key("admin")]
    run = [str(ROOT / ".venv" / "bin" / "python"), "-m", "fairpath.deploy.cli", "admin", "watchlists"]
    created = subprocess.run(
        [*run, "create", "Launcher blocklist", "--kind", "blocklist", *admin],
        capture_output=True,
        text=True,
        timeout=60,
        env=clean_env(),
    )
    assert created.returncode == 0, created.stderr
    watchlist_id = created.stdout.split()[2]
    listing = tmp_path / "blocklist.csv"
    listing.write_text(
        "id,name,country\nbl-1,Crescent Manpower Pvt Ltd,NP\nbl-2,,NP\nbl-3,Eastern Recruiters Sdn Bhd,MY\n"
    )
    loaded = subprocess.run(
        [*run, "import", watchlist_id, str(listing), *admin],
        capture_output=True,
        text=True,
        timeout=120,
        env=clean_env(),
    )
    assert loaded.returncode == 0, loaded.stderr
    assert "uploading [" in loaded.stderr and "100.0%" in loaded.stderr
    assert "2 loaded" in loaded.stdout and "1 rejected" in loaded.stdout and "line 3:" in loaded.stdout
    # Not a terminal: one progress line per tenth of the file, no redrawing.
    assert "\r" not in loaded.stderr
    unknown = subprocess.run(
        [*run, "import", str(uuid.uuid4()), str(listing), *admin],
        capture_output=True,
        text=True,
        timeout=60,
        env=clean_env(),
    )
    # An unknown list is named before the file is sent.
    assert unknown.returncode == 1 and "Not found" in unknown.stderr and "uploading" not in unknown.stderr


def test_stopping_leaves_no_process_behind(stack: Stack) -> None:
    """Runs last in this module: it stops the module's stack."""
    pids = stack.supervisor.pids()
    assert set(pids) == {"nats-server", *SERVICES}
    assert not any(gone(pid) for pid in pids.values())

    stack.supervisor.stop()

    assert [name for name, pid in pids.items() if not gone(pid)] == []
    assert [name for name in SERVICES if port_in_use("127.0.0.1", stack.config.ports[name])] == []


def test_a_service_that_cannot_start_is_named_and_the_rest_is_stopped(tmp_path: Path) -> None:
    config = stack_config(tmp_path / "var", FAIRPATH_REGISTRY_DATABASE_URL="nosuchdriver://nowhere/registry")
    supervisor = build_stack(config)

    with pytest.raises(StackError) as caught:
        supervisor.start()

    message = str(caught.value)
    assert message.startswith("registry exited with code")
    assert "registry.log" in message
    assert "nosuchdriver" in message  # the end of its log tells why
    assert [p.name for p in supervisor.processes if p.pid is not None and not gone(p.pid)] == []


def test_fairpath_up_prints_credentials_and_ctrl_c_stops_everything(tmp_path: Path) -> None:
    """The real entry point, `./fairpath up`, on free ports (--base-port, --nats-port) with its
    own var dir; FAIRPATH_SKIP_SYNC=1 because this test already runs in the synced venv."""
    base, nats_port = free_port_block(4), free_port()
    var_dir = tmp_path / "var"
    output = tmp_path / "up.out"
    env = clean_env(FAIRPATH_VAR_DIR=str(var_dir), FAIRPATH_SKIP_SYNC="1")
    argv = [
        str(ROOT / "fairpath"),
        "up",
        "--base-port",
        str(base),
        "--nats-port",
        str(nats_port),
        "--timeout",
        str(READY_TIMEOUT),
    ]
    pids: dict[str, int] = {}
    with open(output, "wb") as out:
        launcher = subprocess.Popen(
            argv,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=tmp_path,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:
        poll_until(
            lambda: launcher.poll() is not None or "Press Ctrl-C to stop." in output.read_text(),
            READY_TIMEOUT + 10,
            "./fairpath up to be ready",
        )
        printed = output.read_text()
        assert launcher.poll() is None, printed

        gateway = f"http://127.0.0.1:{base}"
        assert gateway in printed
        assert f"{gateway}/docs" in printed
        assert f"{gateway}/portal/" in printed
        credentials = json.loads((var_dir / "demo-credentials.json").read_text())
        assert credentials["gateway"] == gateway
        for user in credentials["users"].values():
            assert user["password"] in printed
            assert user["api_key"] in printed
        assert httpx.get(f"{gateway}/readyz", timeout=5).status_code == 200
        # The demo agency's business record exists and is the agency user's own.
        assert "Demo records: agency business" in printed
        mine = httpx.get(
            f"{gateway}/v1/businesses", headers={"X-API-Key": credentials["users"]["agency"]["api_key"]}, timeout=10
        ).json()["items"]
        assert "Demo Recruitment Agency Pvt Ltd" in [b["legal_name"] for b in mine]
        # Both demo businesses come vetted and approved (four eyes), so a first contract check can pass.
        status_of = {b["legal_name"]: b["status"] for b in mine}
        assert status_of["Demo Recruitment Agency Pvt Ltd"] == "approved", status_of
        employer_own = httpx.get(
            f"{gateway}/v1/businesses", headers={"X-API-Key": credentials["users"]["employer"]["api_key"]}, timeout=10
        ).json()["items"]
        assert [b["status"] for b in employer_own if b["legal_name"] == "Demo Employer Construction LLC"] == [
            "approved"
        ]
        # The demo worker's login opens the worker's own record.
        worker_id = printed.split("worker ", 1)[1].split(" ", 1)[0]
        own = poll_until(
            lambda: (
                httpx.get(
                    f"{gateway}/v1/workers/{worker_id}",
                    timeout=10,
                    headers={"X-API-Key": credentials["users"]["worker"]["api_key"]},
                ).status_code
                == 200
            ),
            10,
            "the worker's own record",
        )
        assert own

        pids = json.loads((var_dir / "run" / "stack.json").read_text())["pids"]
        assert set(pids) == {"nats-server", *SERVICES}
        assert not any(gone(pid) for pid in pids.values())

        launcher.send_signal(signal.SIGINT)
        assert launcher.wait(30) == 0, output.read_text()
    finally:
        if launcher.poll() is None:
            launcher.kill()
            launcher.wait()
        for pid in pids.values():  # only if the test failed: do not leak processes into the run
            if not gone(pid):
                os.killpg(pid, signal.SIGKILL)

    assert [name for name, pid in pids.items() if not gone(pid)] == []
    assert "Stopped; nothing is left running." in output.read_text()
    assert not (var_dir / "run" / "stack.json").exists()

"""The real `./fairpath up` on free loopback ports with its own nats-server, as a new user meets it,
then under faults.

The README's first contract goes through as written; admin commands say what they found. A killed
service comes back while the others keep answering; a killed nats-server comes back and what was
written meanwhile is published; writes never wait on a hung broker; a seasonal worker is walked through
months of the journey (matching and orientation to the next season's invitation) by moving the clock through the API, which
also expires an approval; and a stop while the broker hangs answers no request with a 500. The tests
share one stack and run in file order (the last one stops it)."""

import asyncio
import contextlib
import json
import os
import re
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as dt_time
from pathlib import Path

import httpx
import nats
import pyotp
import pytest

from fairpath.common.services import ALL_SERVICES
from fairpath.common.testing.fixtures import POSTGRES_ENV, PostgresAdmin
from fairpath.common.testing.nats import env_is_ci, free_port
from fairpath.deploy.processes import gone

from .test_launcher import READY_TIMEOUT, ROOT, clean_env, free_port_block, poll_until

# What the launcher promises: a write while the broker is away, and a service back after a kill.
WRITE_BOUND_SECONDS = 2.0
RECOVERY_BOUND_SECONDS = 30.0


@dataclass
class Launcher:
    process: subprocess.Popen
    output: Path
    var_dir: Path
    gateway: str
    nats_url: str
    credentials: dict

    def printed(self) -> str:
        return self.output.read_text()

    def pids(self) -> dict[str, int]:
        return json.loads((self.var_dir / "run" / "stack.json").read_text())["pids"]

    def headers(self, user: str) -> dict[str, str]:
        return {"X-API-Key": self.credentials["users"][user]["api_key"]}

    def service_url(self, name: str) -> str:
        ports = {"vetting": 1, "contracts": 2, "registry": 3}
        base = int(self.gateway.rsplit(":", 1)[1])
        return f"http://127.0.0.1:{base + ports[name]}"


@contextlib.contextmanager
def launched(tmp: Path, **env_extra: str) -> Iterator[Launcher]:
    """`./fairpath up` as a new user runs it, on free ports, with what `env_extra` adds to its environment."""
    base, nats_port = free_port_block(4), free_port()
    var_dir, output = tmp / "var", tmp / "up.out"
    # Vetting's scheduled jobs every second, so a moved clock shows at once.
    env = clean_env(
        FAIRPATH_VAR_DIR=str(var_dir),
        FAIRPATH_SKIP_SYNC="1",
        FAIRPATH_VETTING_SCHEDULE_INTERVAL_SECONDS="1",
        **env_extra,
    )
    argv = [str(ROOT / "fairpath"), "up", "--base-port", str(base), "--nats-port", str(nats_port)]
    with open(output, "wb") as out:
        process = subprocess.Popen(
            [*argv, "--timeout", str(READY_TIMEOUT)], stdout=out, stderr=subprocess.STDOUT, env=env, cwd=tmp,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
    started = Launcher(process, output, var_dir, f"http://127.0.0.1:{base}", f"nats://127.0.0.1:{nats_port}", {})
    pids: dict[str, int] = {}
    try:
        poll_until(
            lambda: process.poll() is not None or "Press Ctrl-C to stop." in output.read_text(),
            READY_TIMEOUT + 10,
            "./fairpath up to be ready",
        )
        assert process.poll() is None, output.read_text()
        started.credentials = json.loads((var_dir / "demo-credentials.json").read_text())
        pids = started.pids()
        yield started
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for pid in [*pids.values(), *_current_pids(started)]:  # only if a test failed: leak nothing
            if not gone(pid):
                os.killpg(pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def launcher(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Launcher]:
    with launched(tmp_path_factory.mktemp("faults")) as started:
        yield started


@pytest.fixture(scope="module")
def launcher_on_postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Launcher]:
    """`./fairpath up` with each service's database on PostgreSQL (FAIRPATH_<SERVICE>_DATABASE_URL)."""
    url = os.environ.get(POSTGRES_ENV)
    admin = PostgresAdmin(url) if url else None
    if admin is None or not asyncio.run(admin.reachable()):
        if env_is_ci():
            pytest.fail(f"no PostgreSQL at {POSTGRES_ENV}: the suite promises both databases under CI=true")
        pytest.skip(f"no PostgreSQL at {POSTGRES_ENV}")
    databases = {
        f"{spec.settings_prefix}DATABASE_URL": asyncio.run(admin.create(f"up_{spec.name}")) for spec in ALL_SERVICES
    }
    try:
        with launched(tmp_path_factory.mktemp("up-postgres"), **databases) as started:
            yield started
    finally:
        asyncio.run(admin.drop_all())


def _current_pids(launcher: Launcher) -> list[int]:
    try:
        return list(launcher.pids().values())
    except (OSError, ValueError):
        return []


def business_body(name: str) -> dict:
    return {"kind": "employer", "legal_name": name, "country": "AE", "registration_number": uuid.uuid4().hex[:12]}


def timed_registration(launcher: Launcher, name: str) -> str:
    started = time.monotonic()
    response = httpx.post(
        f"{launcher.gateway}/v1/businesses", json=business_body(name), headers=launcher.headers("agency"), timeout=30
    )
    elapsed = time.monotonic() - started
    assert response.status_code == 201, response.text
    assert elapsed < WRITE_BOUND_SECONDS, f"a write took {elapsed:.1f} s while the broker was away"
    return response.json()["id"]


def on_the_stream(nats_url: str, ids: list[str]) -> bool:
    """Whether each id appears in exactly one message of the VETTING stream."""

    async def count() -> list[int]:
        nc = await nats.connect(nats_url, connect_timeout=2, max_reconnect_attempts=0)
        try:
            js = nc.jetstream()
            state = (await js.stream_info("VETTING")).state
            found = [0] * len(ids)
            for seq in range(max(state.first_seq, 1), state.last_seq + 1):
                data = (await js.get_msg("VETTING", seq)).data
                for i, business_id in enumerate(ids):
                    found[i] += business_id.encode() in data
            return found
        finally:
            await nc.close()

    try:
        return asyncio.run(count()) == [1] * len(ids)
    except Exception:  # noqa: BLE001 - the broker may still be on its way back
        return False


def readme_body(name: str, **values: str) -> dict:
    """A JSON body of the README's first-contract steps, its placeholders filled as the README says."""
    text = (ROOT / "README.md").read_text()
    found = re.search(rf"<!-- first-contract: {name} -->\n```json\n(.*?)\n```", text, re.DOTALL)
    assert found, f"the README has no first-contract block {name!r}"
    body = found.group(1)
    for placeholder, value in values.items():
        body = body.replace(placeholder, value)
    return json.loads(body)


def test_a_new_user_issues_a_first_contract_by_the_readme(launcher: Launcher) -> None:
    printed = launcher.printed()
    ids = re.search(r"agency business (\S+) \(approved\), employer business (\S+) \(approved\), worker (\S+) ", printed)
    assert ids, printed
    agency_id, employer_id, worker_id = ids.groups()
    gateway = launcher.gateway

    def as_user(user: str) -> httpx.Client:
        return httpx.Client(base_url=gateway, headers=launcher.headers(user), timeout=30)

    with as_user("admin") as admin, as_user("employer") as employer, as_user("agency") as agency:
        wage = admin.put("/v1/reference/minimum-wages", json=readme_body("minimum-wage"))
        assert wage.status_code == 200, wage.text
        order = employer.post(
            "/v1/job-orders", json=readme_body("job-order", EMPLOYER_ID=employer_id, AGENCY_ID=agency_id)
        )
        assert order.status_code == 201, order.text
        departure = datetime.now().date() + timedelta(days=30)
        contract = readme_body(
            "contract", EMPLOYER_ID=employer_id, AGENCY_ID=agency_id, WORKER_ID=worker_id,
            JOB_ORDER_ID=order.json()["id"], POSITION_ID=order.json()["positions"][0]["id"],
            DEPARTURE_DATE=departure.isoformat(), START_DATE=(departure + timedelta(days=2)).isoformat(),
        )  # fmt: skip
        checked = poll_until(
            lambda: (result := agency.post("/v1/contracts/check", json=contract).json()).get("passes") and result,
            20, "the check to pass (contracts learning the worker's consent)", interval=0.3,
        )  # fmt: skip
        assert checked["passes"] is True
        drafted = agency.post("/v1/contracts", json=contract)
        assert drafted.status_code == 201, drafted.text
        issued = agency.post(f"/v1/contracts/{drafted.json()['id']}/issue")
        assert issued.status_code == 200, issued.text
    with as_user("worker") as worker:
        contract_id = drafted.json()["id"]
        document = worker.get(f"/v1/contracts/{contract_id}/document", params={"format": "pdf", "lang": "ne"})
        assert document.status_code == 200 and document.content.startswith(b"%PDF")
        signed = worker.post(f"/v1/contracts/{contract_id}/sign", json={"version": 1, "method": "electronic"})
        assert signed.status_code == 200, signed.text
        assert signed.json()["status"] == "signed"


def test_a_fresh_demo_has_work_waiting_for_each_role(launcher: Launcher) -> None:
    """The agency finds the employer's job order to draft from, the second officer a potential hit and a case
    the first opened, and the auditor a signed checkpoint of every audit chain: each role's main task in the
    portal starts from what `up` printed."""
    printed = launcher.printed()
    found = re.search(r"job order (\S+) \(DEMO-JO-1\).*business (\S+) under review", printed)
    assert found, printed
    job_order_id, under_review = found.groups()

    def get(user: str, path: str, **params: object) -> dict:
        response = httpx.get(f"{launcher.gateway}{path}", params=params, headers=launcher.headers(user), timeout=30)
        assert response.status_code == 200, (path, response.text)
        return response.json()

    assert get("agency", f"/v1/job-orders/{job_order_id}")["positions"][0]["title"] == "Mason"
    hits = get("compliance_officer_2", f"/v1/businesses/{under_review}/screening-hits")["items"]
    assert [(h["watchlist_kind"], h["status"]) for h in hits] == [("sanctions", "potential")]
    cases = get("compliance_officer_2", "/v1/vetting-cases", status="open")["items"]
    officer = get("compliance_officer", "/v1/me")["user_id"]
    assert [c["opened_by"] for c in cases if c["business_id"] == under_review] == [officer]
    for service in ("vetting", "contracts", "registry", "gateway"):
        assert get("auditor", f"/v1/audit/{service}/checkpoints")["items"], service


def test_a_killed_service_is_back_and_serving_while_the_others_keep_answering(launcher: Launcher) -> None:
    registry_pid = launcher.pids()["registry"]
    os.killpg(registry_pid, signal.SIGKILL)
    killed_at = time.monotonic()

    def registry_serves() -> bool:
        # The others answer all along: the gateway, and vetting through it.
        assert httpx.get(f"{launcher.gateway}/healthz", timeout=5).status_code == 200
        listed = httpx.get(f"{launcher.gateway}/v1/businesses", headers=launcher.headers("agency"), timeout=5)
        assert listed.status_code == 200, listed.text
        workers = httpx.get(f"{launcher.gateway}/v1/workers", headers=launcher.headers("agency"), timeout=5)
        return workers.status_code == 200

    poll_until(registry_serves, RECOVERY_BOUND_SECONDS, "worker-registry to serve again", interval=0.3)
    assert time.monotonic() - killed_at < RECOVERY_BOUND_SECONDS
    printed = launcher.printed()
    assert "fairpath: registry exited with code -9" in printed
    assert "fairpath: registry restarted (pid" in printed
    assert launcher.pids()["registry"] != registry_pid
    assert launcher.process.poll() is None


def test_a_killed_nats_server_is_restarted_and_what_was_written_meanwhile_is_published(launcher: Launcher) -> None:
    os.killpg(launcher.pids()["nats-server"], signal.SIGKILL)
    written = [timed_registration(launcher, f"Written While NATS Was Down {i}") for i in range(3)]
    poll_until(lambda: "nats-server is ready again" in launcher.printed(), 30, "nats-server to be restarted")
    poll_until(lambda: on_the_stream(launcher.nats_url, written), 20, "the writes to be published", interval=0.5)


def test_writes_commit_in_their_usual_time_while_the_broker_hangs(launcher: Launcher) -> None:
    broker = launcher.pids()["nats-server"]
    os.killpg(broker, signal.SIGSTOP)  # connections stay open, nothing answers: the relay's publish hangs
    try:
        written = [timed_registration(launcher, f"Written While NATS Hung {i}") for i in range(4)]
    finally:
        os.killpg(broker, signal.SIGCONT)
    poll_until(lambda: on_the_stream(launcher.nats_url, written), 30, "the writes to be published", interval=0.5)


def test_admin_commands_say_what_they_found_even_when_it_is_nothing(launcher: Launcher) -> None:
    admin = ["--gateway", launcher.gateway, "--api-key", launcher.credentials["users"]["admin"]["api_key"]]
    run = [str(ROOT / ".venv" / "bin" / "python"), "-m", "fairpath.deploy.cli", "admin"]

    def admin_says(*command: str) -> str:
        done = subprocess.run([*run, *command, *admin], capture_output=True, text=True, timeout=60, env=clean_env())
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert "Demo sanctions list (fictional)" in admin_says("watchlists", "list")  # the one `up` loads
    assert admin_says("events", "dead-letters").startswith("0 dead letter(s)")
    assert admin_says("clock", "show").startswith("now ") and "the system's clock" in admin_says("clock", "show")


def admin_command(launcher: Launcher, *command: str) -> str:
    """`./fairpath admin ...` as the operator types it, with the demo admin's printed API key."""
    admin = ["--gateway", launcher.gateway, "--api-key", launcher.credentials["users"]["admin"]["api_key"]]
    run = [str(ROOT / ".venv" / "bin" / "python"), "-m", "fairpath.deploy.cli", "admin"]
    done = subprocess.run([*run, *command, *admin], capture_output=True, text=True, timeout=60, env=clean_env())
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_new_agency_and_its_first_user_come_from_the_admin_cli_and_sign_in_with_totp(launcher: Launcher) -> None:
    """The operator signs in with the printed credentials, makes a second agency and its first user with
    `./fairpath admin`; the user activates with the one-time code, sets up TOTP and signs in with both."""
    gateway, admin = launcher.gateway, launcher.credentials["users"]["admin"]
    assert admin["password"] in launcher.printed()
    signed_in = httpx.post(
        f"{gateway}/v1/auth/token", timeout=30,
        data={"username": "admin", "password": admin["password"], "totp": pyotp.TOTP(admin["totp_secret"]).now()},
    )  # fmt: skip
    assert signed_in.status_code == 200, signed_in.text

    name, username = f"Second Agency {uuid.uuid4().hex[:6]}", f"amina.{uuid.uuid4().hex[:6]}"
    created = admin_command(launcher, "organizations", "create", name, "--kind", "recruitment_agency")
    org_id = re.search(r"created organisation (\S+) \(recruitment_agency: ", created).group(1)
    assert org_id in admin_command(launcher, "organizations", "list", "--kind", "recruitment_agency")
    assert admin_command(launcher, "keys", "list", org_id).startswith("no API keys in this organisation yet")
    user_out = admin_command(launcher, "users", "create", username, "--organization", org_id)
    assert f"created user {username} (agency, " in user_out
    code = re.search(r"one-time code\s+(\S+)", user_out).group(1)

    password = "a passphrase only Amina knows"
    with httpx.Client(base_url=gateway, timeout=30) as client:
        activated = client.post("/v1/auth/activate", json={"username": username, "code": code, "password": password})
        assert activated.status_code == 204, activated.text
        tokens = client.post("/v1/auth/token", data={"username": username, "password": password}).json()
        headers = {"Authorization": f"Bearer {tokens['access_token']}"}
        secret = client.post("/v1/me/totp", headers=headers).json()["secret"]
        confirmed = client.post("/v1/me/totp/confirm", json={"code": pyotp.TOTP(secret).now()}, headers=headers)
        assert confirmed.status_code == 200 and len(confirmed.json()["recovery_codes"]) == 10

        without = client.post("/v1/auth/token", data={"username": username, "password": password})
        assert without.status_code == 401 and without.json()["type"] == "urn:fairpath:problem:second_factor_required"
        totp = pyotp.TOTP(secret).at(time.time() + 30)  # the next step's code: the current one was just used
        with_totp = client.post("/v1/auth/token", data={"username": username, "password": password, "totp": totp})
        assert with_totp.status_code == 200, with_totp.text
        me = client.get("/v1/me", headers={"Authorization": f"Bearer {with_totp.json()['access_token']}"}).json()
    assert (me["username"], me["role"], me["organization"]["name"]) == (username, "agency", name)
    assert (me["authenticated_by"], me["totp_enabled"]) == ("password", True)
    listed = admin_command(launcher, "users", "list", org_id)
    assert username in listed and "active" in listed and "totp" in listed


def test_a_second_employer_with_its_business_and_first_user_is_one_command_away(launcher: Launcher) -> None:
    suffix = uuid.uuid4().hex[:6]
    out = admin_command(
        launcher, "organizations", "create", f"Second Employer {suffix} LLC", "--kind", "employer",
        "--user", f"employer.{suffix}", "--country", "AE", "--registration-number", f"EMP2-{suffix}",
    )  # fmt: skip
    org_id = re.search(r"created organisation (\S+) ", out).group(1)
    business_id = re.search(r"registered its business (\S+) for vetting", out).group(1)
    assert f"created user employer.{suffix} (employer, " in out and re.search(r"one-time code\s+\S+", out)

    def linked() -> bool:
        org = httpx.get(
            f"{launcher.gateway}/v1/admin/organizations/{org_id}", headers=launcher.headers("admin"), timeout=10
        ).json()
        return org["business_id"] == business_id

    poll_until(linked, 20, "the gateway to link the organisation to the business vetting announced", interval=0.3)


def signed_in(gateway: str, username: str, password: str) -> httpx.Client:
    """A client of the user's own login: signed in afresh at the clock's time (a moved clock outlives a token)."""
    token = httpx.post(f"{gateway}/v1/auth/token", data={"username": username, "password": password}, timeout=30)
    assert token.status_code == 200, token.text
    return httpx.Client(
        base_url=gateway, headers={"Authorization": f"Bearer {token.json()['access_token']}"}, timeout=30
    )


def ok(response: httpx.Response, status: int = 200) -> dict:
    assert response.status_code == status, response.text
    return response.json()


@pytest.mark.parametrize("database", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_seasonal_worker_is_walked_from_orientation_to_the_next_seasons_invitation(
    database: str, request: pytest.FixtureRequest
) -> None:
    """One worker's months through the gateway, the clock moved by the admin: registered with consent,
    oriented in Nepali, found on a job order's shortlist and picked by the agency, the offer accepted, a seasonal
    contract signed, deployed and arrived, checked in on at 2, 6 and 12 weeks
    (a worrying answer becomes a grievance an officer substantiates, and a finding in vetting), the season
    completed in good standing, home again, and invited back for the next season."""
    launcher: Launcher = request.getfixturevalue("launcher" if database == "sqlite" else "launcher_on_postgres")
    found = re.search(r"agency business (\S+) \(approved\), employer business (\S+) \(approved\)", launcher.printed())
    assert found, launcher.printed()
    agency_id, employer_id = found.groups()
    gateway = launcher.gateway

    def as_user(user: str) -> httpx.Client:
        return httpx.Client(base_url=gateway, headers=launcher.headers(user), timeout=30)

    def move_clock(day: date) -> None:
        ok(admin.put("/v1/admin/clock", json={"now": datetime.combine(day, dt_time(12), tzinfo=UTC).isoformat()}))

    with (
        as_user("admin") as admin, as_user("agency") as agency, as_user("employer") as employer,
        as_user("compliance_officer") as officer,
    ):  # fmt: skip
        today = datetime.fromisoformat(ok(admin.get("/v1/admin/clock"))["now"]).date()
        try:
            # Registered by the agency with the worker's consents; the worker's own login, from the operator.
            worker = ok(
                agency.post("/v1/workers", json={
                    "full_name": "Sita Gurung", "date_of_birth": "1996-04-12", "sex": "female", "nationality": "NP",
                    "identity_document": {
                        "kind": "passport", "number": f"PA{uuid.uuid4().int % 10**7:07d}", "issuing_country": "NP",
                    },
                    "languages": [{"language": "ne", "proficiency": "native"}],
                    "skills": [{"occupation": "7112", "level": "skilled", "years_experience": 4}],
                    "consents": [
                        {"purpose": p, "method": "written_signature", "language": "ne"}
                        for p in ("registration", "employment_contract")
                    ],
                }),
                201,
            )  # fmt: skip
            worker_id, username, password = worker["id"], f"sita.{uuid.uuid4().hex[:6]}", "Sita's own passphrase"
            login = poll_until(
                lambda: (r := admin.post("/v1/admin/users", json={"username": username, "worker_id": worker_id}))
                .status_code == 201 and r.json(),
                20, "the gateway to learn of the worker from the registry", interval=0.3,
            )  # fmt: skip
            code = login["activation"]["code"]
            activated = httpx.post(
                f"{gateway}/v1/auth/activate",
                json={"username": username, "code": code, "password": password},
                timeout=30,
            )
            assert activated.status_code == 204, activated.text

            # A four-month season's job order.
            ok(admin.put("/v1/reference/minimum-wages", json=readme_body("minimum-wage")))
            season = readme_body("job-order", EMPLOYER_ID=employer_id, AGENCY_ID=agency_id)
            season["reference"] = f"SEASON-{uuid.uuid4().hex[:6]}"
            season["positions"][0]["offered"]["duration_months"] = 4
            order = ok(employer.post("/v1/job-orders", json=season), 201)

            # Matching: the agency finds Sita on the job order's shortlist and picks her; she accepts the offer.
            shortlist = {"job_order_id": order["id"], "limit": 100}
            candidate = poll_until(
                lambda: next(
                    (c for c in agency.get("/v1/candidates", params=shortlist).json().get("candidates", [])
                     if c["worker"]["id"] == worker_id),
                    None,
                ),
                20, "the registry to learn of the job order", interval=0.3,
            )  # fmt: skip
            picked = {"job_order_id": order["id"], "worker_id": worker_id, "position_id": candidate["position_id"]}
            offer = ok(agency.post("/v1/offers", json=picked), 201)
            with signed_in(gateway, username, password) as sita:
                pending = ok(sita.get("/v1/offers", params={"status": "pending"}))["items"]
                assert [o["id"] for o in pending] == [offer["id"]]
                assert ok(sita.post(f"/v1/offers/{offer['id']}/accept"))["status"] == "accepted"

            # Orientation in Nepali: the agency records the attendance, the worker confirms it.
            session = ok(
                agency.post("/v1/orientation-sessions", json={
                    "held_on": today.isoformat(), "place": "Kathmandu, agency training hall", "language": "ne",
                    "topics": ["contract_terms", "fees_never_paid_by_worker", "how_to_file_a_grievance"],
                }),
                201,
            )  # fmt: skip
            ok(agency.post(f"/v1/orientation-sessions/{session['id']}/attendance", json={"worker_id": worker_id}))
            with signed_in(gateway, username, password) as sita:
                confirmed = ok(sita.post(f"/v1/orientation-sessions/{session['id']}/attendance", json={}))
            assert confirmed["attendance"][0]["confirmed_at"] is not None

            # The contract, issued and signed.
            departure, start = today + timedelta(days=10), today + timedelta(days=12)
            draft = readme_body(
                "contract", EMPLOYER_ID=employer_id, AGENCY_ID=agency_id, WORKER_ID=worker_id,
                JOB_ORDER_ID=order["id"], POSITION_ID=order["positions"][0]["id"],
                DEPARTURE_DATE=departure.isoformat(), START_DATE=start.isoformat(),
            )  # fmt: skip
            draft["terms"]["parties"]["worker"]["full_name"] = "Sita Gurung"
            draft["terms"]["period"] |= {"term": "seasonal", "duration_months": 4, "probation_days": 0}
            poll_until(
                lambda: agency.post("/v1/contracts/check", json=draft).json().get("passes"),
                20, "contracts to learn of the worker and their consent", interval=0.3,
            )  # fmt: skip
            contract = ok(agency.post("/v1/contracts", json=draft), 201)
            contract_id = contract["id"]
            issued = ok(agency.post(f"/v1/contracts/{contract_id}/issue"))
            with signed_in(gateway, username, password) as sita:
                signed = ok(
                    sita.post(
                        f"/v1/contracts/{contract_id}/sign",
                        json={"version": issued["current_version"], "method": "electronic"},
                    )
                )
            assert signed["status"] == "signed"

            # Deployment: visa and medical at the employer's cost; travel on the departure day.
            steps = f"/v1/placements/{contract_id}/deployment-steps"
            poll_until(lambda: agency.get(steps).status_code == 200, 20, "the registry's placement", interval=0.3)
            cost = {"payer": "employer", "amount_minor": 450000, "currency": "AED"}
            ok(agency.patch(steps, json={"steps": [
                {"step": "visa", "state": "done", "cost": cost}, {"step": "medical", "state": "done", "cost": cost},
            ]}))  # fmt: skip
            move_clock(departure)
            travelled = ok(agency.patch(steps, json={"steps": [
                {"step": "travel", "state": "done", "completed_on": departure.isoformat()},
            ]}))  # fmt: skip
            assert {s["step"]: s["state"] for s in travelled["steps"]} == {
                "visa": "done", "medical": "done", "document_verification": "pending", "travel": "done",
            }  # fmt: skip

            # Arrival: the contract presented is the one signed, so it becomes active.
            move_clock(start)
            arrival = ok(
                officer.post(
                    f"/v1/contracts/{contract_id}/arrival-verification", json={"presented_terms": signed["terms"]}
                )
            )
            assert (arrival["substitution_found"], arrival["contract_status"]) == (False, "active")

            # Check-ins 2, 6 and 12 weeks after the start, each answered on its day; at 6 weeks the pay is short.
            with signed_in(gateway, username, password) as sita:
                check_ins = poll_until(
                    lambda: len(items := sita.get(f"/v1/workers/{worker_id}/check-ins").json()["items"]) == 3
                    and items,
                    20, "the registry to schedule the check-ins on the activation", interval=0.3,
                )  # fmt: skip
            assert [(c["week"], c["due_on"]) for c in check_ins] == [
                (w, (start + timedelta(weeks=w)).isoformat()) for w in (2, 6, 12)
            ]
            fine = {
                "paid_in_full_and_on_time": True, "passport_in_hand": True, "contract_is_the_one_signed": True,
                "paid_any_fee": False, "want_to_talk": False, "language": "ne",
            }  # fmt: skip
            grievance_id = None
            for check_in in check_ins:
                move_clock(date.fromisoformat(check_in["due_on"]))
                with signed_in(gateway, username, password) as sita:
                    poll_until(
                        lambda c=check_in: sita.get(f"/v1/workers/{worker_id}/check-ins").json()["items"][
                            check_ins.index(c)
                        ]["status"] == "due",
                        20, "the registry to follow the clock", interval=0.3,
                    )  # fmt: skip
                    worrying = check_in["week"] == 6
                    answers = fine | ({"paid_in_full_and_on_time": False} if worrying else {})
                    answered = ok(sita.post(f"/v1/check-ins/{check_in['id']}/answers", json=answers))
                assert answered["status"] == "answered"
                assert (answered["grievance_id"] is not None) == worrying
                grievance_id = grievance_id or answered["grievance_id"]

                if worrying:
                    # Confidential: the employer does not reach it; an officer investigates and substantiates it.
                    assert employer.get(f"/v1/grievances/{grievance_id}").status_code == 404
                    ok(
                        officer.patch(
                            f"/v1/grievances/{grievance_id}",
                            json={"status": "under_investigation", "business_id": employer_id},
                        )
                    )
                    decided = ok(
                        officer.patch(
                            f"/v1/grievances/{grievance_id}",
                            json={
                                "status": "substantiated", "severity": "medium",
                                "decision_note": "Payslips show the overtime of two weeks unpaid.",
                            },
                        )
                    )  # fmt: skip
                    assert (decided["status"], decided["indicators"]) == ("substantiated", ["withholding_of_wages"])
                    finding = poll_until(
                        lambda: next(
                            (
                                f
                                for f in officer.get(
                                    f"/v1/businesses/{employer_id}/findings", params={"kind": "substantiated_grievance"}
                                ).json()["items"]
                                if f["source_ref"] == grievance_id
                            ),
                            None,
                        ),
                        20, "vetting to record the substantiated grievance as a finding", interval=0.3,
                    )  # fmt: skip
                    assert (finding["principle"], finding["severity"]) == ("A", "medium")
            # Withheld wages are not among the gravest indicators: the employer stays approved, under review.
            assert ok(officer.get(f"/v1/businesses/{employer_id}"))["status"] == "approved"

            # The season ends in good standing; the employer records the journey home, the worker confirms it.
            end = date.fromisoformat(ok(employer.get(f"/v1/contracts/{contract_id}"))["end_date"])
            move_clock(end)
            completion = {"completed_on": end.isoformat(), "good_standing": True}
            completed = poll_until(
                lambda: (r := employer.post(f"/v1/contracts/{contract_id}/complete", json=completion)).status_code
                != 422 and r,
                20, "contracts to follow the clock to the season's end", interval=0.3,
            )  # fmt: skip
            assert ok(completed)["status"] == "completed"
            home = {"travel_date": end.isoformat(), "paid_by": "employer"}
            recorded = ok(employer.post(f"/v1/contracts/{contract_id}/return", json=home))
            assert (recorded["fee_finding"], recorded["rehire_eligible"]) == (False, False)  # not confirmed yet
            with signed_in(gateway, username, password) as sita:
                confirmed_home = ok(sita.post(f"/v1/contracts/{contract_id}/return", json={"confirmed_home": True}))
            assert confirmed_home["rehire_eligible"] is True

            # The next season: the employer's new job order, and the worker invited to it.
            season["reference"] = f"SEASON-{uuid.uuid4().hex[:6]}"
            next_order = ok(employer.post("/v1/job-orders", json=season), 201)
            invited = ok(
                employer.post(f"/v1/job-orders/{next_order['id']}/invitations", json={"contract_id": contract_id}),
                201,
            )
            assert (invited["worker_id"], invited["previous_contract_id"]) == (worker_id, contract_id)
            placement = poll_until(
                lambda: next(
                    (p for p in agency.get(f"/v1/workers/{worker_id}/placements").json()["items"]
                     if p["status"] == "completed"),
                    None,
                ),
                20, "the registry to learn of the completed season", interval=0.3,
            )  # fmt: skip
            assert placement["rehire_eligible"] is True

            # Her journey, as she sees it: the offer she accepted, her three check-ins answered, her confirmed
            # return home and the invitation to the next season.
            with signed_in(gateway, username, password) as sita:
                journey = poll_until(
                    lambda: (j := ok(sita.get(f"/v1/workers/{worker_id}/journey")))["invitations"] and j,
                    20, "the registry to learn of the invitation", interval=0.3,
                )  # fmt: skip
            assert [(o["id"], o["status"]) for o in journey["offers"]] == [(offer["id"], "accepted")]
            assert [c["status"] for c in journey["check_ins"]] == ["answered"] * 3
            [home] = journey["returns"]
            assert home["contract_id"] == contract_id and home["confirmed_home_at"] and home["rehire_eligible"]
            assert [i["job_order_id"] for i in journey["invitations"]] == [next_order["id"]]
        finally:
            back = admin.put("/v1/admin/clock", json={"now": None})
        assert back.status_code == 200 and back.json()["offset_seconds"] == 0


def test_moving_the_clock_through_the_api_expires_an_approval_in_every_service(launcher: Launcher) -> None:
    """A time-dependent rule walked end to end: an approval lapses when the clock passes its expiry."""
    with (
        httpx.Client(base_url=launcher.gateway, headers=launcher.headers("agency"), timeout=30) as agency,
        httpx.Client(base_url=launcher.gateway, headers=launcher.headers("compliance_officer"), timeout=30) as co,
        httpx.Client(base_url=launcher.gateway, headers=launcher.headers("compliance_officer_2"), timeout=30) as co2,
        httpx.Client(base_url=launcher.gateway, headers=launcher.headers("admin"), timeout=30) as admin,
    ):
        business = agency.post("/v1/businesses", json=business_body("Clockwork Builders LLC")).json()
        case = co.post(f"/v1/businesses/{business['id']}/vetting-cases", json={"reason": "initial vetting"}).json()
        decided = co2.post(
            f"/v1/vetting-cases/{case['id']}/decision", json={"decision": "approved", "reason": "in order"}
        )
        assert decided.status_code == 200, decided.text
        approved = agency.get(f"/v1/businesses/{business['id']}").json()
        assert approved["status"] == "approved"
        expires = datetime.fromisoformat(approved["approval_expires_at"])
        try:
            moved = admin.put("/v1/admin/clock", json={"now": (expires + timedelta(days=1)).isoformat()})
            assert moved.status_code == 200, moved.text
            assert datetime.fromisoformat(moved.json()["now"]) > expires
            poll_until(
                lambda: agency.get(f"/v1/businesses/{business['id']}").json()["status"] == "expired",
                20, "vetting's scheduler to expire the approval by the moved clock", interval=0.3,
            )  # fmt: skip
            # The audit trail says what happened, at the moved time.
            history = co.get(f"/v1/businesses/{business['id']}/history").json()
            assert any(entry["action"] == "business.expired" for entry in history["items"])
            assert agency.get("/v1/admin/clock").status_code == 403  # only an admin reads or moves the clock
        finally:
            back = admin.put("/v1/admin/clock", json={"now": None})
        assert back.status_code == 200 and back.json()["offset_seconds"] == 0


def test_a_stop_while_the_broker_hangs_answers_no_request_with_a_500(launcher: Launcher) -> None:
    """Runs last: it stops the module's stack."""
    pids = launcher.pids()
    statuses: list[int] = []
    stop = threading.Event()

    def keep_writing() -> None:
        with httpx.Client(base_url=launcher.gateway, headers=launcher.headers("agency"), timeout=30) as client:
            while not stop.is_set():
                try:
                    statuses.append(client.post("/v1/businesses", json=business_body("Written At Stop")).status_code)
                except httpx.HTTPError:
                    pass  # the gateway closing its door is no answer at all, and no 500

    os.killpg(pids["nats-server"], signal.SIGSTOP)
    writers = [threading.Thread(target=keep_writing) for _ in range(4)]
    for writer in writers:
        writer.start()
    try:
        poll_until(lambda: len(statuses) >= 8, 20, "writes flowing before the stop")
        launcher.process.send_signal(signal.SIGINT)
        services = [pid for name, pid in pids.items() if name != "nats-server"]
        poll_until(lambda: all(gone(pid) for pid in services), 60, "the services to stop")
    finally:
        stop.set()
        for writer in writers:
            writer.join(30)
        os.killpg(pids["nats-server"], signal.SIGCONT)
    assert launcher.process.wait(60) == 0, launcher.printed()
    assert 500 not in statuses, sorted(set(statuses))
    for name in ("vetting", "contracts", "registry", "gateway"):
        log = (launcher.var_dir / "logs" / f"{name}.log").read_text()
        assert "Application shutdown failed" not in log, name
    assert "Stopped; nothing is left running." in launcher.printed()

"""The request path does per request only what a request needs: a principal token is verified once (then only
its expiry), the gateway reuses a principal's token for half its life, the principal checks run on the event
loop (no worker thread), and a read-only session on SQLite sends no BEGIN (and refuses to write). Every
request is still counted and logged by its route."""

import threading
import time
import types
import uuid

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event, text

from fairpath.common import auth
from fairpath.common.auth import PrincipalSigner, PrincipalVerifier, Role, roles
from fairpath.common.db import Database, ReadOnlySessionError
from fairpath.common.errors import Unauthenticated, install_error_handlers
from fairpath.common.middleware import REQUESTS, RequestContextMiddleware
from fairpath.common.testing import PrincipalMinter, make_principal, throwaway_keypair


@pytest.fixture
def keys():
    return throwaway_keypair()


def clock_at(monkeypatch, seconds: float) -> None:
    """The time the principal code reads, moved to `seconds` from now."""
    now = time.time() + seconds
    monkeypatch.setattr(auth, "time", types.SimpleNamespace(time=lambda: now))


def test_a_principal_token_is_verified_once_then_only_its_expiry(keys, monkeypatch):
    verifier = PrincipalVerifier(keys.public_pem)
    token = PrincipalMinter(keys).token(make_principal(Role.agency), ttl_seconds=60)
    first = verifier.verify(token)
    assert verifier.verify(token) is first  # what the first verification found, not a second parse
    clock_at(monkeypatch, 30)
    assert verifier.verify(token) is first
    clock_at(monkeypatch, 120)  # past its expiry (and the leeway)
    with pytest.raises(Unauthenticated, match="ExpiredSignatureError"):
        verifier.verify(token)
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with pytest.raises(Unauthenticated):
        verifier.verify(forged)


def test_the_gateway_reuses_a_principal_s_token_for_half_its_life(keys, monkeypatch):
    signer = PrincipalSigner(keys.private_pem, ttl_seconds=60)
    agency, worker = make_principal(Role.agency), make_principal(Role.worker, worker_id=uuid.uuid4())
    token = signer.sign(agency)
    clock_at(monkeypatch, 20)
    assert signer.sign(agency) == token
    assert signer.sign(worker) != token
    assert PrincipalVerifier(keys.public_pem).verify(token) == agency
    clock_at(monkeypatch, 40)  # past half its life: a fresh one
    assert signer.sign(agency) != token


class RecordingVerifier(PrincipalVerifier):
    def __init__(self, public_pem: str) -> None:
        super().__init__(public_pem)
        self.threads: list[threading.Thread] = []

    def verify(self, token: str):
        self.threads.append(threading.current_thread())
        return super().verify(token)


async def test_the_principal_checks_run_on_the_event_loop_not_in_a_worker_thread(keys):
    app = FastAPI()
    install_error_handlers(app)
    app.state.principal_verifier = RecordingVerifier(keys.public_pem)

    @app.get("/v1/things")
    async def things(principal: roles(Role.admin)) -> dict:
        return {"role": principal.role}

    minter = PrincipalMinter(keys)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://svc") as client:
        allowed = await client.get("/v1/things", headers=minter.headers(make_principal(Role.admin)))
        refused = await client.get("/v1/things", headers=minter.headers(make_principal(Role.agency)))
        missing = await client.get("/v1/things")
    assert (allowed.status_code, refused.status_code, missing.status_code) == (200, 403, 401)
    assert app.state.principal_verifier.threads == [threading.current_thread()] * 2


async def test_a_read_only_session_on_sqlite_sends_no_begin_and_refuses_to_write(tmp_path):
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'read.db'}")
    sent: list[str] = []
    event.listen(database.engine.sync_engine, "before_cursor_execute", lambda *args: sent.append(args[2]))
    try:
        async with database.session() as session:
            await session.execute(text("CREATE TABLE parcel (id INTEGER PRIMARY KEY, label TEXT)"))
            await session.execute(text("INSERT INTO parcel (label) VALUES ('first')"))
        assert sent[0] == "BEGIN IMMEDIATE"  # a write session still takes the write lock at once
        sent.clear()
        async with database.session(read_only=True) as session:
            assert (await session.execute(text("SELECT label FROM parcel"))).scalar_one() == "first"
        assert sent == ["SELECT label FROM parcel"]
        with pytest.raises(ReadOnlySessionError, match="INSERT"):
            async with database.session(read_only=True) as session:
                await session.execute(text("INSERT INTO parcel (label) VALUES ('second')"))
        async with database.session(read_only=True) as session:
            assert (await session.execute(text("SELECT count(*) FROM parcel"))).scalar_one() == 1
    finally:
        await database.dispose()


async def test_each_request_is_counted_and_logged_by_its_route(caplog):
    app = FastAPI()
    app.add_middleware(RequestContextMiddleware, service="counted")

    @app.get("/v1/parcels/{parcel_id}")
    async def parcel(parcel_id: int) -> dict:
        return {"id": parcel_id}

    def count() -> float:
        return REQUESTS.labels("counted", "GET", "/v1/parcels/{parcel_id}", "200")._value.get()

    before = count()
    caplog.set_level("INFO", logger="fairpath.access")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://svc") as client:
        for parcel_id in (1, 2):
            r = await client.get(f"/v1/parcels/{parcel_id}", headers={"x-request-id": f"req-{parcel_id}"})
            assert r.status_code == 200 and r.headers["x-request-id"] == f"req-{parcel_id}"
        assert (await client.get("/healthz")).status_code == 404  # probes are neither counted nor logged
    assert count() == before + 2
    lines = [r for r in caplog.records if r.name == "fairpath.access"]
    assert [(r.path, r.status) for r in lines] == [("/v1/parcels/{parcel_id}", 200)] * 2

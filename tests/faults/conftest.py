"""Fixtures and checks of the fault tests: real parts on loopback (nats-servers on free ports, SQLite and
PostgreSQL databases of each test's own, services in this process or as processes the test kills), and the
one promise every fault test checks: each write a service accepted has its effect and its event exactly once,
counted on the stream and in the consumer of another service by event id."""

import asyncio
import contextlib
import json
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import nats
import pytest
from sqlalchemy import Table, func, select

from fairpath.common.config import CommonSettings
from fairpath.common.db import Database
from fairpath.common.secrets import Keypair
from fairpath.common.testing.nats import NatsServer, env_is_ci

# What every fault test holds a write to while the fault lasts (measured per request).
WRITE_BOUND_SECONDS = 2.0
REGISTERED = "org.fairpath.vetting.business.registered.v1"
# Under pytest-xdist (`./fairpath test` runs --dist loadgroup) the fault tests go to one worker, one after the
# other: a module's tests share its stack, and each measures its writes against a bound that a neighbouring
# fault test would eat into.
FAULTS_TOGETHER = pytest.mark.xdist_group("faults")


@pytest.fixture(scope="module")
def nats_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NatsServer]:
    """A nats-server of the module's own (the faults kill it, or fill its streams)."""
    server = NatsServer(tmp_path_factory.mktemp("fault-nats")).start()
    yield server
    kill(server)


def kill(server: NatsServer) -> None:
    """SIGKILL, as a crash: no chance to flush or say goodbye."""
    if server.process is not None and server.process.poll() is None:
        server.process.kill()
        server.process.wait(10)


def common_settings_for(var_dir: Path, keypair: Keypair, nats_url: str, **overrides: object) -> CommonSettings:
    return CommonSettings(
        env="test",
        var_dir=var_dir,
        nats_url=nats_url,
        principal_public_key=keypair.public_pem,
        audit_digest_key="fault-audit-digest-key",
        log_level="WARNING",
        **overrides,
    )


def postgres_or_skip(admin: object) -> None:
    if admin is None:
        message = "PostgreSQL not reachable (FAIRPATH_TEST_POSTGRES_URL unset or down)"
        if env_is_ci():
            pytest.fail(f"{message}: the suite promises both databases under CI=true")
        pytest.skip(message)


def business_body(name: str) -> dict:
    return {"kind": "employer", "legal_name": name, "country": "AE", "registration_number": uuid.uuid4().hex[:12]}


@dataclass
class Attempt:
    """One write as the client saw it."""

    name: str
    status: int | None  # None: no answer at all (the connection was cut)
    started: float  # time.monotonic()
    seconds: float
    body: dict = field(default_factory=dict)
    content_type: str = ""

    @property
    def accepted(self) -> bool:
        return self.status == 201

    @property
    def ended(self) -> float:
        return self.started + self.seconds

    def within(self, start: float, end: float) -> bool:
        return self.started >= start and self.ended <= end


def slow_writes(attempts: list[Attempt], since: float) -> list[str]:
    """The writes still waiting when the fault struck, or made after, that took the bound or longer (before it,
    a write's time is the machine's, not the fault's)."""
    return [
        f"{a.name}: {a.status} in {a.seconds:.2f} s"
        for a in attempts
        if a.ended >= since and a.seconds >= WRITE_BOUND_SECONDS
    ]


async def timed_post(client: httpx.AsyncClient, path: str, body: dict, name: str, **kwargs: object) -> Attempt:
    started = time.monotonic()
    try:
        response = await client.post(path, json=body, **kwargs)
    except httpx.TransportError:
        return Attempt(name, None, started, time.monotonic() - started)
    seconds = time.monotonic() - started
    try:
        answer = response.json()
    except ValueError:
        answer = {"text": response.text}
    return Attempt(name, response.status_code, started, seconds, answer, response.headers.get("content-type", ""))


async def keep_writing(
    write: Callable[[str], Awaitable[Attempt]], prefix: str, stop: asyncio.Event, attempts: list[Attempt]
) -> None:
    """Write one record after another, each named after its writer and number, until told to stop."""
    n = 0
    while not stop.is_set():
        attempts.append(await write(f"{prefix} {n} {uuid.uuid4().hex[:6]}"))
        n += 1
        # A breath between writes that ends at once when the writers are told to stop.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=0.02)


@dataclass
class StreamEvent:
    msg_id: str
    event: dict


async def stream_events(nats_url: str, stream: str) -> list[StreamEvent]:
    """Every message of a stream, with its Nats-Msg-Id and its CloudEvent (raises while no server answers)."""
    nc = await nats.connect(nats_url.split(","), connect_timeout=2, max_reconnect_attempts=0, allow_reconnect=False)
    try:
        js = nc.jetstream(timeout=5)
        state = (await js.stream_info(stream)).state
        found = []
        for seq in range(max(state.first_seq, 1), state.last_seq + 1):
            msg = await js.get_msg(stream, seq)
            found.append(StreamEvent((msg.headers or {}).get("Nats-Msg-Id", ""), json.loads(msg.data)))
        return found
    finally:
        await nc.close()


def events_named(events: list[StreamEvent], event_type: str, key: str) -> dict[str, list[StreamEvent]]:
    """The events of a type by a field of their data (a unique name each write was given)."""
    by_key: dict[str, list[StreamEvent]] = {}
    for item in events:
        if item.event.get("type") == event_type:
            by_key.setdefault(str(item.event["data"].get(key)), []).append(item)
    return by_key


def once_each(events: list[StreamEvent], event_type: str, key: str, names: list[str]) -> dict[str, str] | None:
    """Each name's event id, when every name has exactly one event on the stream (one message, its id the
    Nats-Msg-Id, no id twice); None while one is still missing. More than one fails at once."""
    ids = Counter(item.msg_id for item in events)
    assert [i for i, n in ids.items() if n > 1] == [], "a message id twice on the stream"
    by_name = events_named(events, event_type, key)
    twice = {name: len(by_name[name]) for name in names if len(by_name.get(name, [])) > 1}
    assert twice == {}, f"events published more than once: {twice}"
    if any(name not in by_name for name in names):
        return None
    for name in names:
        (item,) = by_name[name]
        assert item.msg_id == item.event["id"], "the message id is not the event id"
    return {name: by_name[name][0].event["id"] for name in names}


async def inbox_counts(database: Database, inbox: Table, consumer: str, event_ids: list[str]) -> dict[str, int]:
    """How many times a consumer recorded each event as applied (its inbox row commits with the effect)."""
    wanted = [uuid.UUID(e) for e in event_ids]
    counts: dict[str, int] = dict.fromkeys(event_ids, 0)
    async with database.session(read_only=True) as session:
        for start in range(0, len(wanted), 500):
            rows = await session.execute(
                select(inbox.c.event_id, func.count())
                .where(inbox.c.consumer == consumer, inbox.c.event_id.in_(wanted[start : start + 500]))
                .group_by(inbox.c.event_id)
            )
            for event_id, n in rows.all():
                counts[str(event_id)] = n
    return counts

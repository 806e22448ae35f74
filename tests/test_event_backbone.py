"""The event backbone over a real nats-server: outbox, relay, idempotent consumers, versions, dead letters."""

import asyncio
import time
import uuid
from datetime import timedelta

import pytest
from nats.js.api import DeliverPolicy
from prometheus_client import REGISTRY
from sqlalchemy import func, insert, select, update

from fairpath.common.auth import Role
from fairpath.common.clock import CLOCK
from fairpath.common.events.broker import Broker
from fairpath.common.events.catalogue import BusinessRegistered
from fairpath.common.events.consumer import EventConsumer, Subscription
from fairpath.common.events.dlq import dead_letters, replay
from fairpath.common.events.envelope import new_event
from fairpath.common.events.metrics import consumers_refresh, outbox_refresh
from fairpath.common.events.outbox import HANDOFF_LEASE, record_event
from fairpath.common.events.relay import OutboxRelay
from fairpath.common.testing import make_principal
from fairpath.common.testing.nats import NatsServer, wait_until
from fairpath.common.timeutil import utcnow
from fairpath.contracts.app import create_app as create_contracts
from fairpath.contracts.businesses.tables import BusinessProjection
from fairpath.contracts.config import ContractsSettings
from fairpath.vetting.app import create_app as create_vetting
from fairpath.vetting.config import VettingSettings

from .conftest import client_of


def business_body(**overrides):
    return {
        "kind": "employer",
        "legal_name": "Harbour Logistics",
        "country": "QA",
        "registration_number": f"QA-{uuid.uuid4().hex[:10]}",
    } | overrides


@pytest.fixture(scope="module")
async def vetting_app(database_url, common_settings):
    app = create_vetting(VettingSettings(database_url=await database_url("ev_vetting"), common=common_settings))
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture(scope="module")
async def quiet_vetting_app(database_url, common_settings):
    """Vetting without its relay: events stay in the outbox until a test relays them."""
    app = create_vetting(
        VettingSettings(database_url=await database_url("ev_quiet"), common=common_settings, events_enabled=False)
    )
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture(scope="module")
async def contracts_app(database_url, common_settings):
    app = create_contracts(ContractsSettings(database_url=await database_url("ev_contracts"), common=common_settings))
    async with app.router.lifespan_context(app):
        yield app


async def projection_of(app, business_id):
    async with app.state.database.session(read_only=True) as s:
        return await s.get(BusinessProjection, uuid.UUID(str(business_id)))


async def stream_messages_with(broker, stream: str, after_seq: int, needle: str) -> int:
    info = await broker.js.stream_info(stream)
    count = 0
    for seq in range(after_seq + 1, info.state.last_seq + 1):
        msg = await broker.js.get_msg(stream, seq)
        count += needle.encode() in msg.data
    return count


async def test_registered_business_reaches_the_contracts_projection(vetting_app, contracts_app, minter):
    async with client_of(vetting_app, "vetting") as vetting:
        r = await vetting.post(
            "/v1/businesses", json=business_body(), headers=minter.headers(make_principal(Role.agency))
        )
    assert r.status_code == 201
    created = r.json()
    projected = await wait_until(lambda: projection_of(contracts_app, created["id"]), message="the projection")
    assert (projected.legal_name, projected.status, projected.version) == ("Harbour Logistics", "registered", 1)


async def test_readiness_reports_the_broker(vetting_app):
    async with client_of(vetting_app, "vetting") as vetting:
        ready = await wait_until(lambda: _ready(vetting), message="readiness")
    assert ready["checks"] == {"database": "ok", "broker": "ok"}


async def _ready(client):
    r = await client.get("/readyz")
    return r.json() if r.status_code == 200 else None


async def test_relay_stopped_between_commit_and_publish_loses_nothing_and_publishes_once(
    quiet_vetting_app, broker, minter
):
    before = (await broker.js.stream_info("VETTING")).state.last_seq
    async with client_of(quiet_vetting_app, "vetting") as vetting:
        created = (
            await vetting.post(
                "/v1/businesses", json=business_body(), headers=minter.headers(make_principal(Role.agency))
            )
        ).json()
    assert await stream_messages_with(broker, "VETTING", before, created["id"]) == 0

    outbox = quiet_vetting_app.state.ledger.outbox
    # What an operator's /metrics shows meanwhile: one event waiting, for as long as it has waited.
    label = {"service": f"vetting-{uuid.uuid4().hex[:8]}"}  # counters add up over the test's runs: a label of its own
    backlog = outbox_refresh(quiet_vetting_app.state.database, outbox, label["service"])
    await backlog()
    assert REGISTRY.get_sample_value("fairpath_outbox_backlog", label) == 1
    assert REGISTRY.get_sample_value("fairpath_outbox_oldest_age_seconds", label) > 0
    relay = OutboxRelay(quiet_vetting_app.state.database, outbox, broker, service=label["service"])
    assert await relay.relay_once() == 1
    await backlog()
    assert REGISTRY.get_sample_value("fairpath_outbox_backlog", label) == 0
    assert REGISTRY.get_sample_value("fairpath_outbox_oldest_age_seconds", label) == 0
    assert REGISTRY.get_sample_value("fairpath_outbox_published_total", label) == 1
    assert await stream_messages_with(broker, "VETTING", before, created["id"]) == 1

    # A relay that crashed after the publish but before marking the row sent publishes again once its
    # claim (the lease) has run out:
    async with quiet_vetting_app.state.database.session() as s:
        await s.execute(update(outbox).values(sent_at=None, next_attempt_at=None))
    assert await OutboxRelay(quiet_vetting_app.state.database, outbox, broker).relay_once() == 1
    # ...and JetStream keeps one copy (same Nats-Msg-Id).
    assert await stream_messages_with(broker, "VETTING", before, created["id"]) == 1
    async with quiet_vetting_app.state.database.session(read_only=True) as s:
        unsent = (await s.execute(select(func.count()).select_from(outbox).where(outbox.c.sent_at.is_(None)))).scalar()
    assert unsent == 0


async def test_a_committed_event_is_published_as_its_transaction_commits_not_at_the_relay_s_next_poll(
    quiet_vetting_app, broker, minter
):
    database, outbox = quiet_vetting_app.state.database, quiet_vetting_app.state.ledger.outbox
    # A relay that looks at the table once, as it starts, and then not for an hour: only the handoff can publish.
    relay = OutboxRelay(database, outbox, broker, idle_interval=3600, max_idle_interval=3600)
    relay.start()
    before = (await broker.js.stream_info("VETTING")).state.last_seq
    try:
        created = await register_business(quiet_vetting_app, minter)
        await wait_until(
            lambda: _count_is(stream_messages_with(broker, "VETTING", before, created["id"]), 1),
            timeout=10,
            message="the event published from the handoff",
        )
        await wait_until(lambda: _sent(database, outbox, created["id"]), timeout=10, message="the row marked sent")
    finally:
        await relay.stop()
    assert database.committed_events is None  # a stopped relay takes nothing more


async def test_a_relay_stopped_in_order_publishes_what_was_handed_to_it_before_it_stops(quiet_vetting_app, broker):
    database, outbox = quiet_vetting_app.state.database, quiet_vetting_app.state.ledger.outbox
    relay = OutboxRelay(database, outbox, broker, idle_interval=3600, max_idle_interval=3600)
    relay.start()
    before = (await broker.js.stream_info("VETTING")).state.last_seq
    business_id = uuid.uuid4()
    async with database.session() as session:
        await record_event(session, outbox, registered(business_id, 1, "Stopped In Order"), business_id)
    await relay.stop()  # at once: the relay's loop has not had a turn since the commit handed it the event
    assert await stream_messages_with(broker, "VETTING", before, str(business_id)) == 1
    assert await _sent(database, outbox, str(business_id))


async def test_an_event_handed_to_a_relay_that_died_is_published_by_another_once_its_lease_ran_out(
    quiet_vetting_app, broker, minter
):
    database, outbox = quiet_vetting_app.state.database, quiet_vetting_app.state.ledger.outbox
    taken: list = []  # the relay of a process that died between the commit and the publish
    database.committed_events = taken.extend
    try:
        created = await register_business(quiet_vetting_app, minter)
    finally:
        database.committed_events = None
    assert [event.id for event in taken] == [await _event_id_of(database, outbox, created["id"])]
    other = OutboxRelay(database, outbox, broker)
    while await other.relay_once():  # what other tests left: not this event, leased to the relay that took it
        pass
    assert not await _sent(database, outbox, created["id"])
    offset = CLOCK.offset
    CLOCK.set_offset(offset + HANDOFF_LEASE + timedelta(seconds=1))
    try:
        assert await other.relay_once() == 1
    finally:
        CLOCK.set_offset(offset)
    assert await _sent(database, outbox, created["id"])


async def register_business(app, minter) -> dict:
    """A business registered through the app's API, as an agency would."""
    async with client_of(app, "vetting") as vetting:
        answer = await vetting.post(
            "/v1/businesses", json=business_body(), headers=minter.headers(make_principal(Role.agency))
        )
    assert answer.status_code == 201, answer.text
    return answer.json()


async def _count_is(counting, expected: int) -> bool:
    return await counting == expected


async def _event_id_of(database, outbox, business_id: str) -> uuid.UUID:
    async with database.session(read_only=True) as s:
        rows = (await s.execute(select(outbox.c.id, outbox.c.body))).all()
    (event_id,) = [row.id for row in rows if business_id.encode() in row.body]
    return event_id


async def _sent(database, outbox, business_id: str) -> bool:
    event_id = await _event_id_of(database, outbox, business_id)
    async with database.session(read_only=True) as s:
        return (await s.execute(select(outbox.c.sent_at).where(outbox.c.id == event_id))).scalar() is not None


def registered(business_id: uuid.UUID, version: int, legal_name: str) -> BusinessRegistered:
    return BusinessRegistered(
        version=version,
        business_id=business_id,
        kind="employer",
        legal_name=legal_name,
        country="AE",
        status="registered",
    )


async def publish(broker, payload, aggregate_id, msg_id=None):
    event = new_event(payload, aggregate_id)
    await broker.js.publish(event.nats_subject, event.to_json(), headers={"Nats-Msg-Id": msg_id or event.id})
    return event


class CountingHandler:
    """A deliberately non-idempotent effect (an audit entry per application) to see double application."""

    def __init__(self, app, fail_names=()):
        self.audit = app.state.ledger.audit
        self.fail_names = set(fail_names)

    async def __call__(self, session, ledger, event, payload):
        if payload.legal_name in self.fail_names:
            raise RuntimeError("handler failure")
        await self.audit.append(
            session, actor="test", action="applied", record_type="business", record_id=payload.business_id
        )

    async def applied(self, app, business_id) -> int:
        async with app.state.database.session(read_only=True) as s:
            return (
                await s.execute(
                    select(func.count())
                    .select_from(self.audit.entry)
                    .where(self.audit.entry.c.record_id == str(business_id), self.audit.entry.c.action == "applied")
                )
            ).scalar()


async def start_consumer(app, broker, handler, **options):
    sub = Subscription(
        name=f"test-{uuid.uuid4().hex[:8]}",
        stream="VETTING",
        handlers={BusinessRegistered: handler},
        **({"deliver_policy": DeliverPolicy.NEW} | options),
    )
    consumer = EventConsumer(sub, app.state.database, app.state.ledger, broker)
    consumer.start()
    await wait_until(lambda: _exists(broker, sub.name), message="the durable consumer")
    return consumer


async def test_message_delivered_twice_is_applied_once(contracts_app, broker):
    handler = CountingHandler(contracts_app)
    consumer = await start_consumer(contracts_app, broker, handler)
    try:
        business_id = uuid.uuid4()
        event = await publish(broker, registered(business_id, 1, "Twice Ltd"), business_id)
        # The same event again under another message id: past JetStream's duplicate window, say.
        await broker.js.publish(event.nats_subject, event.to_json(), headers={"Nats-Msg-Id": f"again-{event.id}"})
        await wait_until(lambda: _all_acked(broker, consumer), message="both deliveries acknowledged")
        assert await handler.applied(contracts_app, business_id) == 1
        assert _handled(consumer, "applied") == 1 and _handled(consumer, "duplicate") == 1  # what /metrics counts
    finally:
        await consumer.stop()


async def _all_acked(broker, consumer):
    info = await broker.js.consumer_info("VETTING", consumer.sub.name)
    stream = await broker.js.stream_info("VETTING")
    return info.num_ack_pending == 0 and info.num_pending == 0 and info.delivered.stream_seq == stream.state.last_seq


async def test_older_version_arriving_after_a_newer_one_changes_nothing(contracts_app, broker):
    business_id = uuid.uuid4()
    await publish(broker, registered(business_id, 2, "Newer Name"), business_id)
    await publish(broker, registered(business_id, 1, "Older Name"), business_id)
    inbox = contracts_app.state.ledger.inbox

    async def both_seen():
        async with contracts_app.state.database.session(read_only=True) as s:
            rows = (
                await s.execute(
                    select(func.count())
                    .select_from(inbox)
                    .where(inbox.c.consumer == "contracts-vetting", inbox.c.stream_seq >= last - 1)
                )
            ).scalar()
        return rows >= 2

    last = (await broker.js.stream_info("VETTING")).state.last_seq
    await wait_until(both_seen, message="both versions consumed")
    projected = await projection_of(contracts_app, business_id)
    assert (projected.version, projected.legal_name) == (2, "Newer Name")


async def test_poison_message_is_dead_lettered_while_the_next_flow_and_replay_brings_it_back(contracts_app, broker):
    handler = CountingHandler(contracts_app, fail_names={"Poison Ltd"})
    consumer = await start_consumer(contracts_app, broker, handler, max_deliver=3, backoff=[0.05])
    try:
        poison_id, good_id = uuid.uuid4(), uuid.uuid4()
        await publish(broker, registered(poison_id, 1, "Poison Ltd"), poison_id)
        await broker.js.publish(
            "vetting.business.registered", b"{not a cloudevent", headers={"Nats-Msg-Id": str(uuid.uuid4())}
        )
        await publish(broker, registered(good_id, 1, "Good Ltd"), good_id)

        await wait_until(lambda: handler.applied(contracts_app, good_id), message="the message behind the poison")
        letters = await wait_until(lambda: _letters(broker, consumer.sub.name, 2), message="two dead letters")
        assert {letter.error for letter in letters} == {"RuntimeError", "ValidationError"}
        assert await handler.applied(contracts_app, poison_id) == 0
        # What an operator's /metrics shows: each parked event, and the tries before it was parked.
        await consumers_refresh(broker, [("VETTING", consumer.sub.name)])()
        assert REGISTRY.get_sample_value("fairpath_dead_letters", {"consumer": consumer.sub.name}) == 2
        assert (_handled(consumer, "dead_lettered"), _handled(consumer, "failed")) == (2, 4)  # 3 tries each

        handler.fail_names.clear()  # the cause is fixed; put the dead letters back
        replayed = await replay(broker, consumer=consumer.sub.name)
        assert len(replayed) == 2
        await wait_until(lambda: handler.applied(contracts_app, poison_id), message="the replayed event applied")
        assert await handler.applied(contracts_app, good_id) == 1
        # The malformed one fails again and is parked again.
        again = await wait_until(lambda: _letters(broker, consumer.sub.name, 1), message="the malformed one back")
        assert [letter.error for letter in again] == ["ValidationError"]
    finally:
        await consumer.stop()


def _handled(consumer, outcome: str) -> float:
    return (
        REGISTRY.get_sample_value("fairpath_events_handled_total", {"consumer": consumer.sub.name, "outcome": outcome})
        or 0.0
    )


async def _letters(broker, name, n):
    found = await dead_letters(broker, name)
    return found if len(found) >= n else None


async def test_consumer_recreates_a_deleted_durable_and_catches_up(contracts_app, broker):
    handler = CountingHandler(contracts_app)
    # From the stream's start, as a projection's consumer is: the recreated durable must not skip what it missed.
    consumer = await start_consumer(contracts_app, broker, handler, deliver_policy=DeliverPolicy.ALL)
    try:
        await broker.js.delete_consumer("VETTING", consumer.sub.name)
        business_id = uuid.uuid4()
        await publish(broker, registered(business_id, 1, "After Loss Ltd"), business_id)
        await wait_until(
            lambda: handler.applied(contracts_app, business_id), timeout=20, message="applied after recreation"
        )
    finally:
        await consumer.stop()


async def _exists(broker, name):
    try:
        await broker.js.consumer_info("VETTING", name)
        return True
    except Exception:  # noqa: BLE001
        return False


async def test_two_relays_share_the_outbox_without_publishing_an_event_twice(quiet_vetting_app, broker):
    outbox = quiet_vetting_app.state.ledger.outbox
    database = quiet_vetting_app.state.database
    events = [new_event(registered(uuid.uuid4(), 1, f"Replica {i}"), uuid.uuid4()) for i in range(300)]
    async with database.session() as s:
        await s.execute(
            insert(outbox),
            [
                {
                    "id": e.event_id,
                    "subject": e.nats_subject,
                    "body": e.to_json(),
                    "created_at": utcnow(),
                    "attempts": 0,
                }
                for e in events
            ],
        )
    relays = [OutboxRelay(database, outbox, broker, batch_size=25) for _ in range(2)]

    async def drain(relay):
        total = 0
        while n := await relay.relay_once():
            total += n
        return total

    published = await asyncio.gather(*(drain(r) for r in relays))
    # Each row was claimed by exactly one relay: the acknowledged counts add up to the events, no more.
    assert sum(published) == len(events)
    async with database.session(read_only=True) as s:
        unsent = (await s.execute(select(func.count()).select_from(outbox).where(outbox.c.sent_at.is_(None)))).scalar()
    assert unsent == 0


async def test_writes_commit_in_their_usual_time_while_the_relay_waits_on_a_hung_broker(
    quiet_vetting_app, minter, tmp_path
):
    """The relay publishes with no database connection held: on SQLite a publish waiting for acks that
    cannot come used to hold the write lock, and every write waited as long as the ack timeout."""
    server = NatsServer(tmp_path / "nats").start()
    own = await Broker(server.url, name="hung-broker-test").connect()
    await own.ensure_streams()
    outbox, database = quiet_vetting_app.state.ledger.outbox, quiet_vetting_app.state.database
    relay = OutboxRelay(database, outbox, own, ack_timeout=4.0)
    headers = minter.headers(make_principal(Role.agency))
    try:
        async with client_of(quiet_vetting_app, "vetting") as vetting:
            first = (await vetting.post("/v1/businesses", json=business_body(), headers=headers)).json()
            server.freeze()
            publishing = asyncio.create_task(relay.relay_once())

            async def claimed() -> bool:
                async with database.session(read_only=True) as s:
                    rows = (await s.execute(select(outbox.c.body, outbox.c.next_attempt_at))).all()
                return any(first["id"].encode() in row.body and row.next_attempt_at is not None for row in rows)

            await wait_until(claimed, timeout=5, message="the relay to claim the pending event")
            created = []
            for _ in range(3):
                started = time.monotonic()
                response = await vetting.post("/v1/businesses", json=business_body(), headers=headers)
                assert response.status_code == 201, response.text
                assert time.monotonic() - started < 2.0
                created.append(response.json()["id"])
            assert not publishing.done()  # all three committed while the relay was still waiting on the broker
        server.thaw()
        await publishing

        async def published_once() -> bool:
            await relay.retry_backlog_now()
            await relay.relay_once()
            counts = [await stream_messages_with(own, "VETTING", 0, i) for i in [first["id"], *created]]
            return counts == [1, 1, 1, 1]

        await wait_until(published_once, timeout=20, interval=0.3, message="every write published once")
    finally:
        await own.close()
        server.stop()


async def test_events_written_during_a_broker_outage_are_published_when_it_returns(quiet_vetting_app, minter, tmp_path):
    server = NatsServer(tmp_path / "nats").start()
    own = await Broker(server.url, name="outage-test").connect()
    await own.ensure_streams()
    try:
        server.stop()  # the broker goes away; the service keeps taking requests
        created = await register_business(quiet_vetting_app, minter)
        outbox = quiet_vetting_app.state.ledger.outbox
        relay = OutboxRelay(quiet_vetting_app.state.database, outbox, own, ack_timeout=0.5)
        assert await relay.relay_once() == 0  # nothing acknowledged: the events stay, marked for a retry
        async with quiet_vetting_app.state.database.session(read_only=True) as s:
            pending = (await s.execute(select(outbox.c.attempts).where(outbox.c.sent_at.is_(None)))).scalars().all()
        assert pending and all(a >= 1 for a in pending)

        server.start()  # the same port and store: the client reconnects on its own
        await wait_until(lambda: own.connected, timeout=15, message="the reconnection")

        async def drained():
            await relay.relay_once()
            async with quiet_vetting_app.state.database.session(read_only=True) as s:
                return (
                    await s.execute(select(func.count()).select_from(outbox).where(outbox.c.sent_at.is_(None)))
                ).scalar() == 0

        await wait_until(drained, timeout=20, interval=0.3, message="the backlog published")
        assert await stream_messages_with(own, "VETTING", 0, created["id"]) == 1
    finally:
        await own.close()
        server.stop()

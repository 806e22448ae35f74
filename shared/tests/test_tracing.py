"""Tracing follows a request into its events: off unless an exporter is configured; on, a request's server span
and its SQL statements share a trace, an event written in the request carries that trace's `traceparent`, and a
consumer on another app handles it in a span of the same trace, over a real nats-server and database.

The spans go to the SDK's in-memory exporter (its own test exporter), through the BatchSpanProcessor production
uses; everything else is real."""

import json
import uuid
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI
from nats.js.api import DeliverPolicy
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from pydantic import ValidationError
from sqlalchemy import func, select

from fairpath.common.config import CommonSettings
from fairpath.common.db import Database, new_base
from fairpath.common.events.broker import Broker
from fairpath.common.events.catalogue import BusinessRegistered
from fairpath.common.events.consumer import EventConsumer, Subscription
from fairpath.common.events.envelope import parse_event
from fairpath.common.events.outbox import record_event
from fairpath.common.events.relay import OutboxRelay
from fairpath.common.ledger import Ledger, LedgerTables
from fairpath.common.middleware import RequestContextMiddleware
from fairpath.common.testing.nats import wait_until
from fairpath.common.tracing import (
    EXCLUDED_URLS,
    Tracing,
    consumer_span,
    context_from,
    start_tracing,
    trace_context,
)


class Traced:
    """One app's tracing to an in-memory exporter; `spans()` flushes the batch processor first."""

    def __init__(self, service: str, sample_ratio: float = 1.0) -> None:
        self.exporter = InMemorySpanExporter()
        common = CommonSettings(env="test", otlp_endpoint="", trace_sample_ratio=sample_ratio)
        tracing = start_tracing(service, common, exporter=self.exporter)
        assert tracing is not None
        self.tracing: Tracing = tracing

    def spans(self) -> list[ReadableSpan]:
        assert self.tracing.provider.force_flush(10_000)
        return list(self.exporter.get_finished_spans())


class Parcels:
    """A small service the way create_service_app wires one: its database and ledger tables, the request
    middleware, and tracing when it is on (the FastAPI app and the engine instrumented)."""

    def __init__(self, url: str, tracing: Tracing | None) -> None:
        base = new_base()
        self.tables = LedgerTables.install(base.metadata)
        self.metadata = base.metadata
        self.database = Database(url)
        self.ledger = Ledger(self.tables, digest_key=b"test-key", database=self.database)
        self.tracing = tracing
        if tracing is not None:
            tracing.instrument_database(self.database)
        self.app = self._app()

    def _app(self) -> FastAPI:
        app = FastAPI()
        if self.tracing is not None:
            self.tracing.instrument_app(app)
        app.add_middleware(RequestContextMiddleware, service="parcels")
        database, outbox = self.database, self.tables.outbox

        @app.post("/v1/businesses", status_code=201)
        async def register(legal_name: str = "Harbour Logistics") -> dict:
            business_id = uuid.uuid4()
            payload = BusinessRegistered(
                version=1,
                business_id=business_id,
                kind="employer",
                legal_name=legal_name,
                country="AE",
                status="registered",
            )
            async with database.session() as session:
                event = await record_event(session, outbox, payload, business_id)
            return {"id": str(business_id), "event_id": event.id}

        @app.get("/healthz")
        async def healthz() -> dict:
            async with database.session(read_only=True) as session:
                await session.execute(select(1))
            return {"status": "ok"}

        return app

    async def create(self) -> "Parcels":
        async with self.database.engine.begin() as conn:
            await conn.run_sync(self.metadata.create_all)
        return self

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url="http://parcels")

    async def outbox_body(self, event_id: str) -> dict:
        outbox = self.tables.outbox
        async with self.database.session(read_only=True) as session:
            body = (await session.execute(select(outbox.c.body).where(outbox.c.id == uuid.UUID(event_id)))).scalar()
        return json.loads(body)


@dataclass(frozen=True)
class Databases:
    """The tests' databases, shared by the module: `written` keeps the events written there in its outbox; every
    event written in `relayed` is relayed by the test that wrote it; consumers apply events in `received`."""

    written: str
    relayed: str
    received: str


@pytest.fixture(scope="module")
async def databases(database_url) -> Databases:
    return Databases(*[await database_url(f"tracing_{name}") for name in ("written", "relayed", "received")])


@pytest.fixture(scope="module")
async def broker(nats_server):
    broker = await Broker(nats_server.url, name="tracing-tests").connect()
    await broker.ensure_streams()
    yield broker
    await broker.close()


class Applied:
    """A consumer's handler that counts what it applied (an audit entry each)."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    async def __call__(self, session, ledger, event, payload) -> None:
        await ledger.audit.append(
            session, actor="test", action="applied", record_type="business", record_id=payload.business_id
        )

    async def count(self, business_id: str) -> int:
        entry = self.ledger.audit.entry
        async with self.ledger.database.session(read_only=True) as session:
            found = await session.execute(
                select(func.count()).select_from(entry).where(entry.c.record_id == business_id)
            )
            return found.scalar()


class FailsOnce(Applied):
    """Fails the first time it sees an event, applies it the next."""

    def __init__(self, ledger: Ledger) -> None:
        super().__init__(ledger)
        self.seen: set[str] = set()

    async def __call__(self, session, ledger, event, payload) -> None:
        if event.id not in self.seen:
            self.seen.add(event.id)
            raise RuntimeError("Ayesha Rahman: a message that may echo input")
        await super().__call__(session, ledger, event, payload)


async def start_consumer(
    service: Parcels, broker: Broker, tracing: Tracing | None, handler: type[Applied] = Applied
) -> tuple[EventConsumer, Applied]:
    applied = handler(service.ledger)
    subscription = Subscription(
        name=f"tracing-{uuid.uuid4().hex[:8]}",
        stream="VETTING",
        handlers={BusinessRegistered: applied},
        deliver_policy=DeliverPolicy.NEW,
        backoff=[0.05],
    )
    consumer = EventConsumer(
        subscription, service.database, service.ledger, broker, tracer=tracing.tracer if tracing else None
    )
    consumer.start()
    await wait_until(lambda: _consumer_exists(broker, subscription.name), message="the durable consumer")
    return consumer, applied


async def _consumer_exists(broker: Broker, name: str) -> bool:
    try:
        await broker.js.consumer_info("VETTING", name)
    except Exception:  # noqa: BLE001 - not there yet
        return False
    return True


def traceparent_of(span: ReadableSpan) -> tuple[str, str]:
    return format(span.context.trace_id, "032x"), format(span.context.span_id, "016x")


def server_spans(spans: list[ReadableSpan]) -> list[ReadableSpan]:
    return [s for s in spans if s.kind == SpanKind.SERVER]


async def test_tracing_is_off_without_an_exporter_and_events_carry_no_traceparent(databases):
    assert start_tracing("parcels", CommonSettings(env="test")) is None  # FAIRPATH_OTLP_ENDPOINT unset
    producer = await Parcels(databases.written, tracing=None).create()
    # A client that sends its own trace context changes nothing: no span continues it, nothing is carried on.
    headers = {"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}
    async with producer.client() as client:
        answer = await client.post("/v1/businesses", headers=headers)
    assert answer.status_code == 201
    body = await producer.outbox_body(answer.json()["event_id"])
    assert "traceparent" not in body and "tracestate" not in body
    assert body["correlationid"]  # the envelope is otherwise as before
    assert trace_context() == {}
    await producer.database.dispose()


async def test_a_request_and_its_statements_share_a_trace_and_its_event_carries_it(databases):
    traced = Traced("parcels")
    producer = await Parcels(databases.written, traced.tracing).create()
    async with producer.client() as client:
        answer = await client.post("/v1/businesses", params={"legal_name": "Ayesha Rahman Trading"})
    assert answer.status_code == 201
    spans = traced.spans()
    (server,) = server_spans(spans)
    assert server.name == "POST /v1/businesses"
    assert server.resource.attributes["service.name"] == "parcels"
    statements = [s for s in spans if s.kind == SpanKind.CLIENT and "db.system" in (s.attributes or {})]
    assert len(statements) >= 1  # the outbox insert
    assert {s.context.trace_id for s in statements} == {server.context.trace_id}
    assert {s.parent.span_id for s in statements} == {server.context.span_id}
    # The query string (which can carry a name) is recorded nowhere.
    assert not [s for s in spans for value in (s.attributes or {}).values() if "Rahman" in str(value)]

    body = await producer.outbox_body(answer.json()["event_id"])
    trace_id, span_id = traceparent_of(server)
    version, carried_trace, carried_span, flags = body["traceparent"].split("-")
    assert (version, carried_trace, carried_span) == ("00", trace_id, span_id)
    assert int(flags, 16) & 1  # sampled
    assert parse_event(json.dumps(body).encode()).traceparent == body["traceparent"]
    await producer.database.dispose()
    await traced.tracing.shutdown()


async def test_the_cloudevents_sdk_reads_the_trace_context_as_extension_attributes(databases):
    from cloudevents.core.formats.json import JSONFormat
    from cloudevents.core.v1.event import CloudEvent as SdkEvent

    traced = Traced("parcels")
    producer = await Parcels(databases.written, traced.tracing).create()
    headers = {"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "tracestate": "vendor=abc"}
    async with producer.client() as client:
        answer = await client.post("/v1/businesses", headers=headers)
    body = await producer.outbox_body(answer.json()["event_id"])
    event = JSONFormat().read(SdkEvent, json.dumps(body).encode())
    assert event.get_extension("traceparent").startswith("00-0af7651916cd43dd8448eb211c80319c-")
    assert event.get_extension("tracestate") == "vendor=abc"
    await producer.database.dispose()
    await traced.tracing.shutdown()


async def test_a_consumer_handles_the_event_in_a_span_of_the_producer_s_trace(databases, broker):
    produced, consumed = Traced("parcels"), Traced("ledgers")
    producer = await Parcels(databases.relayed, produced.tracing).create()
    receiver = await Parcels(databases.received, consumed.tracing).create()
    consumer, applied = await start_consumer(receiver, broker, consumed.tracing)
    try:
        async with producer.client() as client:
            answer = await client.post("/v1/businesses")
        assert answer.status_code == 201
        business_id = answer.json()["id"]
        # Published by the relay from the outbox row, as after a restart: the context travels in the row's body.
        relay = OutboxRelay(producer.database, producer.tables.outbox, broker, tracer=produced.tracing.tracer)
        assert await relay.relay_once() == 1
        await wait_until(lambda: _applied_once(applied, business_id), message="the event applied")
    finally:
        await consumer.stop()
    (server,) = server_spans(produced.spans())
    # The relay's publish is a span of the request's trace too, ended at the broker's ack.
    (publish,) = [s for s in produced.spans() if s.kind == SpanKind.PRODUCER]
    assert publish.name == "publish vetting.business.registered"
    assert publish.context.trace_id == server.context.trace_id
    assert publish.parent is not None and publish.parent.span_id == server.context.span_id
    assert publish.attributes["messaging.message.id"] == answer.json()["event_id"]
    assert publish.status.status_code != StatusCode.ERROR

    spans = consumed.spans()
    (handling,) = [s for s in spans if s.kind == SpanKind.CONSUMER]
    assert handling.name == "process vetting.business.registered"
    assert handling.resource.attributes["service.name"] == "ledgers"
    assert handling.context.trace_id == server.context.trace_id
    assert handling.parent is not None and handling.parent.span_id == server.context.span_id  # a child
    assert handling.parent.is_remote
    assert handling.attributes["cloudevents.event_id"] == answer.json()["event_id"]
    assert handling.attributes["fairpath.event.outcome"] == "applied"
    # The handler's statements are the consumer span's children; the relay's polling and claiming, outside any
    # request or event, started no trace of their own.
    statements = [s for s in spans if "db.system" in (s.attributes or {})]
    assert statements and {s.parent.span_id for s in statements} == {handling.context.span_id}
    assert not [s for s in produced.spans() if s.parent is None and s.kind != SpanKind.SERVER]
    for service in (producer, receiver):
        await service.database.dispose()
    for traced in (produced, consumed):
        await traced.tracing.shutdown()


async def _applied_once(applied: Applied, business_id: str) -> bool:
    return await applied.count(business_id) == 1


async def test_a_failed_handling_and_its_retry_are_both_in_the_producer_s_trace(databases, broker):
    produced, consumed = Traced("parcels"), Traced("ledgers")
    producer = await Parcels(databases.relayed, produced.tracing).create()
    receiver = await Parcels(databases.received, consumed.tracing).create()
    consumer, applied = await start_consumer(receiver, broker, consumed.tracing, FailsOnce)
    try:
        async with producer.client() as client:
            business_id = (await client.post("/v1/businesses")).json()["id"]
        assert await OutboxRelay(producer.database, producer.tables.outbox, broker).relay_once() == 1
        await wait_until(lambda: _applied_once(applied, business_id), message="the event applied on its retry")
    finally:
        await consumer.stop()
    (server,) = server_spans(produced.spans())
    failed, retried = sorted((s for s in consumed.spans() if s.kind == SpanKind.CONSUMER), key=lambda s: s.start_time)
    assert {failed.context.trace_id, retried.context.trace_id} == {server.context.trace_id}
    assert failed.status.status_code == StatusCode.ERROR
    assert failed.attributes["error.type"] == "RuntimeError"
    assert failed.attributes["fairpath.event.delivery_attempt"] == 1
    assert "Rahman" not in str(failed.status.description) and not failed.events  # the type only, not the message
    assert retried.attributes["fairpath.event.outcome"] == "applied"
    assert retried.attributes["fairpath.event.delivery_attempt"] == 2
    for service in (producer, receiver):
        await service.database.dispose()
    for traced in (produced, consumed):
        await traced.tracing.shutdown()


async def test_an_event_without_a_trace_context_is_handled_in_a_trace_of_its_own(databases, broker):
    consumed = Traced("ledgers")
    receiver = await Parcels(databases.received, consumed.tracing).create()
    untraced = await Parcels(databases.relayed, tracing=None).create()
    consumer, applied = await start_consumer(receiver, broker, consumed.tracing)
    try:
        async with untraced.client() as client:
            plain = (await client.post("/v1/businesses")).json()
        assert "traceparent" not in await untraced.outbox_body(plain["event_id"])
        # A relay that traces makes no span for an event that carries no trace: none starts at a publish.
        relay = OutboxRelay(untraced.database, untraced.tables.outbox, broker, tracer=consumed.tracing.tracer)
        assert await relay.relay_once() == 1
        await wait_until(lambda: _applied_once(applied, plain["id"]), message="the event applied")
    finally:
        await consumer.stop()
    (handling,) = [s for s in consumed.spans() if s.kind == SpanKind.CONSUMER]
    assert [s for s in consumed.spans() if s.kind == SpanKind.PRODUCER] == []
    assert handling.parent is None  # a root: a new trace
    assert handling.attributes["cloudevents.event_id"] == plain["event_id"]
    for service in (receiver, untraced):
        await service.database.dispose()
    await consumed.tracing.shutdown()


def test_a_malformed_traceparent_names_no_parent():
    assert context_from(None) is None
    assert context_from("00-not-a-trace-01") is None
    assert context_from("00-00000000000000000000000000000000-b7ad6b7169203331-01") is None
    found = context_from("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "vendor=abc")
    assert found is not None
    assert format(trace.get_current_span(found).get_span_context().trace_id, "032x") == (
        "0af7651916cd43dd8448eb211c80319c"
    )


async def test_probes_make_no_spans_nor_do_their_statements(databases):
    traced = Traced("parcels")
    service = await Parcels(databases.written, traced.tracing).create()
    async with service.client() as client:
        assert (await client.get("/healthz")).status_code == 200
    assert traced.spans() == []
    assert "/healthz" in EXCLUDED_URLS and "/readyz" in EXCLUDED_URLS and "/metrics" in EXCLUDED_URLS
    await service.database.dispose()
    await traced.tracing.shutdown()


SAMPLED = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
NOT_SAMPLED = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"


async def test_at_a_sample_ratio_of_zero_a_new_trace_is_not_exported_but_a_sampled_caller_s_trace_is(databases):
    traced = Traced("parcels", sample_ratio=0)
    producer = await Parcels(databases.written, traced.tracing).create()
    async with producer.client() as client:
        started_here = await client.post("/v1/businesses")
        assert started_here.status_code == 201
        assert traced.spans() == []  # neither the request nor its statements
        # The event still carries the trace, marked not sampled, so the services it reaches keep none of it either.
        body = await producer.outbox_body(started_here.json()["event_id"])
        assert not int(body["traceparent"].rsplit("-", 1)[1], 16) & 1  # not sampled

        continued = await client.post("/v1/businesses", headers={"traceparent": SAMPLED})
        assert continued.status_code == 201
    spans = traced.spans()
    (server,) = server_spans(spans)
    assert format(server.context.trace_id, "032x") == "0af7651916cd43dd8448eb211c80319c"
    assert server.parent is not None and server.parent.is_remote
    assert format(server.parent.span_id, "016x") == "b7ad6b7169203331"
    statements = [s for s in spans if "db.system" in (s.attributes or {})]
    assert statements and {s.parent.span_id for s in statements} == {server.context.span_id}
    body = await producer.outbox_body(continued.json()["event_id"])
    assert int(body["traceparent"].rsplit("-", 1)[1], 16) & 1  # sampled
    await producer.database.dispose()
    await traced.tracing.shutdown()


async def test_a_caller_s_trace_that_was_not_sampled_is_not_exported_at_a_ratio_of_one(databases):
    traced = Traced("parcels", sample_ratio=1)
    producer = await Parcels(databases.written, traced.tracing).create()
    async with producer.client() as client:
        answer = await client.post("/v1/businesses", headers={"traceparent": NOT_SAMPLED})
    assert answer.status_code == 201
    assert traced.spans() == []
    body = await producer.outbox_body(answer.json()["event_id"])
    assert body["traceparent"].startswith("00-4bf92f3577b34da6a3ce929d0e0e4736-") and body["traceparent"].endswith(
        "-00"
    )
    await producer.database.dispose()
    await traced.tracing.shutdown()


async def test_a_consumer_follows_the_sampled_flag_of_the_event_s_trace_whatever_its_own_ratio(databases, broker):
    produced, consumed = Traced("parcels", sample_ratio=1), Traced("ledgers", sample_ratio=0)
    producer = await Parcels(databases.relayed, produced.tracing).create()
    receiver = await Parcels(databases.received, consumed.tracing).create()
    consumer, applied = await start_consumer(receiver, broker, consumed.tracing)
    try:
        async with producer.client() as client:
            sampled = (await client.post("/v1/businesses")).json()
            unsampled = (await client.post("/v1/businesses", headers={"traceparent": NOT_SAMPLED})).json()
        assert await OutboxRelay(producer.database, producer.tables.outbox, broker).relay_once() == 2
        for business in (sampled, unsampled):
            await wait_until(lambda b=business: _applied_once(applied, b["id"]), message="the event applied")
    finally:
        await consumer.stop()
    (server,) = server_spans(produced.spans())  # the request that was not sampled made none
    # The consumer samples no trace of its own (ratio 0), yet handles the sampled trace's event in a span of it.
    (handling,) = [s for s in consumed.spans() if s.kind == SpanKind.CONSUMER]
    assert handling.attributes["cloudevents.event_id"] == sampled["event_id"]
    assert handling.context.trace_id == server.context.trace_id
    for service in (producer, receiver):
        await service.database.dispose()
    for traced in (produced, consumed):
        await traced.tracing.shutdown()


def test_an_event_s_handling_is_not_recorded_when_its_trace_was_not_sampled():
    traced = Traced("ledgers", sample_ratio=1)
    attributes = {"cloudevents.event_id": "e"}
    with consumer_span(
        traced.tracing.tracer, "process x", traceparent=NOT_SAMPLED, tracestate=None, attributes=attributes
    ) as span:
        assert span is not None and not span.is_recording()
    with consumer_span(
        traced.tracing.tracer, "process x", traceparent=SAMPLED, tracestate=None, attributes=attributes
    ) as span:
        assert span is not None and span.is_recording()
    (handling,) = traced.spans()
    assert format(handling.context.trace_id, "032x") == "0af7651916cd43dd8448eb211c80319c"


@pytest.mark.parametrize("ratio", ["-0.1", "1.5", "nan", "half"])
def test_a_sample_ratio_outside_zero_to_one_is_refused(ratio, monkeypatch):
    monkeypatch.setenv("FAIRPATH_TRACE_SAMPLE_RATIO", ratio)
    with pytest.raises(ValidationError, match="trace_sample_ratio"):
        CommonSettings(env="test")


def test_the_sample_ratio_is_read_from_the_environment_and_applies_at_the_root(monkeypatch):
    monkeypatch.setenv("FAIRPATH_TRACE_SAMPLE_RATIO", "0.25")
    common = CommonSettings(env="test")
    assert common.trace_sample_ratio == 0.25
    tracing = start_tracing("parcels", common, exporter=InMemorySpanExporter())
    assert tracing is not None
    assert "RequestsAndEvents{0.25}" in tracing.provider.sampler.get_description()
    assert CommonSettings(env="test", trace_sample_ratio=0).trace_sample_ratio == 0

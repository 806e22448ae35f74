"""One request through the gateway, traced into the service that consumes its event: the gateway, vetting and
contracts built by their own app factories with FAIRPATH_OTLP_ENDPOINT set, vetting served over HTTP (the gateway
forwards to it), the event relayed through a real nats-server, and every span exported with OTLP/HTTP to a small
collector the test runs, which decodes the protobuf with opentelemetry-proto. Without the setting, a service
traces nothing and its events carry no trace context."""

import asyncio
import json
import re
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import uvicorn
from fastapi import FastAPI
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.trace.v1.trace_pb2 import Span
from sqlalchemy import select

from fairpath.common.auth import Role
from fairpath.common.config import CommonSettings
from fairpath.common.testing import make_principal
from fairpath.common.testing.nats import free_port, wait_until
from fairpath.contracts.app import create_app as create_contracts
from fairpath.contracts.businesses.tables import BusinessProjection
from fairpath.contracts.config import ContractsSettings
from fairpath.gateway.accounts.demo import ensure_demo_accounts
from fairpath.gateway.app import create_app as create_gateway
from fairpath.gateway.config import GatewaySettings
from fairpath.vetting.app import create_app as create_vetting
from fairpath.vetting.config import VettingSettings

from .conftest import client_of


@dataclass(frozen=True)
class Received:
    service: str
    span: Span

    @property
    def trace_id(self) -> str:
        return self.span.trace_id.hex()


class Collector:
    """An OTLP/HTTP trace receiver: POST /v1/traces, a protobuf ExportTraceServiceRequest."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.requests = 0
        self._lock = threading.Lock()
        collector = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                if self.path != "/v1/traces" or self.headers.get("content-type") != "application/x-protobuf":
                    self.send_response(404)
                    self.end_headers()
                    return
                collector.accept(ExportTraceServiceRequest.FromString(body))
                answer = ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("content-type", "application/x-protobuf")
                self.send_header("content-length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *_: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, name="otlp-collector", daemon=True)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def accept(self, request: ExportTraceServiceRequest) -> None:
        with self._lock:
            self.requests += 1
            for resource_spans in request.resource_spans:
                attributes = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
                for scope_spans in resource_spans.scope_spans:
                    self.received.extend(Received(attributes["service.name"], s) for s in scope_spans.spans)

    def spans(self) -> list[Received]:
        with self._lock:
            return list(self.received)


@pytest.fixture(scope="module")
def collector() -> Iterator[Collector]:
    collector = Collector()
    collector.thread.start()
    yield collector
    collector.server.shutdown()
    collector.server.server_close()


@pytest.fixture(scope="module")
def traced_settings(common_settings: CommonSettings, collector: Collector) -> CommonSettings:
    return common_settings.model_copy(update={"otlp_endpoint": collector.endpoint})


async def serve(app: FastAPI) -> AsyncIterator[str]:
    """The app started (its lifespan) and served over HTTP on a free port, in this event loop."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    async with app.router.lifespan_context(app):
        serving = asyncio.create_task(server.serve())
        await wait_until(lambda: server.started, timeout=30, interval=0.01, message="the service to listen")
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.should_exit = True
            await serving


@pytest.fixture(scope="module")
async def vetting(database_url, traced_settings) -> AsyncIterator[tuple[FastAPI, str]]:
    app = create_vetting(
        VettingSettings(database_url=await database_url("tr_vetting"), common=traced_settings, warm_matching=False)
    )
    async for url in serve(app):
        yield app, url


@pytest.fixture(scope="module")
async def contracts(database_url, traced_settings) -> AsyncIterator[FastAPI]:
    app = create_contracts(ContractsSettings(database_url=await database_url("tr_contracts"), common=traced_settings))
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture(scope="module")
async def gateway(database_url, traced_settings, keypair, vetting, tmp_path_factory) -> AsyncIterator[FastAPI]:
    closed = f"http://127.0.0.1:{free_port()}"
    settings = GatewaySettings(
        database_url=await database_url("tr_gateway"),
        common=traced_settings,
        events_enabled=False,
        principal_signing_key=keypair.private_pem,
        token_secret="test-token-secret-of-at-least-32-bytes",
        totp_key="test-totp-key-of-at-least-32-bytes-long",
        password_hash_time_cost=1,
        password_hash_memory_kib=1024,
        password_hash_parallelism=1,
        vetting_urls=vetting[1],
        contracts_urls=closed,
        registry_urls=closed,
    )
    app = create_gateway(settings)
    async with app.router.lifespan_context(app):
        state = app.state
        app.state.demo_credentials = await ensure_demo_accounts(
            database=state.database,
            ledger=state.ledger,
            accounts=state.accounts,
            credentials_path=tmp_path_factory.mktemp("tr-gateway") / "demo-credentials.json",
            gateway_url="http://gateway",
        )
        yield app


def business_body() -> dict:
    return {
        "kind": "employer",
        "legal_name": "Harbour Logistics",
        "country": "QA",
        "registration_number": f"QA-{uuid.uuid4().hex[:10]}",
    }


async def projection_of(app: FastAPI, business_id: str) -> BusinessProjection | None:
    async with app.state.database.session(read_only=True) as s:
        return await s.get(BusinessProjection, uuid.UUID(business_id))


async def flush(*apps: FastAPI) -> None:
    for app in apps:
        assert await asyncio.to_thread(app.state.tracing.provider.force_flush, 10_000)


async def test_a_request_through_the_gateway_is_traced_into_the_service_that_consumes_its_event(
    collector: Collector, gateway: FastAPI, vetting: tuple[FastAPI, str], contracts: FastAPI
) -> None:
    key = gateway.state.demo_credentials["users"]["agency"]["api_key"]
    async with client_of(gateway, "gateway") as client:
        answer = await client.post("/v1/businesses", json=business_body(), headers={"X-API-Key": key})
    assert answer.status_code == 201, answer.text
    business_id = answer.json()["id"]
    await wait_until(lambda: projection_of(contracts, business_id), message="the contracts projection")

    async def handled_in_contracts() -> list[Received] | None:
        await flush(gateway, vetting[0], contracts)
        found = [
            r
            for r in collector.spans()
            if r.service == "contracts"
            and r.span.kind == Span.SPAN_KIND_CONSUMER
            and any(
                a.key == "cloudevents.event_subject" and a.value.string_value == business_id for a in r.span.attributes
            )
        ]
        return found or None

    (handling,) = await wait_until(handled_in_contracts, timeout=30, message="the consumer's span at the collector")
    spans = collector.spans()
    (request,) = [
        r
        for r in spans
        if r.service == "gateway" and r.span.kind == Span.SPAN_KIND_SERVER and r.trace_id == handling.trace_id
    ]
    assert request.span.name == "POST /v1/{path:path}"
    in_trace = [r for r in spans if r.trace_id == handling.trace_id]
    by_id = {r.span.span_id: r for r in in_trace}
    # The chain, each span the parent of the next: the gateway's request, its call to vetting, vetting's request,
    # the event's handling in contracts.
    served = by_id[handling.span.parent_span_id]
    assert (served.service, served.span.kind, served.span.name) == (
        "vetting",
        Span.SPAN_KIND_SERVER,
        "POST /v1/businesses",
    )
    forwarded = by_id[served.span.parent_span_id]
    assert (forwarded.service, forwarded.span.kind) == ("gateway", Span.SPAN_KIND_CLIENT)
    assert forwarded.span.parent_span_id == request.span.span_id
    assert {r.service for r in in_trace} == {"gateway", "vetting", "contracts"}
    # The SQL statements of each service are in the trace too (vetting's insert of the business, say).
    assert any(r.service == "vetting" and any(a.key == "db.system" for a in r.span.attributes) for r in in_trace)


async def test_a_service_without_the_setting_traces_nothing_and_its_events_carry_no_trace_context(
    database_url, common_settings, minter
) -> None:
    assert not common_settings.otlp_endpoint
    app = create_vetting(
        VettingSettings(
            database_url=await database_url("untraced_vetting"),
            common=common_settings,
            events_enabled=False,
            warm_matching=False,
        )
    )
    async with app.router.lifespan_context(app):
        assert app.state.tracing is None
        headers = minter.headers(make_principal(Role.agency))
        headers["traceparent"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
        async with client_of(app, "vetting") as client:
            answer = await client.post("/v1/businesses", json=business_body(), headers=headers)
        assert answer.status_code == 201
        outbox = app.state.ledger.outbox
        async with app.state.database.session(read_only=True) as session:
            bodies = [json.loads(b) for b in (await session.execute(select(outbox.c.body))).scalars()]
    (event,) = [b for b in bodies if b["subject"] == answer.json()["id"]]
    assert "traceparent" not in event and "tracestate" not in event


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _server_spans(collector: Collector, name: str) -> list[Received]:
    return [
        r
        for r in collector.spans()
        if r.service == "gateway" and r.span.kind == Span.SPAN_KIND_SERVER and r.span.name == name
    ]


def _descends_from(span: Received, ancestor: Received, in_trace: list[Received]) -> bool:
    by_id = {r.span.span_id: r for r in in_trace}
    parent = by_id.get(span.span.parent_span_id)
    while parent is not None:
        if parent.span.span_id == ancestor.span.span_id:
            return True
        parent = by_id.get(parent.span.parent_span_id)
    return False


async def test_a_portal_page_and_the_api_requests_it_makes_in_process_are_one_trace(
    collector: Collector, gateway: FastAPI
) -> None:
    password = gateway.state.demo_credentials["users"]["employer"]["password"]
    async with client_of(gateway, "gateway") as browser:
        form = await browser.get("/portal/sign-in")
        token = _CSRF.search(form.text)
        assert token, form.text
        signed_in = await browser.post(
            "/portal/sign-in", data={"csrf_token": token.group(1), "username": "employer", "password": password}
        )
        assert signed_in.status_code == 303, signed_in.text
        home = await browser.get("/portal/")
        assert home.status_code == 200, home.text

    async def exported() -> tuple[Received, Received] | None:
        await flush(gateway)
        pages = _server_spans(collector, "POST /portal/sign-in") + _server_spans(collector, "GET /portal/")
        return tuple(pages) if len(pages) == 2 else None

    sign_in_page, home_page = await wait_until(exported, timeout=30, message="the portal pages' spans")
    # Each page's calls to the API (the sign-in's token request, the home page's /v1/me) run in the page's task,
    # so the API's span of each is in the page's trace, below the page's server span (an internal span: the ASGI
    # instrumentation makes one for a request served while another's span is current), never a trace of its own.
    for page, call in ((sign_in_page, "POST /v1/auth/token"), (home_page, "GET /v1/me")):
        (inner,) = [r for r in collector.spans() if r.service == "gateway" and r.span.name == call]
        assert inner.trace_id == page.trace_id, call
        in_trace = [r for r in collector.spans() if r.trace_id == page.trace_id]
        assert _descends_from(inner, page, in_trace), call

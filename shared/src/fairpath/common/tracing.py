"""OpenTelemetry tracing: off unless an exporter is configured (`FAIRPATH_OTLP_ENDPOINT`).

Off, nothing is installed: no TracerProvider, no instrumentation, and the SDK is not even imported; what is left
is the no-op of asking for the current span when an event is written (there is none, so no `traceparent`).

On, each app gets a TracerProvider of its own, named by its service (`service.name` is the name in
fairpath.common.services), with a BatchSpanProcessor and the OTLP/HTTP exporter; FastAPI (server spans, but not
for /healthz, /readyz and /metrics), the service's SQLAlchemy engine and httpx clients are instrumented. The
provider belongs to the app rather than the process (the global one is left alone), so that several apps in one
process, as the tests run them, each report as their own service.

A trace starts only at a request or at the handling of an event: a statement or a call made outside both (the
outbox relay polling, a scheduled job, a readiness probe's ping) is not recorded (`RequestsAndEvents`). Only a
share of those traces is kept when `FAIRPATH_TRACE_SAMPLE_RATIO` is below 1: the decision is made once, at the
trace's root (by its trace id), and every span after it, in this service or another, follows its parent's sampled
flag (a request or an event that carries a `traceparent` is recorded if and only if that parent was sampled).

Across the broker, the W3C trace context of the request (or the event handling) that records an event travels in
its CloudEvent as the distributed-tracing extension (`traceparent`, `tracestate`), written into the outbox row's
body with the rest of the envelope, so it survives a restart; the consumer handles the event in a span that is a
child of it. Only the trace context is carried, never baggage (which could hold anything a caller put there).

Span attributes never carry a query string (a search can carry a person's name): URLs are recorded without it.
"""

import asyncio
import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode, Tracer
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from fairpath.common.middleware import PROBE_PATHS

if TYPE_CHECKING:
    from fastapi import FastAPI
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter

    from fairpath.common.config import CommonSettings
    from fairpath.common.db import Database

TRACES_PATH = "/v1/traces"
# The CloudEvents distributed-tracing extension: the W3C trace context as two top-level attributes.
TRACEPARENT = "traceparent"
TRACESTATE = "tracestate"

_W3C = TraceContextTextMapPropagator()
# Server spans are not made for probes and scrapes (each pattern is searched for in the request's URL).
EXCLUDED_URLS = ",".join(rf"{path}(\?|$)" for path in PROBE_PATHS)
# Attributes that hold a whole URL (old and new semantic conventions), recorded without their query string.
_URL_ATTRIBUTES = ("http.url", "url.full")
_QUERY_ATTRIBUTES = ("url.query",)


def trace_context() -> dict[str, str]:
    """The current span's W3C trace context (`traceparent`, and `tracestate` when there is one); empty when no
    span is current, as whenever tracing is off."""
    carrier: dict[str, str] = {}
    _W3C.inject(carrier)
    return carrier


def context_from(traceparent: str | None, tracestate: str | None = None) -> otel_context.Context | None:
    """The remote parent a `traceparent` names; None when there is none or it is malformed (a new trace starts)."""
    if not traceparent:
        return None
    carrier = {TRACEPARENT: traceparent}
    if tracestate:
        carrier[TRACESTATE] = tracestate
    found = _W3C.extract(carrier)
    return found if trace.get_current_span(found).get_span_context().is_valid else None


def _without_query(span: Span) -> None:
    """Keep a URL's path, drop its query string (set at span start by the instrumentations)."""
    attributes = getattr(span, "attributes", None)
    if not span.is_recording() or not attributes:
        return
    for key in _URL_ATTRIBUTES:
        value = attributes.get(key)
        if isinstance(value, str) and "?" in value:
            span.set_attribute(key, value.split("?", 1)[0])
    for key in _QUERY_ATTRIBUTES:
        if attributes.get(key):
            span.set_attribute(key, "")


def _server_request_hook(span: Span, _scope: dict[str, Any]) -> None:
    _without_query(span)


def _client_request_hook(span: Span, _request: Any) -> None:
    _without_query(span)


async def _async_client_request_hook(span: Span, _request: Any) -> None:
    _without_query(span)


def otlp_traces_url(endpoint: str) -> str:
    """`http://collector:4318` (the OTLP/HTTP receiver's base, as OTEL_EXPORTER_OTLP_ENDPOINT) sends to
    `http://collector:4318/v1/traces`; a URL that already ends in /v1/traces is taken as it is."""
    endpoint = endpoint.rstrip("/")
    return endpoint if endpoint.endswith(TRACES_PATH) else endpoint + TRACES_PATH


@dataclass
class Tracing:
    """One app's tracing: its provider, and the instrumentation it installed (undone at shutdown)."""

    service: str
    provider: "TracerProvider"
    _undo: list[Callable[[], None]] = field(default_factory=list)

    @property
    def tracer(self) -> Tracer:
        return self.provider.get_tracer("fairpath")

    def instrument_app(self, app: "FastAPI") -> None:
        """Server spans for the app's requests (probes and scrapes excepted), without the ASGI send/receive spans."""
        from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

        FastAPIInstrumentor.instrument_app(
            app,
            tracer_provider=self.provider,
            excluded_urls=EXCLUDED_URLS,
            exclude_spans=["receive", "send"],
            server_request_hook=_server_request_hook,
        )

    def instrument_database(self, database: "Database") -> None:
        """A span per statement on the service's engine (its read-only sessions share the engine's events)."""
        from opentelemetry.instrumentation.sqlalchemy import __version__ as version
        from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
        from opentelemetry.metrics import NoOpUpDownCounter

        tracer = self.provider.get_tracer("opentelemetry.instrumentation.sqlalchemy", version)
        EngineTracer(tracer, database.engine.sync_engine, NoOpUpDownCounter("db.client.connections.usage"))

    def instrument_httpx(self) -> None:
        """Client spans and the trace context on every httpx request of the process; the first app to ask
        installs it (httpx's instrumentation is process-wide) and takes it out at its shutdown."""
        from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

        instrumentor = HTTPXClientInstrumentor()
        if instrumentor.is_instrumented_by_opentelemetry:
            return
        instrumentor.instrument(
            tracer_provider=self.provider,
            request_hook=_client_request_hook,
            async_request_hook=_async_client_request_hook,
        )
        self._undo.append(instrumentor.uninstrument)

    async def shutdown(self) -> None:
        """Take the instrumentation out and export what is still buffered (in a thread: the export blocks)."""
        for undo in reversed(self._undo):
            undo()
        self._undo.clear()
        await asyncio.to_thread(self.provider.shutdown)


class RequestsAndEvents:
    """The root sampler (a Sampler by its two methods; the SDK's class is imported only when tracing is on): a
    trace starts at a request (a server span) or an event's handling (a consumer span), `ratio` of them (by trace
    id); any other span without a parent (a statement of the relay's polling, a probe's ping) is not recorded."""

    def __init__(self, ratio: float = 1.0) -> None:
        from opentelemetry.sdk.trace.sampling import TraceIdRatioBased

        self.ratio = ratio
        self._roots = TraceIdRatioBased(ratio)

    def should_sample(
        self,
        parent_context: otel_context.Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        attributes: Mapping[str, Any] | None = None,
        links: Any = None,
        trace_state: Any = None,
    ) -> Any:
        from opentelemetry.sdk.trace.sampling import ALWAYS_OFF

        chosen = self._roots if kind in (SpanKind.SERVER, SpanKind.CONSUMER) else ALWAYS_OFF
        return chosen.should_sample(parent_context, trace_id, name, kind, attributes, links, trace_state)

    def get_description(self) -> str:
        return f"RequestsAndEvents{{{self.ratio}}}"


def start_tracing(service: str, common: "CommonSettings", *, exporter: "SpanExporter | None" = None) -> Tracing | None:
    """The app's tracing when an exporter is configured (FAIRPATH_OTLP_ENDPOINT, or `exporter`: the tests pass the
    SDK's in-memory one), else None, and nothing is set up. A span with a parent follows the parent's sampled flag;
    a root is sampled as `RequestsAndEvents` decides, at FAIRPATH_TRACE_SAMPLE_RATIO."""
    if exporter is None and not common.otlp_endpoint:
        return None
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor
    from opentelemetry.sdk.trace.sampling import ParentBased

    if exporter is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter(endpoint=otlp_traces_url(common.otlp_endpoint))
    roots = RequestsAndEvents(common.trace_sample_ratio)
    provider = TracerProvider(
        resource=Resource.create({"service.name": service, "service.namespace": "fairpath"}),
        sampler=ParentBased(root=roots),  # type: ignore[arg-type] - a Sampler by its methods
    )
    provider.add_span_processor(BatchSpanProcessor(exporter))
    return Tracing(service, provider)


@contextmanager
def consumer_span(
    tracer: Tracer | None,
    name: str,
    *,
    traceparent: str | None,
    tracestate: str | None,
    attributes: Mapping[str, Any],
) -> Iterator[Span | None]:
    """The span an event is handled in, a child of the producer's context when the event carries one (a new trace
    when not); nothing at all when tracing is off (`tracer` None)."""
    if tracer is None:
        yield None
        return
    parent = context_from(traceparent, tracestate)
    with tracer.start_as_current_span(
        name, context=parent, kind=SpanKind.CONSUMER, attributes=dict(attributes), record_exception=False
    ) as span:
        yield span


def publish_spans(tracer: Tracer | None, bodies: list[tuple[str, bytes]]) -> list[Span] | None:
    """The relay's spans, one per event it publishes (subject and CloudEvent body), each a child of the context the
    event carries (so recorded only in a sampled trace: an event without one starts none); None when tracing is
    off. Started now; the caller ends each when the broker's ack (or its failure) is in."""
    if tracer is None:
        return None
    spans = []
    for subject, body in bodies:
        event = json.loads(body)
        spans.append(
            tracer.start_span(
                f"publish {subject}",
                context=context_from(event.get(TRACEPARENT), event.get(TRACESTATE)),
                kind=SpanKind.PRODUCER,
                attributes={
                    "messaging.system": "nats",
                    "messaging.operation.type": "publish",
                    "messaging.destination.name": subject,
                    "messaging.message.id": str(event.get("id", "")),
                    "cloudevents.event_id": str(event.get("id", "")),
                    "cloudevents.event_type": str(event.get("type", "")),
                },
                record_exception=False,
            )
        )
    return spans


def mark_failed(span: Span | None, error: BaseException) -> None:
    """The span failed, named by the error's type only (its message may echo input)."""
    if span is None:
        return
    span.set_attribute("error.type", type(error).__name__)
    span.set_status(Status(StatusCode.ERROR, type(error).__name__))

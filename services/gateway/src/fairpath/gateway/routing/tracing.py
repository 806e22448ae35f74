"""Tracing of the gateway's calls to the services (aiohttp): a client span per request, and its W3C trace context
in the request's `traceparent` (replacing any the client sent, which the gateway's own server span has continued),
so the service's server span, and the events it writes, join the gateway's trace. Installed only when tracing is on.
"""

import aiohttp
from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode, Tracer
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

_W3C = TraceContextTextMapPropagator()


def upstream_trace_config(tracer: Tracer) -> aiohttp.TraceConfig:
    async def on_start(_session: aiohttp.ClientSession, context, params: aiohttp.TraceRequestStartParams) -> None:  # noqa: ANN001
        url = params.url
        span = tracer.start_span(
            params.method,
            kind=SpanKind.CLIENT,
            attributes={
                "http.request.method": params.method,
                "url.full": str(url.with_query(None)),  # never the query string: it can carry a person's name
                "server.address": url.host or "",
                "server.port": url.port or 0,
            },
        )
        context.span = span
        for name in ("traceparent", "tracestate"):
            params.headers.popall(name, None)
        _W3C.inject(params.headers, context=trace.set_span_in_context(span))

    async def on_end(_session: aiohttp.ClientSession, context, params: aiohttp.TraceRequestEndParams) -> None:  # noqa: ANN001
        span = context.span
        status = params.response.status
        span.set_attribute("http.response.status_code", status)
        if status >= 500:
            span.set_attribute("error.type", str(status))
            span.set_status(Status(StatusCode.ERROR))
        span.end()

    async def on_exception(
        _session: aiohttp.ClientSession,
        context,  # noqa: ANN001
        params: aiohttp.TraceRequestExceptionParams,
    ) -> None:
        span = context.span
        span.set_attribute("error.type", type(params.exception).__name__)
        span.set_status(Status(StatusCode.ERROR, type(params.exception).__name__))
        span.end()

    config = aiohttp.TraceConfig()
    config.on_request_start.append(on_start)
    config.on_request_end.append(on_end)
    config.on_request_exception.append(on_exception)
    return config

"""The CloudEvents 1.0 envelope (structured JSON mode) every Fairpath event travels in.

type    org.fairpath.<subject>.v<N>        e.g. org.fairpath.vetting.business.registered.v1
source  /fairpath/<service>
subject the aggregate id
id      a UUIDv7, also the JetStream `Nats-Msg-Id` (deduplication)
correlationid  the request that caused it (extension attribute)
traceparent, tracestate  the W3C trace context of the request or event handling that wrote it (the
        CloudEvents distributed-tracing extension), when it was traced; absent otherwise
data    the payload model, which carries the aggregate's `version`
"""

import json
import uuid
from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from fairpath.common.ids import uuid7
from fairpath.common.logging import correlation_id
from fairpath.common.timeutil import utcnow
from fairpath.common.tracing import TRACEPARENT, TRACESTATE, trace_context

SPEC_VERSION = "1.0"
TYPE_PREFIX = "org.fairpath."


class EventPayload(BaseModel):
    """Base of every payload: one model per event type and version, shared by producer and consumers.

    Payloads carry ids, codes, amounts and states, never personal data."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    # Set by each subclass: the NATS subject (`vetting.business.registered`) and the schema version.
    subject: ClassVar[str]
    schema_version: ClassVar[int] = 1

    version: int = Field(ge=1, description="the aggregate's version after this change")

    @classmethod
    def event_type(cls) -> str:
        return f"{TYPE_PREFIX}{cls.subject}.v{cls.schema_version}"

    @classmethod
    def service(cls) -> str:
        return cls.subject.split(".", 1)[0]


class CloudEvent(BaseModel):
    """A structured-mode CloudEvent as it goes on the wire."""

    model_config = ConfigDict(extra="allow")

    specversion: str = SPEC_VERSION
    id: str
    source: str
    type: str
    subject: str
    time: datetime
    datacontenttype: str = "application/json"
    correlationid: str | None = None
    # The distributed-tracing extension: absent when the producer was not traced (and from older producers).
    traceparent: str | None = None
    tracestate: str | None = None
    data: dict[str, Any]

    @property
    def event_id(self) -> uuid.UUID:
        return uuid.UUID(self.id)

    @property
    def nats_subject(self) -> str:
        """`org.fairpath.vetting.business.registered.v1` travels on `vetting.business.registered`."""
        return self.type.removeprefix(TYPE_PREFIX).rsplit(".v", 1)[0]

    def to_json(self) -> bytes:
        return json.dumps(self.model_dump(mode="json", exclude_none=True), separators=(",", ":")).encode()


def new_event(payload: EventPayload, aggregate_id: uuid.UUID | str, *, event_id: uuid.UUID | None = None) -> CloudEvent:
    """The event, carrying the current trace context if a span is current (none is when tracing is off)."""
    traced = trace_context()
    return CloudEvent(
        id=str(event_id or uuid7()),
        source=f"/fairpath/{payload.service()}",
        type=payload.event_type(),
        subject=str(aggregate_id),
        time=utcnow(),
        correlationid=correlation_id.get(),
        traceparent=traced.get(TRACEPARENT),
        tracestate=traced.get(TRACESTATE),
        data=payload.model_dump(mode="json"),
    )


def parse_event(body: bytes) -> CloudEvent:
    return CloudEvent.model_validate_json(body)

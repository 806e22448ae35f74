"""Dead letters: list them, and put them back on their original subject (`./fairpath admin events replay`)."""

import logging
from dataclasses import dataclass

from nats.js.errors import NotFoundError

from fairpath.common.events.broker import Broker
from fairpath.common.events.consumer import H_CONSUMER, H_ERROR, H_EVENT_ID, H_SEQ, H_STREAM, H_SUBJECT

log = logging.getLogger("fairpath.events.dlq")

DLQ_STREAM = "DLQ"


@dataclass
class DeadLetter:
    seq: int
    consumer: str
    subject: str
    stream: str
    stream_seq: int
    error: str
    event_id: str | None


async def dead_letters(broker: Broker, consumer: str | None = None, limit: int = 1000) -> list[DeadLetter]:
    js = broker.js
    assert js is not None
    info = await js.stream_info(DLQ_STREAM)
    found: list[DeadLetter] = []
    if info.state.messages == 0:
        return found
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        try:
            msg = await js.get_msg(DLQ_STREAM, seq)
        except NotFoundError:
            continue  # replayed and deleted
        headers = msg.headers or {}
        letter = DeadLetter(
            seq=seq,
            consumer=headers.get(H_CONSUMER, ""),
            subject=headers.get(H_SUBJECT, ""),
            stream=headers.get(H_STREAM, ""),
            stream_seq=int(headers.get(H_SEQ, "0")),
            error=headers.get(H_ERROR, ""),
            event_id=headers.get(H_EVENT_ID),
        )
        if consumer is None or letter.consumer == consumer:
            found.append(letter)
        if len(found) >= limit:
            break
    return found


async def replay(broker: Broker, consumer: str | None = None, limit: int = 1000) -> list[DeadLetter]:
    """Republish each dead letter on its original subject, then remove it from the DLQ.

    The replay gets a fresh `Nats-Msg-Id` so the duplicate window does not swallow it;
    consumers that had already applied the event skip it by their inbox."""
    js = broker.js
    assert js is not None
    replayed = []
    for letter in await dead_letters(broker, consumer, limit):
        msg = await js.get_msg(DLQ_STREAM, letter.seq)
        await js.publish(letter.subject, msg.data, headers={"Nats-Msg-Id": f"replay:{DLQ_STREAM}:{letter.seq}"})
        await js.delete_msg(DLQ_STREAM, letter.seq)
        replayed.append(letter)
    if replayed:
        log.info("dead letters replayed", extra={"count": len(replayed)})
    return replayed

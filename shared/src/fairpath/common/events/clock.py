"""The clock on the broker, outside production: the gateway publishes the offset an admin sets
(`operations.clock`, the last one kept), and every process follows it, a late starter included."""

import asyncio
import contextlib
import json
import logging
from datetime import timedelta

from nats.js.api import DeliverPolicy

from fairpath.common.clock import CLOCK, Clock
from fairpath.common.events.broker import Broker
from fairpath.common.tasks import stop_task

log = logging.getLogger("fairpath.events.clock")

CLOCK_SUBJECT = "operations.clock"


async def publish_offset(broker: Broker, offset: timedelta, *, actor: str) -> None:
    """Tell every process the clock's offset from the system's; acknowledged by JetStream."""
    assert broker.js is not None
    body = json.dumps({"offset_seconds": offset.total_seconds(), "set_by": actor}).encode()
    await broker.js.publish(CLOCK_SUBJECT, body)


def apply(clock: Clock, data: bytes) -> None:
    offset = timedelta(seconds=float(json.loads(data)["offset_seconds"]))
    clock.set_offset(offset)
    log.warning("clock moved", extra={"offset_seconds": offset.total_seconds()})


class ClockFollower:
    """Keeps this process's clock at the offset last published, from the moment the broker answers."""

    def __init__(self, broker: Broker, clock: Clock = CLOCK) -> None:
        self.broker = broker
        self.clock = clock
        self._task: asyncio.Task | None = None

    async def run(self) -> None:
        pause = 0.2
        while True:
            try:
                if not self.broker.connected or self.broker.js is None:
                    await asyncio.sleep(pause)
                    continue

                async def on_message(msg) -> None:  # noqa: ANN001
                    try:
                        apply(self.clock, msg.data)
                    except (ValueError, KeyError, TypeError) as exc:
                        log.warning("clock message ignored", extra={"error": type(exc).__name__})

                subscription = await self.broker.js.subscribe(
                    CLOCK_SUBJECT, cb=on_message, ordered_consumer=True, deliver_policy=DeliverPolicy.LAST_PER_SUBJECT
                )
                try:
                    while self.broker.nc is not None and not self.broker.nc.is_closed:
                        await asyncio.sleep(1.0)
                finally:
                    with contextlib.suppress(Exception):
                        await subscription.unsubscribe()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - keep following whatever one attempt met
                log.warning("clock follower restarting", extra={"error": type(exc).__name__})
            await asyncio.sleep(pause)
            pause = min(5.0, pause * 2)

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name="clock-follower")

    async def stop(self) -> None:
        await stop_task(self._task)
        self._task = None

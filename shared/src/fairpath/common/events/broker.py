"""The connection to NATS JetStream: reconnects forever, and creates or updates the streams."""

import asyncio
import logging

import nats
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import NotFoundError

from fairpath.common import services

log = logging.getLogger("fairpath.events.broker")

# One stream per publishing service, and the dead letters.
STREAMS: dict[str, list[str]] = services.streams()
STREAM_OF_SERVICE = {spec.name: spec.stream for spec in services.DOMAIN_SERVICES if spec.stream}
DUPLICATE_WINDOW_SECONDS = 120.0


class Broker:
    def __init__(self, url: str, *, name: str, replicas: int = 1) -> None:
        self.url = url
        self.name = name
        self.replicas = replicas
        self.nc: Client | None = None
        self.js: JetStreamContext | None = None

    async def connect(self) -> "Broker":
        async def on_disconnect() -> None:
            log.warning("broker disconnected", extra={"url": self.url})

        async def on_reconnect() -> None:
            log.info("broker reconnected", extra={"url": self.url})

        async def on_error(exc: Exception) -> None:
            log.warning("broker error", extra={"error": type(exc).__name__})

        self.nc = await nats.connect(
            # Several servers of a cluster are listed comma-separated, as in FAIRPATH_NATS_URL.
            [u.strip() for u in self.url.split(",") if u.strip()],
            name=self.name,
            max_reconnect_attempts=-1,
            reconnect_time_wait=0.5,
            connect_timeout=3,
            allow_reconnect=True,
            disconnected_cb=on_disconnect,
            reconnected_cb=on_reconnect,
            error_cb=on_error,
        )
        self.js = self.nc.jetstream(timeout=10)
        return self

    async def connect_forever(self, retry_interval: float = 1.0) -> None:
        """Keep trying until the broker answers (it may start after us), then set up the streams."""
        while True:
            try:
                await self.connect()
                await self.ensure_streams()
                log.info("broker connected", extra={"url": self.url})
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - any failure: try again
                log.warning("broker not reachable yet", extra={"url": self.url, "error": type(exc).__name__})
                if self.nc is not None:
                    await self.close()
                    self.nc = self.js = None
                await asyncio.sleep(retry_interval)

    @property
    def connected(self) -> bool:
        return self.nc is not None and self.nc.is_connected

    async def ensure_streams(self) -> None:
        """Create each stream, or bring an existing one up to the configuration here."""
        assert self.js is not None
        for name, subjects in STREAMS.items():
            config = StreamConfig(
                name=name,
                subjects=subjects,
                storage=StorageType.FILE,
                num_replicas=self.replicas,
                retention=RetentionPolicy.LIMITS,
                duplicate_window=DUPLICATE_WINDOW_SECONDS,
                # Operations' settings: only the last of each subject counts.
                max_msgs_per_subject=1 if name == services.OPERATIONS_STREAM else -1,
            )
            try:
                await self.js.stream_info(name)
                await self.js.update_stream(config)
            except NotFoundError:
                try:
                    await self.js.add_stream(config)
                except nats.js.errors.BadRequestError:
                    await self.js.update_stream(config)  # another process created it meanwhile

    async def check(self) -> None:
        if not self.connected:
            raise ConnectionError("not connected to NATS")

    async def close(self) -> None:
        # Consumers and the relay are stopped first, so nothing is in flight to drain.
        if self.nc is not None and not self.nc.is_closed:
            try:
                await asyncio.wait_for(self.nc.close(), timeout=5)
            except TimeoutError:
                log.warning("broker connection did not close in time", extra={"url": self.url})
            except Exception as exc:  # noqa: BLE001 - a broker that is gone must not fail the shutdown
                log.warning("broker connection closed with an error", extra={"error": type(exc).__name__})

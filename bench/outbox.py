"""Benchmark: events per second through the outbox relay, against raw nats-py async publishing.

    ./fairpath bench outbox [--events N] [--rounds R] [--database-url URL]

Both sides publish the same CloudEvents to the same JetStream stream on a nats-server
started for this run. The relay side starts with the events committed in the outbox and
stops when every row is acknowledged and marked sent; the baseline publishes the same
bodies with `publish_async` and waits for every ack. Prints the ratio relay / raw
(the aim: at least 0.5). Absolute numbers vary with the machine; the ratio is the result.
"""

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import MetaData, insert

from fairpath.common.db import Database
from fairpath.common.events.broker import Broker
from fairpath.common.events.catalogue import BusinessRegistered
from fairpath.common.events.envelope import new_event
from fairpath.common.events.relay import OutboxRelay
from fairpath.common.events.tables import outbox_table
from fairpath.common.testing.nats import NatsServer
from fairpath.common.timeutil import utcnow


def make_events(n: int) -> list:
    return [
        new_event(
            BusinessRegistered(
                version=1,
                business_id=(bid := uuid.uuid4()),
                kind="employer",
                legal_name=f"Benchmark Employer {i}",
                country="AE",
                status="registered",
            ),
            bid,
        )
        for i in range(n)
    ]


async def raw_publish(broker: Broker, events: list) -> float:
    js = broker.js
    start = time.perf_counter()
    futures = [
        await js.publish_async(e.nats_subject, e.to_json(), headers={"Nats-Msg-Id": f"raw-{e.id}"}) for e in events
    ]
    await asyncio.gather(*futures)
    return time.perf_counter() - start


async def relay_publish(broker: Broker, database: Database, outbox, events: list, batch: int) -> float:
    now = utcnow()
    rows = [
        {"id": uuid.UUID(e.id), "subject": e.nats_subject, "body": e.to_json(), "created_at": now, "attempts": 0}
        for e in events
    ]
    async with database.session() as session:
        for i in range(0, len(rows), 1000):
            await session.execute(insert(outbox), rows[i : i + 1000])
    relay = OutboxRelay(database, outbox, broker, batch_size=batch)
    start = time.perf_counter()
    published = 0
    while published < len(events):
        published += await relay.relay_once()
    return time.perf_counter() - start


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch", type=int, default=1000, help="relay batch size")
    parser.add_argument("--database-url", default="", help="default: a SQLite file in a temporary folder")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        server = NatsServer(Path(tmp) / "nats").start()
        database = None
        try:
            broker = await Broker(server.url, name="bench").connect()
            await broker.ensure_streams()
            metadata = MetaData()
            outbox = outbox_table(metadata)
            database = Database(args.database_url or f"sqlite+aiosqlite:///{tmp}/bench.db")
            async with database.engine.begin() as conn:
                await conn.run_sync(metadata.drop_all)
                await conn.run_sync(metadata.create_all)

            await raw_publish(broker, make_events(500))  # warm up both paths
            await relay_publish(broker, database, outbox, make_events(500), args.batch)

            raw_rates, relay_rates = [], []
            for _ in range(args.rounds):
                events = make_events(args.events)
                raw_rates.append(args.events / await raw_publish(broker, events))
                relay_rates.append(args.events / await relay_publish(broker, database, outbox, events, args.batch))
            await broker.close()
        finally:
            if database is not None:
                async with database.engine.begin() as conn:
                    await conn.run_sync(metadata.drop_all)
                await database.dispose()
            server.stop()

    raw, relay = statistics.median(raw_rates), statistics.median(relay_rates)
    backend = "postgresql" if args.database_url.startswith("postgresql") else "sqlite"
    print(f"outbox relay ({backend}), {args.events} events x {args.rounds} rounds (medians)")
    print(f"  raw nats-py publish_async : {raw:10,.0f} events/s")
    print(f"  outbox relay to JetStream : {relay:10,.0f} events/s")
    print(f"  ratio relay / raw         : {relay / raw:10.2f}  (target >= 0.5)")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))

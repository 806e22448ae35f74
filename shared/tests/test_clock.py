"""The one clock: movable outside production, fixed in production, followed by every process."""

from datetime import UTC, datetime, timedelta

import pytest

from fairpath.common.clock import Clock, ClockNotSettable
from fairpath.common.config import CommonSettings, InsecureSettingsError
from fairpath.common.events.broker import Broker
from fairpath.common.events.clock import ClockFollower, publish_offset
from fairpath.common.testing.nats import wait_until


def test_a_moved_clock_runs_on_from_the_time_it_was_set_to():
    clock = Clock()
    target = datetime(2027, 12, 1, 9, 0, tzinfo=UTC)
    clock.set_now(target)
    assert target <= clock.now() < target + timedelta(seconds=5)


def test_production_keeps_the_system_clock():
    clock = Clock()
    clock.fix_to_system()
    with pytest.raises(ClockNotSettable):
        clock.set_now(datetime(2030, 1, 1, tzinfo=UTC))
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)


def test_a_start_date_is_refused_in_production(tmp_path):
    with pytest.raises(InsecureSettingsError, match="FAIRPATH_CLOCK_AT"):
        CommonSettings(
            env="production", var_dir=tmp_path, principal_public_key="k", audit_digest_key="k",
            clock_at=datetime(2027, 1, 1, tzinfo=UTC),
        )  # fmt: skip


async def test_every_process_follows_the_published_clock_and_a_late_starter_reads_the_last(nats_server):
    broker = await Broker(nats_server.url, name="clock-test").connect()
    await broker.ensure_streams()
    early, late = Clock(), Clock()
    following = ClockFollower(broker, early)
    following.start()
    try:
        await publish_offset(broker, timedelta(days=400), actor="admin:test")
        await wait_until(lambda: early.offset == timedelta(days=400), message="the running process to follow")
        joining = ClockFollower(broker, late)
        joining.start()
        try:
            await wait_until(lambda: late.offset == timedelta(days=400), message="a later process to read the last")
        finally:
            await joining.stop()
        await publish_offset(broker, timedelta(0), actor="admin:test")
        await wait_until(lambda: early.offset == timedelta(0), message="the system clock back")
    finally:
        await following.stop()
        await broker.close()

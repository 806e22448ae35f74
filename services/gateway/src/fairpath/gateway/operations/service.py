"""Operations on the whole deployment: the clock every service sees, outside production."""

from datetime import UTC, datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.auth import Principal
from fairpath.common.clock import CLOCK
from fairpath.common.errors import Forbidden
from fairpath.common.events.broker import Broker
from fairpath.common.events.clock import publish_offset
from fairpath.common.ledger import Ledger


class ClockNotSettable(Forbidden):
    name = "clock_not_settable"
    description = "production keeps the system's clock: it can be neither read as settable nor moved"


class ClockView(BaseModel):
    now: datetime = Field(description="the time every service sees")
    system_now: datetime = Field(description="the machine's own clock")
    offset_seconds: float = Field(description="how far the clock was moved (0: the system's clock)")


class ClockChange(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"now": "2027-12-01T09:00:00Z"}, {"now": None}]})

    now: datetime | None = Field(
        description="the time every service should see from now on (the clock runs on from it); "
        "null puts the system's clock back",
        examples=["2027-12-01T09:00:00Z"],
    )


def ensure_settable() -> None:
    if not CLOCK.settable:
        raise ClockNotSettable("this deployment runs in production: its clock is the system's")


def view_clock() -> ClockView:
    ensure_settable()
    system = datetime.now(UTC)
    return ClockView(now=system + CLOCK.offset, system_now=system, offset_seconds=CLOCK.offset.total_seconds())


async def move_clock(
    *, session: AsyncSession, ledger: Ledger, broker: Broker, principal: Principal, change: ClockChange
) -> ClockView:
    """Move the clock for every process: this one at once, the services as the broker delivers it."""
    ensure_settable()
    offset = timedelta(0) if change.now is None else change.now - datetime.now(UTC)
    await publish_offset(broker, offset, actor=principal.actor)
    CLOCK.set_offset(offset)
    await ledger.append(
        session, actor=principal.actor, action="clock.set", record_type="clock", record_id="clock",
        changes={"offset_seconds": offset.total_seconds()},
    )  # fmt: skip
    return view_clock()

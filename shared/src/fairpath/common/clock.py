"""The one clock every rule reads: approval expiry, condition and grievance deadlines, the
retaliation window, signing before departure, and every timestamp the system records.

In production it is the system's clock and nothing can move it. Outside production an operator
may set the date every service sees, so that a case that needs weeks to pass can be walked through
the API: at start with `FAIRPATH_CLOCK_AT`, and at run time with `PUT /v1/admin/clock` on the
gateway, which publishes the new offset on the broker (`operations.clock`, the last one kept);
every service follows it, and a service that starts later reads the last one.

The clock keeps running from the date it is set to: it is an offset from the system's clock.
"""

from datetime import UTC, datetime, timedelta


class ClockNotSettable(RuntimeError):
    """Production keeps the system's clock."""


class Clock:
    def __init__(self) -> None:
        self.offset = timedelta(0)
        self.settable = True

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def set_offset(self, offset: timedelta) -> None:
        if not self.settable:
            raise ClockNotSettable("the clock is the system's in production")
        self.offset = offset

    def set_now(self, moment: datetime) -> timedelta:
        """Move the clock so that it reads `moment` now; returns the offset."""
        if moment.tzinfo is None:
            raise ValueError("a naive datetime: give the time zone (UTC)")
        self.set_offset(moment - datetime.now(UTC))
        return self.offset

    def fix_to_system(self) -> None:
        """Production: the system's clock, for good."""
        self.offset = timedelta(0)
        self.settable = False


# One per process: the services and the gateway configure it at start from their settings.
CLOCK = Clock()


def now() -> datetime:
    return CLOCK.now()

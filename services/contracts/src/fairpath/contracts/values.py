"""What callers type, checked with fairpath.common.text; what was stored, read back as it was stored.

Every string a caller sends is single-line text (a name, a title, an address: NFC, no control
character) or prose (a description, a procedure: NFC, and no control character but tab, line feed
and carriage return); every date must fall in a plausible range. A 422 names the field and the
rule (`control_character`, `date_too_early`, `date_too_late`, `date_in_future`).

Stored content (a contract version's terms, a reference row, a service agreement) goes through the
same models when it is read. Validated with `context=STORED`, these checks let it through unchanged,
so a version reads back exactly as it was hashed and signed, whatever rule was tightened since.
"""

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from pydantic import AfterValidator, ValidationInfo
from pydantic_core import PydanticCustomError

from fairpath.common.clock import now
from fairpath.common.text import check_date, prose, single_line

STORED = {"stored": True}

# No contract, job order or agreement of this system is dated before 2000 or after 2100.
EARLIEST_CONTRACT_DATE = date(2000, 1, 1)
LATEST_CONTRACT_DATE = date(2100, 12, 31)


def _unless_stored(check: Callable[[Any], Any]) -> AfterValidator:
    def validate(value: Any, info: ValidationInfo) -> Any:
        if isinstance(info.context, dict) and info.context.get("stored"):
            return value
        return check(value)

    return AfterValidator(validate)


# Metadata for `Annotated[str, StringConstraints(...), SINGLE_LINE]`: after stripping and length checks.
SINGLE_LINE = _unless_stored(single_line)
PROSE = _unless_stored(prose)


def _check_range(value: date, earliest: date | None, latest: date | None, not_future: bool) -> date:
    check_date(value, earliest=earliest)
    if latest is not None and value > latest:
        raise PydanticCustomError("date_too_late", "must be on or before {latest}", {"latest": latest.isoformat()})
    # Today somewhere on Earth: a date typed in UTC+14 is a day ahead of the UTC date.
    if not_future and value > now().date() + timedelta(days=1):
        raise PydanticCustomError("date_in_future", "must not be in the future")
    return value


def plausible(
    *,
    earliest: date | None = EARLIEST_CONTRACT_DATE,
    latest: date | None = LATEST_CONTRACT_DATE,
    not_future: bool = False,
) -> AfterValidator:
    """`Annotated[date, plausible(...)]`: a date a real record of this service can carry."""
    return _unless_stored(lambda value: _check_range(value, earliest, latest, not_future))

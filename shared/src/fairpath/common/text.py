"""Text and dates a person typed, checked once for every service.

- `Text`: a single-line value (a name, a reference, a title): normalised to Unicode NFC, and no
  control character at all (a NUL is refused by PostgreSQL and kept by SQLite; neither belongs in a name).
- `Prose`: free text that may run over lines (a grievance's description, a note): NFC, and no control
  character but tab, line feed and carriage return.
- `plausible_date(earliest=..., not_future=...)`: a date in a range a real record can have; each broken
  rule is a 422 naming the field (the violation's `rule`: `control_character`, `date_too_early`,
  `date_in_future`).
"""

import unicodedata
from datetime import date
from typing import Annotated

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from fairpath.common.clock import now

_PROSE_CONTROLS = frozenset("\t\n\r")


def _refuse_controls(value: str, allowed: frozenset[str]) -> str:
    value = unicodedata.normalize("NFC", value)
    for position, char in enumerate(value):
        if unicodedata.category(char) == "Cc" and char not in allowed:
            raise PydanticCustomError(
                "control_character",
                "must not contain control characters ({char} at position {position})",
                {"char": f"U+{ord(char):04X}", "position": position},
            )
    return value


def single_line(value: str) -> str:
    return _refuse_controls(value, frozenset())


def prose(value: str) -> str:
    return _refuse_controls(value, _PROSE_CONTROLS)


Text = Annotated[str, AfterValidator(single_line)]
Prose = Annotated[str, AfterValidator(prose)]


def check_date(value: date, *, earliest: date | None = None, not_future: bool = False) -> date:
    if earliest is not None and value < earliest:
        raise PydanticCustomError(
            "date_too_early", "must be on or after {earliest}", {"earliest": earliest.isoformat()}
        )
    if not_future and value > now().date():
        raise PydanticCustomError("date_in_future", "must not be in the future")
    return value


def plausible_date(*, earliest: date | None = None, not_future: bool = False) -> AfterValidator:
    """`Annotated[date, plausible_date(earliest=date(2000, 1, 1))]`."""
    return AfterValidator(lambda value: check_date(value, earliest=earliest, not_future=not_future))


# The earliest date any record of the system may carry (a birth, a licence's issue, a payment).
EARLIEST_PLAUSIBLE = date(1900, 1, 1)
PastDate = Annotated[date, plausible_date(earliest=EARLIEST_PLAUSIBLE, not_future=True)]

"""ISCO-08 occupations (ILO), shipped as data: look-ups and a validated `OccupationCode` type.

The classification is in `data/isco08.csv` (provenance in `data/README.md`): 10 major,
43 sub-major, 130 minor and 436 unit groups. A code of 1 to 4 digits names a group at
that level; its first n digits name its ancestor at level n.
"""

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Annotated

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

LEVELS = ("major", "sub-major", "minor", "unit")


@dataclass(frozen=True)
class Occupation:
    code: str
    level: str
    title: str
    parent: str | None


@cache
def isco08() -> dict[str, Occupation]:
    """Every ISCO-08 group by code."""
    text = resources.files("fairpath.common").joinpath("data/isco08.csv").read_text(encoding="utf-8")
    return {
        row["code"]: Occupation(row["code"], row["level"], row["title"], row["parent"] or None)
        for row in csv.DictReader(text.splitlines())
    }


def occupation(code: str) -> Occupation | None:
    return isco08().get(code)


def _occupation_code(value: str) -> str:
    code = value.strip()
    if code not in isco08():
        raise PydanticCustomError("isco08", "not an ISCO-08 occupation code (1 to 4 digits, e.g. 7112)")
    return code


OccupationCode = Annotated[str, AfterValidator(_occupation_code)]

"""ISCO-08 occupations (ILO): the codes contracts and job orders name a job by, with their English titles.

The table ships with the library (`data/isco08.csv`), so a lookup never leaves the process.
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
def occupations() -> dict[str, Occupation]:
    """Every ISCO-08 group by code, from major group ("7") to unit group ("7112")."""
    text = resources.files("fairpath.common").joinpath("data/isco08.csv").read_text(encoding="utf-8")
    return {
        row["code"]: Occupation(row["code"], row["level"], row["title"], row["parent"] or None)
        for row in csv.DictReader(text.splitlines())
    }


def occupation(code: str) -> Occupation | None:
    return occupations().get(code)


def _unit_group(value: str) -> str:
    code = value.strip()
    found = occupations().get(code)
    if found is None:
        raise PydanticCustomError("isco08_code", "not an ISCO-08 occupation code")
    if found.level != "unit":
        raise PydanticCustomError("isco08_unit_group", "name the job by an ISCO-08 unit group (four digits)")
    return code


# A job is named by a four-digit unit group: the finest level ISCO-08 has.
IscoUnitGroup = Annotated[str, AfterValidator(_unit_group)]

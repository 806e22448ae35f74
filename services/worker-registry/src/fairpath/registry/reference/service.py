"""The operator's minimum-age table: reading, replacing, and the age that applies to a worker."""

import time
from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.auth import Principal
from fairpath.common.ids import uuid7
from fairpath.common.ledger import Ledger
from fairpath.common.timeutil import utcnow
from fairpath.registry.reference.schemas import (
    DEFAULT_MINIMUM_AGE,
    MinimumAgeRulePublic,
    MinimumAgeTable,
    MinimumAgeTableIn,
)
from fairpath.registry.reference.tables import MinimumAgeRule

# Every registration reads the table; it changes rarely. Another replica's change is seen within this time.
CACHE_SECONDS = 10.0
_cache: dict[str, tuple[float, list[tuple[str | None, str | None, int]]]] = {}


def _cache_key(session: AsyncSession) -> str:
    return str(session.bind.url) if session.bind is not None else ""


async def _rules(session: AsyncSession) -> list[tuple[str | None, str | None, int]]:
    key = _cache_key(session)
    cached = _cache.get(key)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    rows = (
        await session.execute(
            select(MinimumAgeRule.origin_country, MinimumAgeRule.occupation, MinimumAgeRule.minimum_age)
        )
    ).all()
    rules = [(r.origin_country, r.occupation, r.minimum_age) for r in rows]
    _cache[key] = (time.monotonic() + CACHE_SECONDS, rules)
    return rules


async def minimum_age_table(*, session: AsyncSession) -> MinimumAgeTable:
    rows = list((await session.execute(select(MinimumAgeRule).order_by(MinimumAgeRule.id))).scalars())
    default = next((r for r in rows if r.origin_country is None and r.occupation is None), None)
    latest = max(rows, key=lambda r: r.updated_at, default=None)
    return MinimumAgeTable(
        default_minimum_age=default.minimum_age if default else DEFAULT_MINIMUM_AGE,
        rules=[MinimumAgeRulePublic.model_validate(r) for r in rows if r is not default],
        updated_at=latest.updated_at if latest else None,
        updated_by=latest.updated_by if latest else None,
    )


async def replace_minimum_age_table(
    *, session: AsyncSession, ledger: Ledger, principal: Principal, data: MinimumAgeTableIn
) -> MinimumAgeTable:
    now = utcnow()
    await session.execute(delete(MinimumAgeRule))
    session.add(
        MinimumAgeRule(
            id=uuid7(),
            minimum_age=data.default_minimum_age,
            source="default",
            updated_by=principal.actor,
            updated_at=now,
        )
    )
    for rule in data.rules:
        session.add(MinimumAgeRule(id=uuid7(), **rule.model_dump(), updated_by=principal.actor, updated_at=now))
    await session.flush()
    _cache.pop(_cache_key(session), None)
    await ledger.append(
        session,
        actor=principal.actor,
        action="minimum_age.replaced",
        record_type="reference",
        record_id="minimum-age",
        changes=data.model_dump(mode="json"),
    )
    return await minimum_age_table(session=session)


async def minimum_age_for(*, session: AsyncSession, nationality: str | None, occupations: Iterable[str]) -> int:
    """The highest age any rule sets for this nationality and these occupations (rules only raise the default)."""
    codes = list(occupations)
    age = DEFAULT_MINIMUM_AGE
    for origin_country, occupation, minimum_age in await _rules(session):
        if origin_country is not None and origin_country != nationality:
            continue
        if occupation is not None and not any(code.startswith(occupation) for code in codes):
            continue
        age = max(age, minimum_age)
    return age

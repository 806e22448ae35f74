"""The operator's minimum-age table: reading, replacing, and the age that applies to a worker."""

from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.auth import Principal
from fairpath.common.ids import uuid7
from fairpath.common.timeutil import utcnow
from fairpath.registry.db import common
from fairpath.registry.reference.schemas import DEFAULT_MINIMUM_AGE, MinimumAgeRulePublic, MinimumAgeTable, MinimumAgeTableIn
from fairpath.registry.reference.tables import MinimumAgeRule


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


async def replace_minimum_age_table(*, session: AsyncSession, principal: Principal, data: MinimumAgeTableIn) -> MinimumAgeTable:
    now = utcnow()
    await session.execute(delete(MinimumAgeRule))
    session.add(MinimumAgeRule(id=uuid7(), minimum_age=data.default_minimum_age, source="default",
                               updated_by=principal.actor, updated_at=now))
    for rule in data.rules:
        session.add(MinimumAgeRule(id=uuid7(), **rule.model_dump(), updated_by=principal.actor, updated_at=now))
    await session.flush()
    await common.audit.append(
        session, actor=principal.actor, action="minimum_age.replaced", record_type="reference",
        record_id="minimum-age", changes=data.model_dump(mode="json"),
    )
    return await minimum_age_table(session=session)


async def minimum_age_for(*, session: AsyncSession, nationality: str | None, occupations: Iterable[str]) -> int:
    """The highest age any rule sets for this nationality and these occupations (rules only raise the default)."""
    codes = list(occupations)
    rows = (await session.execute(select(MinimumAgeRule))).scalars()
    age = DEFAULT_MINIMUM_AGE
    for rule in rows:
        if rule.origin_country is not None and rule.origin_country != nationality:
            continue
        if rule.occupation is not None and not any(code.startswith(rule.occupation) for code in codes):
            continue
        age = max(age, rule.minimum_age)
    return age

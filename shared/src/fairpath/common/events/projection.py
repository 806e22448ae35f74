"""Local projections of other services' aggregates: an event is applied only if it is newer.

A late or repeated event never overwrites a newer state: each projected row keeps
the aggregate `version` it reflects, and an event with a version not above it is ignored.
"""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel


async def apply_if_newer(
    session: AsyncSession, model: type[SQLModel], key: Any, version: int, values: dict[str, Any]
) -> bool:
    """Insert or update the projected row for `key` to `version`; False if it already holds as new a state."""
    current = await session.get(model, key, with_for_update=True)
    if current is None:
        session.add(model(**values, version=version))
        await session.flush()
        return True
    if current.version >= version:
        return False
    for name, value in values.items():
        setattr(current, name, value)
    current.version = version
    await session.flush()
    return True

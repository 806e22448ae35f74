"""Key rotation without downtime: re-seal stored values under the active key, a batch at a time.

Put the new key first in FAIRPATH_REGISTRY_ENCRYPTION_KEYS and keep the old ones after it; every
replica then seals with the new key and still opens the old values, while this job (started with
the app, safe with several replicas) moves the old values over. Once it reports nothing left, the
old key can leave the ring.
"""

import logging
from contextlib import AsyncExitStack

from fastapi import FastAPI
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.db import Database
from fairpath.common.tasks import start_repeating
from fairpath.registry.checkins.tables import CheckIn
from fairpath.registry.crypto import FieldCipher
from fairpath.registry.fees.tables import FeeReport
from fairpath.registry.grievances.tables import Grievance
from fairpath.registry.workers.tables import Worker

log = logging.getLogger("fairpath.registry.rotation")

# Each table with sealed columns: the column name and the field name its values are bound to.
SEALED = {
    Worker: {
        "full_name_sealed": "full_name",
        "date_of_birth_sealed": "date_of_birth",
        "document_number_sealed": "document_number",
        "phone_sealed": "phone",
    },
    FeeReport: {"evidence_sealed": "evidence"},
    Grievance: {
        "description_sealed": "description",
        "decision_note_sealed": "decision_note",
        "remedy_note_sealed": "remedy_note",
    },
    CheckIn: {"note_sealed": "note"},
}


async def _reseal_table(
    session: AsyncSession, cipher: FieldCipher, model: type, columns: dict[str, str], batch: int
) -> int:
    prefix = f"{cipher.active_key_id}:"
    stale = [getattr(model, c).is_not(None) & ~getattr(model, c).startswith(prefix, autoescape=True) for c in columns]
    query = select(model).where(or_(*stale)).limit(batch)
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)  # replicas share the work instead of queueing on it
    rows = list((await session.execute(query)).scalars())
    for row in rows:
        for column, field in columns.items():
            value = getattr(row, column)
            if cipher.needs_reencryption(value):
                setattr(row, column, cipher.reseal(value, record=row.id, field=field))
    return len(rows)


async def reseal_batch(database: Database, cipher: FieldCipher, batch: int = 500) -> int:
    """Re-seal up to `batch` rows of each table that still hold values under an older key; how many were moved."""
    moved = 0
    for model, columns in SEALED.items():
        async with database.session() as session:
            moved += await _reseal_table(session, cipher, model, columns, batch)
    return moved


async def start_rotation(app: FastAPI, stack: AsyncExitStack, interval: float = 60.0) -> None:
    """Startup hook: when the key ring has more than one key, move old values over in the background."""
    cipher: FieldCipher = app.state.cipher
    if not cipher.rotating:
        return

    async def reseal() -> bool:
        moved = await reseal_batch(app.state.database, cipher)
        if moved:
            log.info("re-sealed values under the active key", extra={"count": moved})
        return moved > 0  # more may wait: the next batch at once

    start_repeating(stack, reseal, every=interval, name="registry-key-rotation")

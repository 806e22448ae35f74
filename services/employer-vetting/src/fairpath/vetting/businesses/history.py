"""A business's history: the audit entries of the business and of every vetting record about it."""

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.audit import AuditRecord
from fairpath.common.timeutil import as_utc
from fairpath.vetting.db import VettingModel, ledger_tables


def _related_tables():  # noqa: ANN202
    """Tables whose rows belong to a business (a `business_id` column): cases, licences, findings, hits..."""
    return [t for t in VettingModel.metadata.sorted_tables if "business_id" in t.c and "id" in t.c]


async def business_history(
    session: AsyncSession, business_id: uuid.UUID, *, after_seq: int, limit: int
) -> list[AuditRecord]:
    record_ids = [str(business_id)]
    for table in _related_tables():
        ids = (await session.execute(select(table.c.id).where(table.c.business_id == business_id))).scalars()
        record_ids += [str(i) for i in ids]
    links = VettingModel.metadata.tables.get("recruiter_link")
    if links is not None:
        ids = (await session.execute(select(links.c.id).where(links.c.employer_id == business_id))).scalars()
        record_ids += [str(i) for i in ids]
    entry = ledger_tables.audit_entry
    rows = (
        (
            await session.execute(
                select(entry)
                .where(entry.c.record_id.in_(record_ids), entry.c.seq > after_seq)
                .order_by(entry.c.seq)
                .limit(limit)
            )
        )
        .mappings()
        .all()
    )
    return [AuditRecord.model_validate({**dict(r), "occurred_at": as_utc(r["occurred_at"])}) for r in rows]

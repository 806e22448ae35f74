"""The registry's part of a business's compliance dossier, in one read: the fee reports and grievances about the
business, pseudonymous, without the free text people wrote, and with each erased worker as an erasure marker
(its date), never a gap."""

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Column, ColumnElement, Row, String, or_, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common import jsonio
from fairpath.common.db import EnumString
from fairpath.common.timeutil import utcnow
from fairpath.registry.dossier.schemas import DossierFeeReport
from fairpath.registry.fees.tables import FeeReport
from fairpath.registry.grievances.tables import Grievance, GrievanceStep
from fairpath.registry.workers.tables import Worker


async def _workers(session: AsyncSession, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, dict[str, Any]]:
    """The `WorkerMarker` of each worker named, by id."""
    wanted = list(set(ids))
    if not wanted:
        return {}
    rows = (
        await session.execute(select(Worker.id, Worker.nationality, Worker.erased_at).where(Worker.id.in_(wanted)))
    ).all()
    return {
        worker_id: {"worker_id": worker_id, "nationality": nationality, "erased": erased_at is not None,
                    "erased_at": erased_at}
        for worker_id, nationality, erased_at in rows
    }  # fmt: skip


def _as_text(column: Column) -> ColumnElement:
    if isinstance(column.type, EnumString):
        return type_coerce(column, String).label(column.name)
    return column


def _unknown(worker_id: uuid.UUID) -> dict[str, Any]:
    return {"worker_id": worker_id, "nationality": None, "erased": False, "erased_at": None}


# A busy business has thousands of reports: they are read as rows and written as JSON in the documented shape
# (schemas.py) without a model per record, which cost several times the query (measured with 1,000 reports).
# An enum column is read as the text it holds, which is what the JSON says anyway (turning each value into
# its enum member and back was a fifth of the read, measured).
_FEE_COLUMNS = [_as_text(FeeReport.__table__.c[name]) for name in DossierFeeReport.model_fields if name != "worker"]


async def _fee_reports(session: AsyncSession, business_id: uuid.UUID) -> list[dict[str, Any]]:
    """Every report naming the business as paid or answerable, oldest first; each row's `worker_id` is still
    to be replaced by its marker."""
    rows = await session.execute(
        select(*_FEE_COLUMNS, FeeReport.worker_id)
        .where(or_(FeeReport.paid_to_business_id == business_id, FeeReport.finding_business_id == business_id))
        .order_by(FeeReport.id)
    )
    return [dict(row) for row in rows.mappings()]


def _deadline_met(done_at: datetime | None, due_at: datetime, now: datetime) -> bool | None:
    if done_at is not None:
        return done_at <= due_at
    return False if now > due_at else None


# Read as columns (not entities: a grievance row also carries its sealed texts, which a dossier never shows).
_GRIEVANCE_COLUMNS = [
    _as_text(Grievance.__table__.c[name])
    for name in (
        "id", "worker_id", "anonymous", "filed_by", "alleged_indicators", "indicators", "status", "severity",
        "filed_at", "acknowledge_by", "acknowledged_at", "resolve_by", "resolved_at", "decided_at", "decided_by",
        "remedies", "escalated_to", "escalated_at",
    )
]  # fmt: skip


async def _grievances(session: AsyncSession, business_id: uuid.UUID) -> list[Row]:
    """Every grievance against the business, oldest first (as columns: no sealed text is read)."""
    rows = await session.execute(
        select(*_GRIEVANCE_COLUMNS).where(Grievance.business_id == business_id).order_by(Grievance.id)
    )
    return list(rows.all())


async def _steps(session: AsyncSession, grievances: list[Row]) -> dict[uuid.UUID, list[dict[str, Any]]]:
    """Each grievance's steps, oldest first."""
    steps: dict[uuid.UUID, list[dict[str, Any]]] = {g.id: [] for g in grievances}
    # Who filed an anonymous grievance stays unnamed: the filer's own steps show no actor.
    hidden = {g.id: g.filed_by for g in grievances if g.anonymous}
    if grievances:
        rows = await session.execute(
            select(GrievanceStep.grievance_id, GrievanceStep.step, GrievanceStep.actor, GrievanceStep.at)
            .where(GrievanceStep.grievance_id.in_(list(steps)))
            .order_by(GrievanceStep.id)
        )
        for grievance_id, step, actor, at in rows:
            shown = None if hidden.get(grievance_id) == actor else actor
            steps[grievance_id].append({"step": step, "actor": shown, "at": at})
    return steps


async def registry_dossier(session: AsyncSession, business_id: uuid.UUID) -> bytes:
    """`RegistryDossier` as JSON: the business's fee reports and grievances, their workers' markers read once."""
    fees = await _fee_reports(session, business_id)
    grievances = await _grievances(session, business_id)
    steps = await _steps(session, grievances)
    # An anonymous grievance is looked up for no one: its worker is never read, let alone shown.
    workers = await _workers(
        session, [*(f["worker_id"] for f in fees), *(g.worker_id for g in grievances if not g.anonymous)]
    )
    for item in fees:
        worker_id = item.pop("worker_id")
        item["worker"] = workers.get(worker_id) or _unknown(worker_id)
    now = utcnow()
    items = [
        {
            "id": g.id,
            "worker": None if g.anonymous else (workers.get(g.worker_id) or _unknown(g.worker_id)),
            "anonymous": g.anonymous,
            "alleged_indicators": g.alleged_indicators,
            "indicators": g.indicators,
            "status": g.status,
            "severity": g.severity,
            "filed_at": g.filed_at,
            "acknowledge_by": g.acknowledge_by,
            "acknowledged_at": g.acknowledged_at,
            "acknowledgement_deadline_met": _deadline_met(g.acknowledged_at, g.acknowledge_by, now),
            "resolve_by": g.resolve_by,
            "resolved_at": g.resolved_at,
            "resolution_deadline_met": _deadline_met(g.resolved_at, g.resolve_by, now),
            "decided_at": g.decided_at,
            "decided_by": g.decided_by,
            "remedies": g.remedies,
            "escalated_to": g.escalated_to,
            "escalated_at": g.escalated_at,
            "steps": steps[g.id],
        }
        for g in grievances
    ]
    return jsonio.dumps({"business_id": business_id, "fee_reports": fees, "grievances": items})

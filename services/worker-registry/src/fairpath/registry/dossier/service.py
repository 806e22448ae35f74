"""The registry's part of a business's compliance dossier, in one read: the fee reports and grievances about the
business, pseudonymous, without the free text people wrote, and with each erased worker as an erasure marker
(its date), never a gap."""

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ColumnElement, Row, String, Text, Uuid, cast, or_, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from fairpath.common import jsonio
from fairpath.common.db import EnumString
from fairpath.common.timeutil import utcnow
from fairpath.registry.dossier.schemas import DossierFeeReport
from fairpath.registry.fees.tables import FeeReport
from fairpath.registry.grievances.tables import Grievance, GrievanceStep
from fairpath.registry.workers.tables import Worker


class _UuidText(FunctionElement):
    """A UUID column as its canonical text (8-4-4-4-12 lowercase hex), written by the database."""

    type = String()
    inherit_cache = True
    name = "uuid_text"


@compiles(_UuidText)
def _uuid_text(element: _UuidText, compiler: Any, **kw: Any) -> str:
    """PostgreSQL's uuid reads as its canonical text."""
    return f"CAST({compiler.process(element.clauses, **kw)} AS TEXT)"


@compiles(_UuidText, "sqlite")
def _uuid_text_sqlite(element: _UuidText, compiler: Any, **kw: Any) -> str:
    """SQLite holds a UUID as its 32 hex digits (lowercase): the dashes go in."""
    hex_ = compiler.process(element.clauses, **kw)
    parts = (f"substr({hex_}, {start}, {length})" for start, length in ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12)))
    return " || '-' || ".join(parts)


def _as_text(column: Column) -> ColumnElement:
    """A UUID or enum column read as the text the JSON shows: making thousands of `uuid.UUID`s and enum members
    only to write them back as text was most of the read (measured: UUIDs alone were a third of it). A JSON
    column is read as its text too, for `jsonio` to parse (the standard library's parser cost more)."""
    if isinstance(column.type, Uuid):
        return _UuidText(column).label(column.name)
    if isinstance(column.type, EnumString):
        return type_coerce(column, String).label(column.name)
    if isinstance(column.type, JSON):
        return cast(column, Text).label(column.name)
    return column


async def _workers(session: AsyncSession, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The `WorkerMarker` of each worker named, by id (as text)."""
    wanted = [uuid.UUID(worker_id) for worker_id in set(ids)]
    if not wanted:
        return {}
    worker = Worker.__table__.c
    rows = (
        await session.execute(
            select(_as_text(worker.id), worker.nationality, worker.erased_at).where(worker.id.in_(wanted))
        )
    ).all()
    return {
        worker_id: {"worker_id": worker_id, "nationality": nationality, "erased": erased_at is not None,
                    "erased_at": erased_at}
        for worker_id, nationality, erased_at in rows
    }  # fmt: skip


def _unknown(worker_id: str) -> dict[str, Any]:
    return {"worker_id": worker_id, "nationality": None, "erased": False, "erased_at": None}


# A busy business has thousands of reports: they are read as rows (table columns, no ORM entity) and written as
# JSON in the documented shape (schemas.py) without a model per record, which cost several times the query
# (measured with 1,000 reports). UUID and enum columns are read as the text the JSON says anyway.
_FEE = FeeReport.__table__.c
_FEE_COLUMNS = [_as_text(_FEE[name]) for name in DossierFeeReport.model_fields if name != "worker"]


async def _fee_reports(session: AsyncSession, business_id: uuid.UUID) -> list[dict[str, Any]]:
    """Every report naming the business as paid or answerable, oldest first; each row's `worker_id` is still
    to be replaced by its marker."""
    rows = await session.execute(
        select(*_FEE_COLUMNS, _as_text(_FEE.worker_id))
        .where(or_(_FEE.paid_to_business_id == business_id, _FEE.finding_business_id == business_id))
        .order_by(_FEE.id)
    )
    keys = list(rows.keys())
    return [dict(zip(keys, row, strict=True)) for row in rows]


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
    grievance = Grievance.__table__.c
    rows = await session.execute(
        select(*_GRIEVANCE_COLUMNS).where(grievance.business_id == business_id).order_by(grievance.id)
    )
    return list(rows.all())


async def _steps(
    session: AsyncSession, business_id: uuid.UUID, grievances: list[Row]
) -> dict[str, list[dict[str, Any]]]:
    """Each grievance's steps, oldest first."""
    steps: dict[str, list[dict[str, Any]]] = {g.id: [] for g in grievances}
    # Who filed an anonymous grievance stays unnamed: the filer's own steps show no actor.
    hidden = {g.id: g.filed_by for g in grievances if g.anonymous}
    if grievances:
        taken, grievance = GrievanceStep.__table__.c, Grievance.__table__.c
        rows = await session.execute(
            select(_as_text(taken.grievance_id), _as_text(taken.step), taken.actor, taken.at)
            .join_from(GrievanceStep.__table__, Grievance.__table__, grievance.id == taken.grievance_id)
            .where(grievance.business_id == business_id)
            .order_by(taken.id)
        )
        for grievance_id, step, actor, at in rows:
            # A grievance filed since the grievances were read is not in this dossier, nor are its steps.
            if grievance_id in steps:
                shown = None if hidden.get(grievance_id) == actor else actor
                steps[grievance_id].append({"step": step, "actor": shown, "at": at})
    return steps


async def registry_dossier(session: AsyncSession, business_id: uuid.UUID) -> bytes:
    """`RegistryDossier` as JSON: the business's fee reports and grievances, their workers' markers read once."""
    fees = await _fee_reports(session, business_id)
    grievances = await _grievances(session, business_id)
    steps = await _steps(session, business_id, grievances)
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
            "alleged_indicators": jsonio.loads(g.alleged_indicators),
            "indicators": jsonio.loads(g.indicators),
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
            "remedies": jsonio.loads(g.remedies),
            "escalated_to": g.escalated_to,
            "escalated_at": g.escalated_at,
            "steps": steps[g.id],
        }
        for g in grievances
    ]
    return jsonio.dumps({"business_id": business_id, "fee_reports": fees, "grievances": items})

"""Scheduled jobs: approvals expire, missed condition deadlines suspend, a licence lapsing during an approval
becomes a finding, approved businesses are re-screened, a re-screening after an import that a stopped
process cut short is taken up again. Safe with several replicas: rows are claimed with
FOR UPDATE SKIP LOCKED on PostgreSQL (SQLite's write lock serialises), and each change
re-checks the state it acts on."""

import logging
from collections.abc import Awaitable, Callable
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.db import Database
from fairpath.common.domain_codes import BusinessKind, BusinessStatus, Severity, SuspensionReason
from fairpath.common.events.catalogue import BusinessExpired
from fairpath.common.ledger import Ledger
from fairpath.common.timeutil import utcnow
from fairpath.vetting.businesses import service as businesses
from fairpath.vetting.businesses.tables import Business
from fairpath.vetting.cases import service as cases
from fairpath.vetting.findings.flows import report_finding
from fairpath.vetting.findings.schemas import FindingKind, FindingSource
from fairpath.vetting.licences.schemas import LicenceState, RegisterStatus
from fairpath.vetting.licences.service import licence_required, licences_of
from fairpath.vetting.licences.tables import Licence
from fairpath.vetting.screening.flows import resume_stalled_rescreenings
from fairpath.vetting.screening.service import rescreen_approved

log = logging.getLogger("fairpath.vetting.jobs")

SYSTEM = "system:vetting-scheduler"
_APPROVED = (BusinessStatus.approved, BusinessStatus.conditionally_approved)
BATCH = 200


def _claim(query, database: Database):  # noqa: ANN001, ANN202
    query = query.limit(BATCH)
    return query if database.is_sqlite else query.with_for_update(skip_locked=True)


async def expire_approvals(database: Database, ledger: Ledger) -> int:
    now = utcnow()
    async with database.session() as session:
        due = (
            (
                await session.execute(
                    _claim(
                        select(Business).where(Business.status.in_(_APPROVED), Business.approval_expires_at <= now),
                        database,
                    )
                )
            )
            .scalars()
            .all()
        )
        for business in due:
            await businesses.transition(
                session,
                ledger,
                business,
                status=BusinessStatus.expired,
                event=BusinessExpired,
                actor=SYSTEM,
                action="business.expired",
                expired_at=now,
            )
        return len(due)


async def suspend_missed_deadlines(database: Database, ledger: Ledger) -> int:
    now = utcnow()
    async with database.session() as session:
        due = (
            (
                await session.execute(
                    _claim(
                        select(Business).where(
                            Business.status == BusinessStatus.conditionally_approved,
                            Business.condition_deadline <= now,
                        ),
                        database,
                    )
                )
            )
            .scalars()
            .all()
        )
        for business in due:
            await businesses.suspend(
                session, ledger, business, reason=SuspensionReason.condition_deadline_missed, actor=SYSTEM
            )
        return len(due)


async def find_lapsed_licences(database: Database, ledger: Ledger) -> int:
    """An approved agency whose operating licence ran out during its approval: a `licence_expired` finding,
    once per licence. What the approving decision already weighed is no new finding (the risk it was made
    on scored the licence): an agency approved with no licence recorded, or with one already expired, is not
    reported again as if something had changed. A business that needs no licence (an employer) is never
    flagged. Every approved agency is looked at, a page at a time."""
    today = utcnow().date()
    held = Licence.business_id == Business.id, Licence.register_status != RegisterStatus.not_found
    valid_licence = select(Licence.id).where(*held, Licence.valid_from <= today, Licence.valid_until >= today).exists()
    lapsed_licence = select(Licence.id).where(*held, Licence.valid_until < today).exists()
    found = 0
    after = None
    while True:
        async with database.session() as session:
            query = (
                select(Business)
                .where(
                    Business.status.in_(_APPROVED),
                    Business.kind == BusinessKind.recruitment_agency,
                    lapsed_licence,
                    ~valid_licence,
                )
                .order_by(Business.id)
                .limit(BATCH)
            )
            if after is not None:
                query = query.where(Business.id > after)
            page = (await session.execute(query)).scalars().all()
            for business in page:
                found += await _report_lapse(session, ledger, business, today)
        if len(page) < BATCH:
            return found
        after = page[-1].id


async def _report_lapse(session: AsyncSession, ledger: Ledger, business: Business, today: date) -> bool:
    if not licence_required(business):
        return False
    held = [
        lic
        for lic in await licences_of(session, business.id)
        if lic.register_status != RegisterStatus.not_found and lic.valid_from <= today
    ]
    if not held:
        return False
    latest = max(held, key=lambda lic: lic.valid_until)
    approved_on = await cases.approved_on(session, business.id)
    if latest.valid_until >= today or (approved_on is not None and latest.valid_until < approved_on.date()):
        return False  # still valid, or expired before the approval: the decision weighed it
    recorded = await report_finding(
        session,
        ledger,
        business_id=business.id,
        kind=FindingKind.licence_expired,
        principle="A",
        severity=Severity.high,
        source=FindingSource.vetting,
        source_ref=f"licence-lapse:{latest.id}",
        evidence={
            "state": LicenceState.expired,
            "detail": f"licence {latest.number} ({latest.country}) valid until {latest.valid_until.isoformat()}; "
            "no valid licence since",
            "licence_id": str(latest.id),
            "valid_until": latest.valid_until.isoformat(),
        },
        actor=SYSTEM,
    )
    return recorded is not None


async def rescreen(database: Database, ledger: Ledger, every: timedelta, threshold: float) -> int:
    return await rescreen_approved(database, ledger, older_than=utcnow() - every, threshold=threshold)


async def run_jobs_once(
    database: Database, ledger: Ledger, rescreen_every: timedelta, threshold: float
) -> dict[str, int]:
    return {
        "expired": await expire_approvals(database, ledger),
        "suspended": await suspend_missed_deadlines(database, ledger),
        "licence_findings": await find_lapsed_licences(database, ledger),
        "rescreened": await rescreen(database, ledger, rescreen_every, threshold),
        "rescreenings_resumed": await resume_stalled_rescreenings(database, ledger, threshold=threshold),
    }


def scheduled_jobs(
    database: Database,
    ledger: Ledger,
    *,
    rescreen_every: timedelta,
    threshold: float,
) -> Callable[[], Awaitable[None]]:
    """One round of the scheduled jobs, for `start_repeating` (the events of what changed go to the relay as each
    transaction commits)."""

    async def run() -> None:
        counts = await run_jobs_once(database, ledger, rescreen_every, threshold)
        if any(counts.values()):
            log.info("scheduled jobs changed records", extra={"count": sum(counts.values())})

    return run

"""Scheduled jobs: approvals expire, missed condition deadlines suspend, lapsed licences become findings,
approved businesses are re-screened. Safe with several replicas: rows are claimed with
FOR UPDATE SKIP LOCKED on PostgreSQL (SQLite's write lock serialises), and each change
re-checks the state it acts on."""

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select

from fairpath.common.db import Database
from fairpath.common.domain_codes import BusinessKind, BusinessStatus, Severity, SuspensionReason
from fairpath.common.events.catalogue import BusinessExpired
from fairpath.common.ledger import Ledger
from fairpath.common.timeutil import utcnow
from fairpath.vetting.businesses import service as businesses
from fairpath.vetting.businesses.tables import Business
from fairpath.vetting.findings.flows import report_finding
from fairpath.vetting.findings.schemas import FindingKind, FindingSource
from fairpath.vetting.licences.schemas import RegisterStatus
from fairpath.vetting.licences.service import licence_state
from fairpath.vetting.licences.tables import Licence
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
    """An approved agency left without a valid licence is a finding (once per approval)."""
    today = utcnow().date()
    valid_licence = (
        select(Licence.id)
        .where(
            Licence.business_id == Business.id,
            Licence.valid_from <= today,
            Licence.valid_until >= today,
            Licence.register_status != RegisterStatus.not_found,
        )
        .exists()
    )
    found = 0
    async with database.session() as session:
        lapsed = (
            (
                await session.execute(
                    select(Business)
                    .where(
                        Business.status.in_(_APPROVED),
                        Business.kind == BusinessKind.recruitment_agency,
                        ~valid_licence,
                    )
                    .limit(BATCH)
                )
            )
            .scalars()
            .all()
        )
        for business in lapsed:
            state, evidence = await licence_state(session, business, today)
            recorded = await report_finding(
                session,
                ledger,
                business_id=business.id,
                kind=FindingKind.licence_expired,
                principle="A",
                severity=Severity.high,
                source=FindingSource.vetting,
                source_ref=f"licence-lapse:{business.approval_expires_at}",
                evidence={"state": state, "detail": evidence},
                actor=SYSTEM,
            )
            found += recorded is not None
    return found


async def rescreen(database: Database, ledger: Ledger, every: timedelta, threshold: float) -> int:
    async with database.session() as session:
        return await rescreen_approved(session, ledger, older_than=utcnow() - every, threshold=threshold)


async def run_jobs_once(
    database: Database, ledger: Ledger, rescreen_every: timedelta, threshold: float
) -> dict[str, int]:
    return {
        "expired": await expire_approvals(database, ledger),
        "suspended": await suspend_missed_deadlines(database, ledger),
        "licence_findings": await find_lapsed_licences(database, ledger),
        "rescreened": await rescreen(database, ledger, rescreen_every, threshold),
    }


class Scheduler:
    def __init__(
        self,
        database: Database,
        ledger: Ledger,
        *,
        interval: float,
        rescreen_every: timedelta,
        threshold: float,
        on_change: Callable[[], None] | None = None,
    ) -> None:
        self.database = database
        self.ledger = ledger
        self.threshold = threshold
        self.interval = interval
        self.rescreen_every = rescreen_every
        self.on_change = on_change
        self._task: asyncio.Task | None = None

    async def run(self) -> None:
        while True:
            try:
                counts = await run_jobs_once(self.database, self.ledger, self.rescreen_every, self.threshold)
                if any(counts.values()):
                    log.info("scheduled jobs changed records", extra={"count": sum(counts.values())})
                    if self.on_change:
                        self.on_change()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - the next round tries again
                log.warning("scheduled jobs failed", extra={"error": type(exc).__name__})
            await asyncio.sleep(self.interval)

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name="vetting-scheduler")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

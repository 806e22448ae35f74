"""The vetting service's app factory (`uvicorn --factory fairpath.vetting.app:create_app`)."""

import logging
import time
from contextlib import AsyncExitStack
from datetime import timedelta

from fastapi import FastAPI

from fairpath.common.app import create_service_app
from fairpath.common.audit_retention import HeldRecords
from fairpath.common.migrations import migrations_of
from fairpath.common.tasks import start_repeating
from fairpath.vetting import all_tables  # noqa: F401 - every table registered before migrations run
from fairpath.vetting.assessments.routes import router as assessments_router
from fairpath.vetting.assessments.tables import SelfAssessment
from fairpath.vetting.businesses.routes import router as businesses_router
from fairpath.vetting.cases.tables import VettingCase
from fairpath.vetting.config import VettingSettings
from fairpath.vetting.cpu import worker_pool
from fairpath.vetting.db import ledger_tables
from fairpath.vetting.dossier.routes import router as dossier_router
from fairpath.vetting.findings.consumers import findings_subscriptions
from fairpath.vetting.findings.routes import router as findings_router
from fairpath.vetting.findings.tables import Finding
from fairpath.vetting.licences.routes import router as licences_router
from fairpath.vetting.licences.tables import Licence
from fairpath.vetting.review.jobs import scheduled_jobs
from fairpath.vetting.review.routes import router as cases_router
from fairpath.vetting.risk.routes import router as risk_router
from fairpath.vetting.screening.flows import BackgroundRescreening
from fairpath.vetting.screening.matching import warm_keys, warm_up
from fairpath.vetting.screening.routes import router as screening_router
from fairpath.vetting.screening.routes import watchlist_imports_router
from fairpath.vetting.screening.tables import Screening, ScreeningHit
from fairpath.vetting.warmup import WARMS
from fairpath.vetting.watchlists.routes import router as watchlists_router

MIGRATIONS = migrations_of(__file__)

log = logging.getLogger("fairpath.vetting")


# A legal hold on a business keeps the audit entries of its licences, cases, findings, screenings and assessments.
AUDIT_HOLD_SCOPE = tuple(
    HeldRecords(kind, model.__table__.c.id, (model.__table__.c.business_id,))
    for kind, model in (
        ("licence", Licence),
        ("vetting_case", VettingCase),
        ("finding", Finding),
        ("screening", Screening),
        ("screening_hit", ScreeningHit),
        ("self_assessment", SelfAssessment),
    )
)


async def _start_matching(app: FastAPI, stack: AsyncExitStack) -> None:
    """The worker processes that score screenings, warmed before the service reports ready (unless the
    settings say not to); and the background re-screenings."""
    settings: VettingSettings = app.state.settings
    warm = settings.warm_matching
    app.state.matching = stack.enter_context(
        worker_pool(
            settings.matching_processes,
            initializer=warm_up if warm else None,
            initargs=(settings.database_url,) if warm else (),
        )
    )
    if warm:
        started = time.perf_counter()
        warm_keys()  # what this process computes itself: the retrieval keys
        await app.state.matching.start()
        log.info("matching warmed up", extra={"duration_ms": round((time.perf_counter() - started) * 1000)})
    app.state.rescreening = BackgroundRescreening(
        app.state.database, app.state.ledger, threshold=settings.screening_threshold
    )
    stack.push_async_callback(app.state.rescreening.stop)


async def _start_scheduler(app: FastAPI, stack: AsyncExitStack) -> None:
    settings: VettingSettings = app.state.settings
    if not settings.events_enabled:  # tests drive the jobs themselves
        return
    jobs = scheduled_jobs(
        app.state.database,
        app.state.ledger,
        rescreen_every=timedelta(days=settings.rescreen_days),
        threshold=settings.screening_threshold,
    )
    start_repeating(stack, jobs, every=settings.schedule_interval_seconds, name="vetting-scheduler")


def create_app(settings: VettingSettings | None = None) -> FastAPI:
    settings = settings or VettingSettings()
    return create_service_app(
        settings=settings,
        title="Fairpath employer-vetting",
        description="Vets employers and recruitment agencies against the IRIS principles.",
        routers=[
            businesses_router,
            dossier_router,
            findings_router,
            licences_router,
            assessments_router,
            cases_router,
            risk_router,
            watchlists_router,
            watchlist_imports_router,
            screening_router,
        ],
        tables=ledger_tables,
        audit_hold_scope=AUDIT_HOLD_SCOPE,
        migrations=MIGRATIONS,
        warm=WARMS,
        subscriptions=findings_subscriptions(frozenset(settings.severe_indicators)),
        on_startup=[_start_matching, _start_scheduler],
    )

"""The registry service's app factory (`uvicorn --factory fairpath.registry.app:create_app`)."""

from contextlib import AsyncExitStack

from fastapi import FastAPI

from fairpath.common.app import create_service_app
from fairpath.common.audit_retention import HeldRecords
from fairpath.common.migrations import migrations_of
from fairpath.registry import all_tables  # noqa: F401 - every table registered before migrations run
from fairpath.registry.businesses.consumers import vetting_subscription
from fairpath.registry.checkins.consumers import activations_subscription
from fairpath.registry.checkins.routes import router as check_ins_router
from fairpath.registry.config import RegistrySettings
from fairpath.registry.crypto import FieldCipher
from fairpath.registry.db import ledger_tables
from fairpath.registry.deployment.routes import router as deployment_router
from fairpath.registry.dossier.routes import router as dossier_router
from fairpath.registry.fees.routes import router as fees_router
from fairpath.registry.fees.tables import FeeReport
from fairpath.registry.grievances.routes import router as grievances_router
from fairpath.registry.grievances.tables import Grievance
from fairpath.registry.journey.consumers import journey_subscription
from fairpath.registry.journey.routes import router as journey_router
from fairpath.registry.matching.consumers import job_orders_subscription
from fairpath.registry.matching.routes import router as matching_router
from fairpath.registry.offers.consumers import worker_consents_subscription
from fairpath.registry.offers.routes import router as offers_router
from fairpath.registry.orientation.routes import router as orientation_router
from fairpath.registry.placements.routes import router as placements_router
from fairpath.registry.reference.routes import router as reference_router
from fairpath.registry.retaliation.consumers import contracts_subscription
from fairpath.registry.rights.routes import router as rights_router
from fairpath.registry.rotation import start_rotation
from fairpath.registry.warmup import WARMS
from fairpath.registry.workers.routes import router as workers_router

MIGRATIONS = migrations_of(__file__)


# A legal hold on a business keeps the audit entries of the fees paid to it and the grievances against it.
AUDIT_HOLD_SCOPE = (
    HeldRecords(
        "fee_report",
        FeeReport.__table__.c.id,
        (FeeReport.__table__.c.paid_to_business_id, FeeReport.__table__.c.finding_business_id),
    ),
    HeldRecords("grievance", Grievance.__table__.c.id, (Grievance.__table__.c.business_id,)),
)


async def _load_keys(app: FastAPI, _: AsyncExitStack) -> None:
    settings: RegistrySettings = app.state.settings
    app.state.cipher = FieldCipher(settings.encryption_keys, settings.hash_key)


def create_app(settings: RegistrySettings | None = None) -> FastAPI:
    settings = settings or RegistrySettings()
    return create_service_app(
        settings=settings,
        title="Fairpath worker-registry",
        description=(
            "Holds migrant workers with consent and encrypted personal data; fee reports, grievances, placements; "
            "the journey: candidates for job orders and offers to them, orientation, deployment steps, post-arrival "
            "check-ins, the return home and next-season invitations."
        ),
        # The dossier's paths before `/v1/fees/{id}` and `/v1/grievances/{id}`, which would take them.
        routers=[
            dossier_router,
            workers_router,
            rights_router,
            placements_router,
            fees_router,
            grievances_router,
            reference_router,
            orientation_router,
            deployment_router,
            check_ins_router,
            matching_router,
            offers_router,
            journey_router,
        ],
        tables=ledger_tables,
        audit_hold_scope=AUDIT_HOLD_SCOPE,
        migrations=MIGRATIONS,
        warm=WARMS,
        on_startup=[_load_keys, start_rotation],
        subscriptions=[
            contracts_subscription(settings),
            vetting_subscription(),
            activations_subscription(settings),
            job_orders_subscription(),
            worker_consents_subscription(),
            journey_subscription(),
        ],
    )

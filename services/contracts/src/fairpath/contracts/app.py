"""The contracts service's app factory (`uvicorn --factory fairpath.contracts.app:create_app`)."""

from fastapi import FastAPI

from fairpath.common.app import create_service_app
from fairpath.common.audit_retention import HeldRecords
from fairpath.common.migrations import migrations_of
from fairpath.contracts import all_tables  # noqa: F401 - every table registered before migrations run
from fairpath.contracts.businesses.consumers import vetting_subscription
from fairpath.contracts.config import ContractsSettings
from fairpath.contracts.contracts.routes import router as contracts_router
from fairpath.contracts.contracts.tables import Contract
from fairpath.contracts.db import ledger_tables
from fairpath.contracts.documents.routes import router as documents_router
from fairpath.contracts.dossier.routes import router as dossier_router
from fairpath.contracts.job_orders.routes import router as job_orders_router
from fairpath.contracts.job_orders.tables import JobOrder
from fairpath.contracts.lifecycle.routes import router as lifecycle_router
from fairpath.contracts.reference.routes import router as reference_router
from fairpath.contracts.reintegration.routes import invitations_router, returns_router
from fairpath.contracts.reintegration.tables import SeasonInvitation
from fairpath.contracts.verification.routes import router as verification_router
from fairpath.contracts.warmup import WARMS
from fairpath.contracts.workers.consumers import registry_subscription

MIGRATIONS = migrations_of(__file__)


# A legal hold on an employer keeps the audit entries of its contracts and job orders.
AUDIT_HOLD_SCOPE = (
    HeldRecords("contract", Contract.__table__.c.id, (Contract.__table__.c.employer_id,)),
    HeldRecords("job_order", JobOrder.__table__.c.id, (JobOrder.__table__.c.employer_id,)),
    HeldRecords("season_invitation", SeasonInvitation.__table__.c.id, (SeasonInvitation.__table__.c.employer_id,)),
)


def create_app(settings: ContractsSettings | None = None) -> FastAPI:
    return create_service_app(
        settings=settings or ContractsSettings(),
        title="Fairpath contracts",
        description="Job orders, rule-checked employment contracts in the worker's language, immutable signed "
        "versions and substitution findings on arrival.",
        # The dossier's path before `/v1/contracts/{contract_id}`, which would take it.
        routers=[
            job_orders_router,
            dossier_router,
            lifecycle_router,
            returns_router,
            invitations_router,
            contracts_router,
            documents_router,
            reference_router,
            verification_router,
        ],
        tables=ledger_tables,
        audit_hold_scope=AUDIT_HOLD_SCOPE,
        migrations=MIGRATIONS,
        warm=WARMS,
        subscriptions=[vetting_subscription(), registry_subscription()],
    )

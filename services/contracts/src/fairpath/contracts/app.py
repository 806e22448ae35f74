"""The contracts service's app factory (`uvicorn --factory fairpath.contracts.app:create_app`)."""

from pathlib import Path

from fastapi import FastAPI

from fairpath.common.service import create_service_app
from fairpath.contracts import schema  # noqa: F401 - every table registered before migrations run
from fairpath.contracts.businesses.consumers import vetting_subscription
from fairpath.contracts.config import ContractsSettings
from fairpath.contracts.db import common

MIGRATIONS = Path(__file__).resolve().parents[3] / "migrations"


def create_app(settings: ContractsSettings | None = None) -> FastAPI:
    return create_service_app(
        settings=settings or ContractsSettings(),
        title="Fairpath contracts",
        description="Generates and tracks employment contracts in the worker's language.",
        routers=[],
        tables=common,
        migrations=MIGRATIONS,
        subscriptions=[vetting_subscription()],
    )

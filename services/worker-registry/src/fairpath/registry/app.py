"""The registry service's app factory (`uvicorn --factory fairpath.registry.app:create_app`)."""

from pathlib import Path

from fastapi import FastAPI

from fairpath.common.service import create_service_app
from fairpath.registry import schema  # noqa: F401 - every table registered before migrations run
from fairpath.registry.config import RegistrySettings
from fairpath.registry.db import common

MIGRATIONS = Path(__file__).resolve().parents[3] / "migrations"


def create_app(settings: RegistrySettings | None = None) -> FastAPI:
    return create_service_app(
        settings=settings or RegistrySettings(),
        title="Fairpath worker-registry",
        description="Holds migrant workers with consent and encrypted personal data.",
        routers=[],
        tables=common,
        migrations=MIGRATIONS,
    )

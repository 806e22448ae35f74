"""The vetting service's app factory (`uvicorn --factory fairpath.vetting.app:create_app`)."""

from pathlib import Path

from fastapi import FastAPI

from fairpath.common.service import create_service_app
from fairpath.vetting import schema  # noqa: F401 - every table registered before migrations run
from fairpath.vetting.businesses.routes import router as businesses_router
from fairpath.vetting.config import VettingSettings
from fairpath.vetting.db import common

MIGRATIONS = Path(__file__).resolve().parents[3] / "migrations"


def create_app(settings: VettingSettings | None = None) -> FastAPI:
    return create_service_app(
        settings=settings or VettingSettings(),
        title="Fairpath employer-vetting",
        description="Vets employers and recruitment agencies against the IRIS principles.",
        routers=[businesses_router],
        tables=common,
        migrations=MIGRATIONS,
    )

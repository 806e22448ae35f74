"""Fixtures of the vetting service's tests: the app on each database backend, and a client."""

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from fairpath.common.config import CommonSettings
from fairpath.vetting.app import create_app
from fairpath.vetting.config import VettingSettings


@pytest.fixture(scope="session")
async def vetting_app(database_url, common_settings: CommonSettings) -> AsyncIterator[FastAPI]:
    # The warm-up (7 to 31 s) is the app's start; the screening tests pay logic-v2's first load once, in a thread.
    settings = VettingSettings(
        database_url=await database_url("vetting"), common=common_settings, events_enabled=False, warm_matching=False
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture(scope="session")
async def vetting(vetting_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=vetting_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://vetting") as client:
        yield client

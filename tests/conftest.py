"""Fixtures of the cross-service tests: services with their event machinery on a real nats-server."""

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from fairpath.common.config import CommonSettings
from fairpath.common.events.broker import Broker


@pytest.fixture(scope="session")
async def broker(common_settings: CommonSettings) -> AsyncIterator[Broker]:
    broker = await Broker(common_settings.nats_url, name="tests").connect()
    await broker.ensure_streams()
    yield broker
    await broker.close()


async def running(app: FastAPI) -> AsyncIterator[FastAPI]:
    async with app.router.lifespan_context(app):
        yield app


def client_of(app: FastAPI, name: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=False), base_url=f"http://{name}"
    )

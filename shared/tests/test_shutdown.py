"""A server shutting down never answers 500: a request it has to cut short gets a 503 problem."""

import asyncio

import httpx
import uvicorn
from fastapi import FastAPI

from fairpath.common.errors import PROBLEM_JSON
from fairpath.common.middleware import RequestContextMiddleware
from fairpath.common.testing.nats import free_port, wait_until


def stuck_app(entered: asyncio.Event) -> FastAPI:
    app = FastAPI()
    app.add_middleware(RequestContextMiddleware, service="stuck")

    @app.post("/v1/parcels")
    async def create_parcel() -> dict:
        entered.set()
        await asyncio.Event().wait()  # waits on something that never answers (a hung dependency)
        return {}

    return app


async def test_a_request_cut_short_by_a_shutdown_gets_a_503_problem_not_a_500():
    entered = asyncio.Event()
    port = free_port()
    config = uvicorn.Config(
        stuck_app(entered), host="127.0.0.1", port=port, lifespan="off", log_level="critical",
        timeout_graceful_shutdown=0.5,
    )  # fmt: skip
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    await wait_until(lambda: server.started, timeout=10, message="the server to start")
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
        request = asyncio.create_task(client.post("/v1/parcels"))
        await asyncio.wait_for(entered.wait(), timeout=10)
        server.should_exit = True  # what SIGTERM does
        response = await request
    await asyncio.wait_for(serving, timeout=10)
    assert response.status_code == 503
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["type"] == "urn:fairpath:problem:unavailable"
    assert "shutting down" in response.json()["detail"]
    assert response.headers["x-request-id"]

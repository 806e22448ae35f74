"""Problems are types: each route's OpenAPI lists the problems it can return, and each renders as RFC 9457."""

import httpx
from fastapi import APIRouter, FastAPI

from fairpath.common.errors import PROBLEM_JSON, PROBLEM_RESPONSES, Conflict, NotFound, install_error_handlers, problems


class ParcelShipped(Conflict):
    name = "parcel_shipped"
    description = "the parcel has left the warehouse"


class ParcelLost(Conflict):
    name = "parcel_lost"
    description = "the parcel was reported lost"


def parcel_app() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)
    router = APIRouter(responses=PROBLEM_RESPONSES)

    @router.post("/parcels/{parcel_id}/return", responses=problems(NotFound, ParcelShipped, ParcelLost))
    async def return_parcel(parcel_id: str) -> dict:
        raise ParcelShipped(f"parcel {parcel_id} has shipped", shipped_at="2026-11-30")

    @router.get("/parcels/{parcel_id}", responses=problems(NotFound))
    async def get_parcel(parcel_id: str) -> dict:
        raise NotFound("parcel", parcel_id)

    app.include_router(router)
    return app


def test_each_operation_documents_the_problems_it_can_return_and_no_others():
    spec = parcel_app().openapi()
    returning = spec["paths"]["/parcels/{parcel_id}/return"]["post"]["responses"]
    examples = returning["409"]["content"][PROBLEM_JSON]["examples"]
    assert sorted(examples) == ["parcel_lost", "parcel_shipped"]
    assert examples["parcel_shipped"]["value"]["type"] == "urn:fairpath:problem:parcel_shipped"
    assert "the parcel has left the warehouse" in returning["409"]["description"]
    assert "not_found" in returning["404"]["content"][PROBLEM_JSON]["examples"]
    reading = spec["paths"]["/parcels/{parcel_id}"]["get"]["responses"]
    assert "409" not in reading
    # What every authenticated route can answer comes from the router.
    assert {"401", "403", "422"} <= set(reading)


async def test_a_problem_class_renders_its_own_type_with_its_details():
    transport = httpx.ASGITransport(app=parcel_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.post("/parcels/p-1/return")
    assert response.status_code == 409
    assert response.headers["content-type"] == PROBLEM_JSON
    body = response.json()
    assert body["type"] == "urn:fairpath:problem:parcel_shipped"
    assert body["detail"] == "parcel p-1 has shipped"
    assert body["shipped_at"] == "2026-11-30"


async def test_a_method_a_path_lacks_is_405_naming_every_method_its_routes_take():
    app = parcel_app()

    @app.delete("/parcels/{parcel_id}")
    async def cancel_parcel(parcel_id: str) -> None:
        raise NotFound("parcel", parcel_id)

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.put("/parcels/p-1")
    assert response.status_code == 405
    assert response.headers["allow"] == "DELETE, GET"
    assert response.json()["type"] == "urn:fairpath:problem:method_not_allowed"

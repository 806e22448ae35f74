"""The process `./fairpath bench service` runs beside vetting (the load generator without wrk is bench/_load.py):

python bench/_service_processes.py serve DB PORT            the bare FastAPI + SQLModel app
"""

import sys
import uuid
from datetime import datetime

import uvicorn
from fastapi import Depends, FastAPI, HTTPException
from sqlalchemy import JSON, Column
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlmodel import Field, SQLModel

HOST = "127.0.0.1"


class BusinessBase(SQLModel):
    """The columns of vetting's `business` table, as a tutorial's model would declare them."""

    id: uuid.UUID = Field(primary_key=True)
    kind: str
    legal_name: str
    other_names: list[str] = Field(default_factory=list, sa_type=JSON)
    country: str
    registration_number: str
    sector: str | None = None
    address: str | None = None
    status: str
    approval_expires_at: datetime | None = None
    condition_deadline: datetime | None = None
    organization_id: uuid.UUID | None = None
    owner_organization_id: uuid.UUID | None = None
    open_case_id: uuid.UUID | None = None
    created_at: datetime
    updated_at: datetime
    version: int


class Business(BusinessBase, table=True):
    __tablename__ = "business"
    other_names: list[str] = Field(default_factory=list, sa_column=Column(JSON))


class BusinessRead(BusinessBase):
    pass


def bare_app(db_path: str) -> FastAPI:
    """A FastAPI + SQLModel app as its tutorial writes one: a table model, an async session per request,
    `session.get`, the row as the response model. No principal, no middleware, no access log."""
    engine = create_async_engine(f"sqlite+aiosqlite:///{db_path}")

    async def get_session():
        async with AsyncSession(engine) as session:
            yield session

    app = FastAPI()

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/v1/businesses/{business_id}", response_model=BusinessRead)
    async def get_business(business_id: uuid.UUID, session: AsyncSession = Depends(get_session)):
        business = await session.get(Business, business_id)
        if business is None:
            raise HTTPException(status_code=404)
        return business

    return app


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        uvicorn.run(bare_app(sys.argv[2]), host=HOST, port=int(sys.argv[3]), access_log=False, log_level="warning")

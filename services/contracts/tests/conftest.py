"""Fixtures of the contracts service's tests: the app on each database backend, a client, and a world of
vetted businesses and registered workers fed through the real event handlers."""

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from fairpath.common.auth import Role
from fairpath.common.config import CommonSettings
from fairpath.common.domain_codes import ConsentPurpose
from fairpath.common.events.catalogue import (
    BusinessApproved,
    BusinessConditionallyApproved,
    BusinessRegistered,
    BusinessRejected,
    BusinessSuspended,
    BusinessUpdated,
    WorkerRegistered,
)
from fairpath.common.events.envelope import new_event
from fairpath.common.ids import uuid7
from fairpath.common.testing import PrincipalMinter, make_principal
from fairpath.common.timeutil import utcnow
from fairpath.contracts.app import create_app
from fairpath.contracts.businesses.consumers import on_business_state
from fairpath.contracts.config import ContractsSettings
from fairpath.contracts.workers.consumers import on_worker_state


@pytest.fixture(scope="session")
async def contracts_app(database_url, common_settings: CommonSettings) -> AsyncIterator[FastAPI]:
    settings = ContractsSettings(
        database_url=await database_url("contracts"),
        common=common_settings,
        events_enabled=False,
        personal_data_key="test-personal-data-key",
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture(scope="session")
async def contracts(contracts_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=contracts_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://contracts") as client:
        yield client


class World:
    """Businesses, workers, job orders and contracts for one test, made through the service's own doors."""

    def __init__(self, app: FastAPI, client: httpx.AsyncClient, minter: PrincipalMinter) -> None:
        self.app, self.client, self.minter = app, client, minter
        self.admin = make_principal(Role.admin)
        self.officer = make_principal(Role.compliance_officer)
        self.auditor = make_principal(Role.auditor)
        # As vetting does, every state of an employer carries its recruiters, and of a worker their agency.
        self.recruiters: dict[uuid.UUID, list[uuid.UUID]] = {}
        self.agency_of: dict[uuid.UUID, uuid.UUID | None] = {}

    def headers(self, principal) -> dict[str, str]:
        return self.minter.headers(principal)

    async def apply(self, handler, payload) -> None:
        async with self.app.state.database.session() as session:
            await handler(session, self.app.state.ledger, new_event(payload, uuid7()), payload)

    async def business(
        self,
        kind: str = "employer",
        status: str = "approved",
        *,
        version: int = 2,
        business_id: uuid.UUID | None = None,
        **extra: Any,
    ) -> uuid.UUID:
        business_id = business_id or uuid7()
        now = utcnow()
        recruiters = extra.pop("recruiter_ids", None)
        if recruiters is not None:
            self.recruiters[business_id] = list(recruiters)
        common = {
            "version": version,
            "business_id": business_id,
            "kind": kind,
            "country": "QA" if kind == "employer" else "NP",
            "legal_name": "Gulf Horizon Construction LLC" if kind == "employer" else "Himalayan Manpower Pvt Ltd",
            "sector": "F",
            "status": status,
            "recruiter_ids": self.recruiters.get(business_id, []),
        }
        if status == "approved":
            payload = BusinessApproved(
                **common,
                vetting_case_id=uuid7(),
                decided_at=now,
                approval_expires_at=extra.pop("approval_expires_at", now + timedelta(days=365)),
                risk_band="low",
                **extra,
            )
        elif status == "conditionally_approved":
            payload = BusinessConditionallyApproved(
                **common,
                vetting_case_id=uuid7(),
                decided_at=now,
                approval_expires_at=now + timedelta(days=365),
                condition_deadline=extra.pop("condition_deadline"),
                risk_band="medium",
                conditions=["renew licence"],
            )
        elif status == "rejected":
            payload = BusinessRejected(**common, vetting_case_id=uuid7(), decided_at=now, risk_band="high")
        elif status == "suspended":
            payload = BusinessSuspended(**common, suspended_at=now, reason="compliance_decision")
        elif status == "under_review":
            payload = BusinessUpdated(**common, changed_fields=["status"])
        else:
            payload = BusinessRegistered(**common)
        await self.apply(on_business_state, payload)
        return business_id

    async def worker(
        self,
        *,
        languages=("ne", "en"),
        consents=(
            ConsentPurpose.registration,
            ConsentPurpose.employment_contract,
        ),
        version: int = 1,
        worker_id: uuid.UUID | None = None,
        agency_id: uuid.UUID | None = None,
    ) -> uuid.UUID:
        """A worker registered by `agency_id` (a later state of the worker keeps the agency given first)."""
        worker_id = worker_id or uuid7()
        agency_id = self.agency_of.setdefault(worker_id, agency_id)
        await self.apply(
            on_worker_state,
            WorkerRegistered(
                version=version,
                worker_id=worker_id,
                consents=list(consents),
                languages=list(languages),
                agency_id=agency_id,
            ),
        )
        return worker_id

    async def linked(self, employer_id: uuid.UUID, *agency_ids: uuid.UUID, version: int) -> None:
        """Vetting names the agencies the employer's recruiters: a newer state of the (approved) employer."""
        await self.business("employer", version=version, business_id=employer_id, recruiter_ids=agency_ids)

    def job_order_body(self, employer_id: uuid.UUID, agency_id: uuid.UUID, **offered: Any) -> dict:
        return {
            "employer_id": str(employer_id),
            "destination_country": "QA",
            "sector": "F",
            "reference": "DL-117",
            "service_agreements": [
                {"agency_id": str(agency_id), "signed_on": "2026-10-01", "employer_pays_all_costs": True}
            ],
            "positions": [
                {
                    "occupation": "7112",
                    "title": "Mason",
                    "number_of_workers": offered.pop("workers", 5),
                    "offered": {
                        "pay_amount": 180000,
                        "currency": "QAR",
                        "pay_period": "month",
                        "normal_hours_per_day": 8,
                        "normal_hours_per_week": 48,
                        "weekly_rest_days": 1,
                        "paid_annual_leave_days": 21,
                        "duration_months": 24,
                        "housing": "provided_free",
                        "food": "cash_allowance",
                    }
                    | offered,
                }
            ],
        }

    async def job_order(self, employer_id: uuid.UUID, agency_id: uuid.UUID, **offered: Any) -> dict:
        r = await self.client.post(
            "/v1/job-orders",
            json=self.job_order_body(employer_id, agency_id, **offered),
            headers=self.headers(self.admin),
        )
        assert r.status_code == 201, r.text
        return r.json()

    async def parties(self, **offered: Any) -> "Parties":
        """An employer, the agency it is linked to as its recruiter, a worker that agency registered, a job order."""
        agency = await self.business("recruitment_agency")
        employer = await self.business("employer", recruiter_ids=[agency])
        worker = await self.worker(agency_id=agency)
        order = await self.job_order(employer, agency, **offered)
        return Parties(self, employer, agency, worker, order)


def contract_terms(
    employer_id: uuid.UUID, agency_id: uuid.UUID, worker_id: uuid.UUID, *, departure_in_days: int = 30
) -> dict:
    departure = utcnow().date() + timedelta(days=departure_in_days)
    return {
        "parties": {
            "employer": {
                "business_id": str(employer_id),
                "legal_name": "Gulf Horizon Construction LLC",
                "address": "Street 12, Industrial Area, Doha",
            },
            "worker": {
                "worker_id": str(worker_id),
                "full_name": "Sita Kumari Tamang",
                "address": "Ward 4, Bharatpur, Chitwan",
                "nationality": "NP",
            },
            "recruiters": [
                {
                    "business_id": str(agency_id),
                    "legal_name": "Himalayan Manpower Pvt Ltd",
                    "role": "origin_agency",
                    "country": "NP",
                }
            ],
        },
        "workplace": {"address": "Lusail Marina site 4", "city": "Lusail", "country": "QA"},
        "job": {
            "title": "Mason",
            "occupation": "7112",
            "description": "Brick and block laying on residential towers",
            "sector": "F",
        },
        "period": {
            "departure_date": departure.isoformat(),
            "start_date": (departure + timedelta(days=2)).isoformat(),
            "term": "fixed_period",
            "duration_months": 24,
            "probation_days": 90,
        },
        "pay": {
            "amount": 180000,
            "currency": "QAR",
            "period": "month",
            "calculation": "monthly basic wage",
            "payment_method": "bank_transfer",
            "overtime_rate_percent": 125,
            "deductions": [{"reason": "tax", "description": "none expected", "amount": 0}],
        },
        "hours": {"normal_hours_per_day": 8, "normal_hours_per_week": 48},
        "rest": {"weekly_rest_days": 1},
        "leave": {"paid_annual_leave_days": 21, "sick_leave_days": 14},
        "food_and_housing": {
            "food": {"provision": "cash_allowance", "cash_value": 30000},
            "housing": {"provision": "provided_free", "description": "shared room, 4 persons"},
        },
        "transport": {"to_and_from_point_of_hire_paid_by": "employer", "at_job_site_paid_by": "employer"},
        "medical": {
            "medical_care_paid_by": "employer",
            "insurance_paid_by": "employer",
            "insurance_description": "health insurance per Qatar Law 22/2021",
        },
        "termination": {
            "grounds": ["gross misconduct"],
            "employer_notice_days": 30,
            "worker_notice_days": 30,
            "worker_may_leave_without_penalty": True,
        },
        "repatriation": {"paid_by": "employer", "includes_repatriation_of_remains": True},
        "dispute_settlement": {
            "procedure": "Labour Dispute Settlement Committee, Ministry of Labour",
            "grievance_contact": {"organisation": "Fairpath worker helpline", "phone": "+974 4000 0000"},
        },
        "fee_statement": [
            {
                "category": "recruitment_fee",
                "description": "agency service fee",
                "amount": 50000,
                "currency": "QAR",
                "paid_by": "employer",
            },
            {
                "category": "travel_lodging",
                "description": "air ticket",
                "amount": 120000,
                "currency": "QAR",
                "paid_by": "employer",
            },
        ],
        "document_custody": {"passport_kept_by": "worker", "identity_documents_kept_by": "worker"},
        "languages": {"worker_language": "ne", "destination_language": "ar", "prevailing": "ne"},
    }


class Parties:
    def __init__(self, world: World, employer: uuid.UUID, agency: uuid.UUID, worker: uuid.UUID, order: dict) -> None:
        self.world, self.employer, self.agency, self.worker, self.order = world, employer, agency, worker, order
        self.employer_user = make_principal(Role.employer, business_id=employer)
        self.agency_user = make_principal(Role.agency, business_id=agency)
        self.worker_user = make_principal(Role.worker, worker_id=worker)

    def terms(self, **kw: Any) -> dict:
        return contract_terms(self.employer, self.agency, self.worker, **kw)

    def draft(self, terms: dict | None = None) -> dict:
        return {
            "job_order_id": self.order["id"],
            "position_id": self.order["positions"][0]["id"],
            "terms": terms or self.terms(),
        }

    async def create(self, terms: dict | None = None, as_=None) -> httpx.Response:
        return await self.world.client.post(
            "/v1/contracts", json=self.draft(terms), headers=self.world.headers(as_ or self.agency_user)
        )

    async def contract(self, terms: dict | None = None) -> dict:
        r = await self.create(terms)
        assert r.status_code == 201, r.text
        return r.json()

    async def post(self, contract_id: str, action: str, body: dict | None = None, as_=None) -> httpx.Response:
        return await self.world.client.post(
            f"/v1/contracts/{contract_id}/{action}", json=body, headers=self.world.headers(as_ or self.agency_user)
        )

    async def issued(self, terms: dict | None = None) -> dict:
        created = await self.contract(terms)
        r = await self.post(created["id"], "issue")
        assert r.status_code == 200, r.text
        return r.json()

    async def signed(self, terms: dict | None = None) -> dict:
        issued = await self.issued(terms)
        r = await self.post(
            issued["id"], "sign", {"version": issued["current_version"], "method": "electronic"}, as_=self.worker_user
        )
        assert r.status_code == 200, r.text
        return r.json()


@pytest.fixture
def world(contracts_app: FastAPI, contracts: httpx.AsyncClient, minter: PrincipalMinter) -> World:
    return World(contracts_app, contracts, minter)

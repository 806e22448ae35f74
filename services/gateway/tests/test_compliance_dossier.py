"""The compliance dossier at the gateway: assembled from the services' answers (a stand-in serving what vetting,
contracts and the registry answer, over real HTTP), with a part marked missing when its service is down, workers
as markers, the CSV download, the roles, and every read in the gateway's audit chain. The dossier of records made
through the real services is tests/test_compliance_dossier.py's."""

import asyncio
import csv
import io
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select

from fairpath.common.auth import PrincipalVerifier, Role
from fairpath.common.testing.nats import free_port, wait_until
from fairpath.gateway.compliance import service, sources

BUSINESS = uuid.uuid4()
AGENCY = uuid.uuid4()
WORKER = uuid.uuid4()
ERASED = uuid.uuid4()
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def at(days: int) -> str:
    return (T0 + timedelta(days=days)).isoformat().replace("+00:00", "Z")


def marker(worker_id: uuid.UUID, erased_at: str | None = None) -> dict:
    return {"worker_id": str(worker_id), "nationality": "NP", "erased": erased_at is not None, "erased_at": erased_at}


def fee(category: str, amount: int, status: str, worker: dict) -> dict:
    return {
        "id": str(uuid.uuid4()), "worker": worker, "category": category, "amount_minor": amount, "currency": "NPR",
        "payment_method": "cash", "paid_by": "worker", "paid_to_business_id": str(BUSINESS), "contract_id": None,
        "paid_on": None, "channel": "worker", "reported_at": at(20), "finding": True,
        "finding_business_id": str(BUSINESS), "reimbursement_status": status, "promised_by_date": None,
        "reimbursed_amount_minor": None, "reimbursed_on": None, "confirmed_at": None, "disputed_at": None,
    }  # fmt: skip


def grievance(anonymous: bool, acknowledged: bool | None, resolved: bool | None) -> dict:
    return {
        "id": str(uuid.uuid4()), "worker": None if anonymous else marker(WORKER), "anonymous": anonymous,
        "alleged_indicators": ["retention_of_identity_documents", "withholding_of_wages"],
        "indicators": ["retention_of_identity_documents"] if resolved is not None else [],
        "status": "resolved" if resolved is not None else "received", "severity": None, "filed_at": at(25),
        "acknowledge_by": at(32), "acknowledged_at": at(26) if acknowledged else None,
        "acknowledgement_deadline_met": acknowledged, "resolve_by": at(55), "resolved_at": at(60) if resolved is not None else None,
        "resolution_deadline_met": resolved, "decided_at": None, "decided_by": None, "remedies": [],
        "escalated_to": None, "escalated_at": None,
        "steps": [{"step": "received", "actor": None if anonymous else "worker:x", "at": at(25)}],
    }  # fmt: skip


ANSWERS = {
    f"/v1/businesses/{BUSINESS}/dossier": {
        "business": {
            "id": str(BUSINESS), "kind": "employer", "legal_name": "Gulf Horizon Construction LLC", "country": "AE",
            "status": "suspended", "created_at": at(0),
        },
        "recruitment_links": [
            {"id": str(uuid.uuid4()), "employer_id": str(BUSINESS), "agency_id": str(AGENCY), "sub_agent_of": None,
             "created_at": at(1)},
        ],
        "risk": {"score": 60, "band": "high", "factors": [{"factor": "contract_substitution", "points": 40,
                                                           "evidence": "principle D, critical, from contracts (c)"}]},
        "licences": [],
        "findings": [
            {"id": str(uuid.uuid4()), "kind": "self_assessment_non_compliant", "principle": "C", "severity": "high",
             "created_at": at(2)},
            {"id": str(uuid.uuid4()), "kind": "contract_substitution", "principle": "D", "severity": "critical",
             "created_at": at(40)},
        ],
        "vetting_cases": [
            {"id": str(uuid.uuid4()), "status": "decided", "opened_by": str(uuid.uuid4()), "opened_at": at(3),
             "decision": "approved", "decision_reason": "in order", "decided_by": str(uuid.uuid4()),
             "decided_at": at(4)},
        ],
        "screening_hits": [
            {"id": str(uuid.uuid4()), "watchlist_kind": "sanctions", "status": "dismissed", "created_at": at(3),
             "resolved_by": str(uuid.uuid4()), "resolved_at": at(3), "resolution_reason": "a namesake"},
        ],
    },
    "/v1/contracts/dossier": {
        "business_id": str(BUSINESS), "total": 3, "by_status": {"active": 2, "disputed": 1},
        "substitution_findings": [
            {"verification_id": str(uuid.uuid4()), "contract_id": str(uuid.uuid4()), "worker_id": str(ERASED),
             "worker_erased": True, "employer_id": str(BUSINESS), "signed_version": 1, "contract_status": "disputed",
             "verified_by": "compliance_officer:x", "verified_at": at(40),
             "changes": [{"field": "pay.amount", "change": "less_favourable", "signed": 200000, "presented": 150000,
                          "reason": "lower pay"}]},
        ],
    },
    "/v1/grievances/dossier": {
        "business_id": str(BUSINESS),
        "fee_reports": [
            fee("recruitment_fee", 1500000, "owed", marker(WORKER)),
            fee("recruitment_fee", 500000, "confirmed", marker(WORKER)),
            fee("medical", 100000, "owed", marker(ERASED, at(50))),
        ],
        "grievances": [
            grievance(anonymous=True, acknowledged=True, resolved=False),
            grievance(anonymous=False, acknowledged=None, resolved=None),
        ],
    },
}  # fmt: skip


def services_app(public_pem: str, seen: list) -> FastAPI:
    """What the services answer for BUSINESS (404 for any other), to a principal the gateway signed."""
    app = FastAPI(openapi_url=None)
    verifier = PrincipalVerifier(public_pem)

    @app.get("/v1/{path:path}")
    async def answer(path: str, request: Request) -> JSONResponse:
        principal = verifier.verify(request.headers["x-fairpath-principal"])
        seen.append((request.url.path, principal.role))
        business = request.query_params.get("business_id", str(BUSINESS))
        body = ANSWERS.get(request.url.path)
        if body is None or str(BUSINESS) not in (request.url.path + business):
            return JSONResponse({"type": "urn:fairpath:problem:not_found"}, status_code=404)
        return JSONResponse(body)

    return app


@pytest.fixture(scope="module")
async def services_url(keypair) -> AsyncIterator[tuple[str, list]]:
    seen: list = []
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(services_app(keypair.public_pem, seen), host="127.0.0.1", port=port, log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    await wait_until(lambda: server.started, timeout=30, interval=0.01, message="the stand-in services to start")
    yield f"http://127.0.0.1:{port}", seen
    server.should_exit = server.force_exit = True
    await task


@pytest.fixture
def services_up(gateway_app, services_url, monkeypatch):
    """The gateway reading the stand-in for every service (the session's gateway forwards elsewhere)."""
    url, seen = services_url
    monkeypatch.setattr(gateway_app.state.upstreams, "urls", {"vetting": [url], "contracts": [url], "registry": [url]})
    seen.clear()
    return seen


def key(demo_credentials, user):
    return {"X-API-Key": demo_credentials[1]["users"][user]["api_key"]}


async def dossier(gateway, demo_credentials, user="auditor", business=BUSINESS, **params):
    return await gateway.get(
        f"/v1/compliance/businesses/{business}", params=params, headers=key(demo_credentials, user)
    )


async def test_auditor_reads_every_part_grouped_with_one_timeline(gateway, demo_credentials, services_up):
    r = await dossier(gateway, demo_credentials)
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["complete"] is True and d["missing"] == []
    assert d["business"]["legal_name"] == "Gulf Horizon Construction LLC"
    assert [link["agency_id"] for link in d["recruitment_chain"]["recruiters"]] == [str(AGENCY)]
    assert sorted(d["findings_by_principle"]) == ["C", "D"]
    assert d["vetting_cases"][0]["decision_reason"] == "in order"
    assert d["risk"]["factors"][0]["evidence"].startswith("principle D")
    assert d["screening_hits"][0]["resolution_reason"] == "a namesake"
    assert d["contracts"]["by_status"] == {"active": 2, "disputed": 1}
    assert d["contracts"]["substitution_findings"][0]["changes"][0]["field"] == "pay.amount"
    fees = d["fee_reports"]["by_category"]
    assert fees["recruitment_fee"] == {
        "reports": 2, "worker_paid": 2, "amounts_minor": {"NPR": 2000000},
        "by_reimbursement_status": {"owed": 1, "confirmed": 1},
    }  # fmt: skip
    by_indicator = d["grievances"]["by_indicator"]
    assert by_indicator["retention_of_identity_documents"]["substantiated"] == 1
    assert by_indicator["withholding_of_wages"]["alleged"] == 2
    assert by_indicator["withholding_of_wages"]["resolution_deadlines_missed"] == 1
    assert (d["grievances"]["deadlines_met"], d["grievances"]["deadlines_missed"]) == (1, 1)
    times = [e["at"] for e in d["timeline"]]
    assert times == sorted(times) and len(times) >= 12
    assert {e["section"] for e in d["timeline"]} >= {
        "business", "recruitment_chain", "findings", "vetting_cases", "screening_hits", "contracts", "fee_reports",
        "grievances", "workers",
    }  # fmt: skip
    # One read of each service, with the auditor's own principal, nothing forwarded as the gateway itself.
    assert sorted(path for path, _ in services_up) == sorted(
        [f"/v1/businesses/{BUSINESS}/dossier", "/v1/contracts/dossier", "/v1/grievances/dossier"]
    )
    assert {role for _, role in services_up} == {Role.auditor}


async def test_workers_are_markers_an_erased_one_with_its_date_an_anonymous_grievance_none(
    gateway, demo_credentials, services_up
):
    d = (await dossier(gateway, demo_credentials)).json()
    erased_fee = next(f for f in d["fee_reports"]["items"] if f["category"] == "medical")
    assert erased_fee["worker"] == marker(ERASED, at(50)).copy() | {"erased_at": erased_fee["worker"]["erased_at"]}
    assert erased_fee["worker"]["erased"] is True and erased_fee["worker"]["erased_at"].startswith("2026-04-20")
    # Contracts knows that the worker was erased; the registry's marker gives the date.
    finding_worker = d["contracts"]["substitution_findings"][0]["worker"]
    assert finding_worker["erased"] is True and finding_worker["erased_at"].startswith("2026-04-20")
    assert "worker_id" not in d["contracts"]["substitution_findings"][0]
    anonymous = next(g for g in d["grievances"]["items"] if g["anonymous"])
    assert anonymous["worker"] is None and anonymous["steps"][0]["actor"] is None
    assert str(WORKER) not in json.dumps(anonymous)
    erasures = [e for e in d["timeline"] if e["event"] == "worker_erased"]
    assert [(e["record_id"], e["at"][:10]) for e in erasures] == [(str(ERASED), "2026-04-20")]


async def test_a_service_down_leaves_its_parts_missing_with_the_reason(
    gateway, gateway_app, demo_credentials, services_up, monkeypatch
):
    closed = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setitem(gateway_app.state.upstreams.urls, "registry", [closed])
    r = await dossier(gateway, demo_credentials)
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["complete"] is False
    assert [(m["section"], m["service"], m["reason"]) for m in d["missing"]] == [
        ("fee_reports", "registry", "unavailable"),
        ("grievances", "registry", "unavailable"),
    ]
    assert d["fee_reports"] is None and d["grievances"] is None
    # The rest is there; contracts' erased worker is still a marker, without the registry's date.
    assert d["contracts"]["total"] == 3
    assert d["contracts"]["substitution_findings"][0]["worker"] == {
        "worker_id": str(ERASED), "nationality": None, "erased": True, "erased_at": None,
    }  # fmt: skip


async def test_a_service_too_slow_is_marked_timed_out(gateway, gateway_app, demo_credentials, services_up, monkeypatch):
    # A replica that accepts the connection and never answers.
    async def silent(reader, writer):
        await reader.read()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    monkeypatch.setitem(gateway_app.state.upstreams.urls, "contracts", [f"http://127.0.0.1:{port}"])
    monkeypatch.setattr(gateway_app.state.settings, "dossier_read_timeout", 0.3)
    async with server:
        d = (await dossier(gateway, demo_credentials)).json()
    assert [(m["section"], m["reason"]) for m in d["missing"]] == [("contracts", "timed_out")]
    assert "0.3 s" in d["missing"][0]["detail"] and d["contracts"] is None


async def test_vetting_down_is_502_since_there_is_no_business_to_show(
    gateway, gateway_app, demo_credentials, services_up, monkeypatch
):
    monkeypatch.setitem(gateway_app.state.upstreams.urls, "vetting", [f"http://127.0.0.1:{free_port()}"])
    r = await dossier(gateway, demo_credentials)
    assert r.status_code == 502 and r.json()["type"] == "urn:fairpath:problem:upstream_unavailable"


async def test_csv_is_one_file_with_a_section_column_named_for_the_business_and_day(
    gateway, demo_credentials, services_up
):
    r = await dossier(gateway, demo_credentials, format="csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    today = datetime.now(UTC).date().isoformat()
    assert (
        r.headers["content-disposition"] == f'attachment; filename="dossier-gulf-horizon-construction-llc-{today}.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(r.text)))
    sections = {row["section"] for row in rows}
    assert sections >= {
        "business", "recruitment_chain", "findings", "vetting_cases", "risk", "screening_hits", "contracts",
        "fee_reports", "grievances", "timeline",
    }  # fmt: skip
    erased = [row for row in rows if row["section"] == "fee_reports" and row["worker_id"] == str(ERASED)]
    assert len(erased) == 1 and json.loads(erased[0]["detail"])["worker"]["erased"] is True


async def test_each_read_is_audited_with_who_which_business_and_when(
    gateway, gateway_app, demo_credentials, services_up
):
    before = datetime.now(UTC)
    assert (await dossier(gateway, demo_credentials, user="compliance_officer", format="csv")).status_code == 200
    entries = gateway_app.state.ledger.tables.audit_entry
    async with gateway_app.state.database.session(read_only=True) as session:
        rows = (
            await session.execute(
                select(entries).where(entries.c.action == "dossier.read", entries.c.record_id == str(BUSINESS))
            )
        ).all()
    latest = max(rows, key=lambda row: row.seq)
    assert latest.actor.startswith("compliance_officer:") and latest.record_type == "business"
    assert latest.occurred_at >= before - timedelta(seconds=1)


@pytest.mark.parametrize("user", ["admin", "agency", "employer", "worker"])
async def test_only_auditors_and_compliance_officers_read_a_dossier(gateway, demo_credentials, services_up, user):
    r = await dossier(gateway, demo_credentials, user=user)
    assert r.status_code == 403 and services_up == []


async def test_unknown_business_is_404_and_no_credentials_401(gateway, demo_credentials, services_up):
    assert (await dossier(gateway, demo_credentials, business=uuid.uuid4())).status_code == 404
    assert (await gateway.get(f"/v1/compliance/businesses/{BUSINESS}")).status_code == 401
    bad = await dossier(gateway, demo_credentials, format="xml")
    assert bad.status_code == 422 and bad.json()["violations"][0]["field"] == "format"


def test_the_timeline_orders_times_with_and_without_microseconds_by_time():
    # The services write a time's microseconds only when it has any; text order alone would put 09:00:00.5 first.
    times = ["2026-03-01T09:00:00.500000Z", "2026-03-01T09:00:00Z", "2026-03-01T09:00:01Z", "2026-03-01T10:30:00+01:00"]
    worker = marker(WORKER)
    fees = [{**fee("recruitment_fee", 100, "owed", worker), "reported_at": t} for t in times]
    vetting = {
        "business": {"id": str(BUSINESS), "kind": "employer", "legal_name": "Gulf Horizon"},
        "recruitment_links": [], "licences": [], "findings": [], "vetting_cases": [], "screening_hits": [],
        "risk": {"score": 0, "band": "low", "factors": []},
    }  # fmt: skip
    answers = {
        "vetting": vetting,
        "contracts": {"total": 0, "by_status": {}, "substitution_findings": []},
        "registry": {"fee_reports": fees, "grievances": []},
    }
    d = service.assemble(BUSINESS, sources.business_sources(BUSINESS), answers, T0)
    assert [e["at"] for e in d["timeline"]] == [
        "2026-03-01T09:00:00Z", "2026-03-01T09:00:00.500000Z", "2026-03-01T09:00:01Z", "2026-03-01T10:30:00+01:00"
    ]  # fmt: skip


def test_an_answer_that_is_not_json_leaves_its_part_unavailable():
    reads = sources.business_sources(BUSINESS)
    data = sources.parsed(reads, {"vetting": b'{"business": {}}', "contracts": b"<html>", "registry": b""})
    assert data["vetting"] == {"business": {}}
    assert data["contracts"].reason == data["registry"].reason == "unavailable"
    assert data["contracts"].detail == "the contracts service is unavailable (JSONDecodeError)"

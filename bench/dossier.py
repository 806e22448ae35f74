"""Benchmark: the compliance dossier of a busy business, beside the service reads it is made of.

    ./fairpath bench dossier [--contracts N] [--fees N] [--grievances N] [--probes N]

Starts the whole stack as `./fairpath up` does (its own nats-server, SQLite under a temporary var dir, free
loopback ports) with the demo users and businesses, then gives the demo employer N contracts (default 1,000;
every 20th found substituted on arrival), N fee reports (1,000) and N grievances (200, every other one
anonymous). The records are written straight into each service's database with the service's own table models
(through the API this would take minutes and measure the writes, not the read).

Measured in one run, one request at a time, alternating: the dossier through the gateway as the auditor
(`GET /v1/compliance/businesses/{id}`), and the same reads it is made of (one per service) made straight to the
services, one after another, with the principal the gateway would forward. Prints p50 and p95 of the dossier, of the sum of the
reads and of the slowest single read of each round, and the ratios; the aim is a dossier no slower than
the slowest read plus 50 %. Absolute times depend on the machine; the ratios are the result.
"""

import argparse
import asyncio
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
from gateway import RAISED_LIMITS, percentile, principal_headers  # bench/gateway.py

from fairpath.common.db import Database
from fairpath.common.domain_codes import FeeCategory, FeePaymentMethod, ForcedLabourIndicator
from fairpath.common.ids import uuid7
from fairpath.common.testing.nats import free_port
from fairpath.contracts import all_tables as contracts_tables  # noqa: F401 - every table, for the foreign keys
from fairpath.contracts.contracts.tables import ArrivalVerification, Contract, ContractRecruiter, ContractState
from fairpath.contracts.job_orders.tables import JobOrder, JobPosition
from fairpath.deploy.demo import seed_demo_businesses, seed_demo_worker
from fairpath.deploy.processes import SERVICES, StackConfig, build_stack
from fairpath.gateway.accounts.demo import ensure_demo_identities
from fairpath.gateway.compliance.sources import business_sources
from fairpath.registry import all_tables as registry_tables  # noqa: F401 - every table, for the foreign keys
from fairpath.registry.fees.tables import FeeReport
from fairpath.registry.grievances.tables import Grievance, GrievanceStep

ROOT = Path(__file__).resolve().parents[1]
STATES = [ContractState.active, ContractState.signed, ContractState.issued, ContractState.completed]


async def seed_contracts(url: str, employer: str, agency: str, worker: str, count: int) -> None:
    now = datetime.now(UTC)
    employer_id, agency_id, worker_id = uuid.UUID(employer), uuid.UUID(agency), uuid.UUID(worker)
    database = Database(url)
    async with database.session() as session:
        order, position = uuid7(), uuid7()
        session.add(JobOrder(id=order, employer_id=employer_id, destination_country="AE", sector="F", created_at=now))
        session.add(
            JobPosition(
                id=position, job_order_id=order, occupation="7112", title="Mason", number_of_workers=count,
                pay_amount=200000, currency="AED", pay_period="month", normal_hours_per_day=8,
                normal_hours_per_week=48, weekly_rest_days=1, paid_annual_leave_days=21, housing="provided_free",
                food="provided_free",
            )
        )  # fmt: skip
        await session.flush()
        for i in range(count):
            contract_id = uuid7()
            substituted = i % 20 == 0
            session.add(
                Contract(
                    id=contract_id,
                    status=ContractState.disputed if substituted else STATES[i % len(STATES)],
                    job_order_id=order,
                    position_id=position,
                    employer_id=employer_id,
                    agency_ids=[agency],
                    worker_id=worker_id,
                    destination_country="AE",
                    sector="F",
                    occupation="7112",
                    term="fixed_period",
                    departure_date=date.today(),
                    start_date=date.today() + timedelta(days=7),
                    current_version=1,
                    created_at=now,
                    updated_at=now,
                )
            )
            session.add(ContractRecruiter(contract_id=contract_id, agency_id=agency_id))
            await session.flush()
            if substituted:
                session.add(
                    ArrivalVerification(
                        id=uuid7(),
                        contract_id=contract_id,
                        signed_version=1,
                        presented_hash="0" * 64,
                        presented_terms={},
                        presented_worker_sealed="",
                        changes=[
                            {
                                "field": "pay.amount",
                                "change": "less_favourable",
                                "signed": 200000,
                                "presented": 150000,
                                "reason": "lower pay than signed",
                            }
                        ],
                        substitution_found=True,
                        verified_by="compliance_officer:bench",
                        verified_at=now,
                    )
                )
    await database.dispose()


async def seed_registry(url: str, employer: str, worker: str, fees: int, grievances: int) -> None:
    now = datetime.now(UTC)
    employer_id, worker_id = uuid.UUID(employer), uuid.UUID(worker)
    categories, indicators = list(FeeCategory), list(ForcedLabourIndicator)
    database = Database(url)
    async with database.session() as session:
        for i in range(fees):
            session.add(
                FeeReport(
                    id=uuid7(),
                    worker_id=worker_id,
                    category=categories[i % len(categories)],
                    amount_minor=100000 + i,
                    currency="NPR",
                    payment_method=FeePaymentMethod.cash,
                    paid_by="worker",
                    paid_to_business_id=employer_id,
                    channel="worker",
                    reported_by="worker:bench",
                    reported_at=now,
                    finding=True,
                    finding_business_id=employer_id,
                    reimbursement_status=["owed", "promised", "paid", "confirmed"][i % 4],
                    updated_at=now,
                )
            )
        for i in range(grievances):
            grievance_id = uuid7()
            session.add(
                Grievance(
                    id=grievance_id,
                    worker_id=worker_id,
                    business_id=employer_id,
                    anonymous=i % 2 == 0,
                    channel="worker",
                    filed_by_role="worker",
                    filed_by="worker:bench",
                    alleged_indicators=[indicators[i % len(indicators)]],
                    status="received",
                    filed_at=now - timedelta(days=i % 40),
                    acknowledge_by=now + timedelta(days=7 - i % 40),
                    resolve_by=now + timedelta(days=30 - i % 40),
                    updated_at=now,
                )
            )
            session.add(
                GrievanceStep(id=uuid7(), grievance_id=grievance_id, step="received", actor="worker:bench", at=now)
            )
    await database.dispose()


async def measure(config: StackConfig, credentials: dict, employer: str, probes: int) -> None:
    auditor_key = credentials["users"]["auditor"]["api_key"]
    direct_headers = principal_headers(config, config.gateway_url, auditor_key)
    reads = business_sources(uuid.UUID(employer))
    dossier_url = f"{config.gateway_url}/v1/compliance/businesses/{employer}"
    dossier_times, sums, slowest = [], [], []
    by_read: dict[str, list[float]] = {name: [] for name in reads}
    async with httpx.AsyncClient(timeout=60) as client:

        async def one(url: str, **kwargs) -> float:
            started = time.perf_counter()
            response = await client.get(url, **kwargs)
            elapsed = time.perf_counter() - started
            if response.status_code != 200:
                raise RuntimeError(f"{url}: {response.status_code} {response.text[:300]}")
            return elapsed

        async def sequential() -> list[float]:
            return [
                await one(config.url(s.service) + s.path, params=s.params, headers=direct_headers)
                for s in reads.values()
            ]

        first = (await client.get(dossier_url, headers={"X-API-Key": auditor_key})).json()
        assert first["complete"], first["missing"]
        print(
            f"dossier of the demo employer: {first['contracts']['total']} contracts, "
            f"{len(first['fee_reports']['items'])} fee reports, {len(first['grievances']['items'])} grievances, "
            f"{len(first['timeline'])} timeline entries"
        )
        for _ in range(5):  # warm up both ways
            await one(dossier_url, headers={"X-API-Key": auditor_key})
            await sequential()
        for _ in range(probes):
            dossier_times.append(await one(dossier_url, headers={"X-API-Key": auditor_key}))
            calls = await sequential()
            for name, elapsed in zip(reads, calls, strict=True):
                by_read[name].append(elapsed)
            sums.append(sum(calls))
            slowest.append(max(calls))

    def line(name: str, samples: list[float]) -> str:
        return f"  {name:<44} p50 {percentile(samples, 0.5) * 1000:8.1f} ms   p95 {percentile(samples, 0.95) * 1000:8.1f} ms"

    print(f"\n{probes} rounds, one request at a time, alternating")
    print(line("the dossier through the gateway", dossier_times))
    print(line(f"its {len(reads)} reads one after another (sum)", sums))
    print(line("the slowest single read of each round", slowest))
    print("  each read alone, p50: " + ", ".join(f"{n} {percentile(x, 0.5) * 1000:.1f}" for n, x in by_read.items()))
    for share, label in ((0.5, "p50"), (0.95, "p95")):
        d, s, m = (percentile(x, share) for x in (dossier_times, sums, slowest))
        print(f"  {label}: dossier / sum {d / s:5.2f}   dossier / slowest read {d / m:5.2f}  (the aim is at most 1.5)")


def run(contracts: int = 1000, fees: int = 1000, grievances: int = 200, probes: int = 30) -> None:
    with tempfile.TemporaryDirectory(prefix="fairpath-bench-dossier-") as tmp:
        config = StackConfig(
            var_dir=Path(tmp) / "var",
            ports={name: free_port() for name in SERVICES},
            nats_port=free_port(),
            cwd=ROOT,
            extra_env={**RAISED_LIMITS, "FAIRPATH_VETTING_WARM_MATCHING": "false"},
        )
        credentials = ensure_demo_identities(config.var_dir, config.gateway_url)
        supervisor = build_stack(config)
        supervisor.start()
        try:
            demo = seed_demo_businesses(config.gateway_url, credentials)
            worker = seed_demo_worker(config.gateway_url, credentials)
            print(f"stack ready in {supervisor.ready_after:.1f} s; gateway {config.gateway_url}")
            started = time.perf_counter()
            db = config.var_dir
            asyncio.run(
                seed_contracts(
                    f"sqlite+aiosqlite:///{db / 'contracts.db'}", demo["employer"], demo["recruitment_agency"], worker,
                    contracts,
                )
            )  # fmt: skip
            asyncio.run(
                seed_registry(f"sqlite+aiosqlite:///{db / 'registry.db'}", demo["employer"], worker, fees, grievances)
            )
            print(f"seeded {contracts} contracts, {fees} fee reports, {grievances} grievances "
                  f"in {time.perf_counter() - started:.1f} s\n")  # fmt: skip
            asyncio.run(measure(config, credentials, demo["employer"], probes))
        finally:
            supervisor.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contracts", type=int, default=1000)
    parser.add_argument("--fees", type=int, default=1000)
    parser.add_argument("--grievances", type=int, default=200)
    parser.add_argument("--probes", type=int, default=30, help="rounds each way (default 30)")
    args = parser.parse_args()
    run(args.contracts, args.fees, args.grievances, args.probes)


if __name__ == "__main__":
    main()

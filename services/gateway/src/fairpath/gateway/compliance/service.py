"""Assembling a dossier from the parts the services gave: grouping findings by IRIS principle, fees by ILO
category, grievances by forced-labour indicator; workers as pseudonymous markers (an erased one with the date
of its erasure); each missing part named with its reason; and one timeline of every dated event. No HTTP here:
the reads are `sources`', the answer the routes'."""

import csv
import gc
import io
import re
import unicodedata
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from operator import itemgetter
from typing import Any

from fairpath.common import jsonio
from fairpath.common.errors import NotFound
from fairpath.gateway.compliance.schemas import DossierFormat, Section
from fairpath.gateway.compliance.sources import SectionUnavailable, Source, parsed
from fairpath.gateway.routing.upstreams import BadGateway, GatewayTimeout

# Which read (of `sources.business_sources`) fills each part.
SECTION_SOURCE = {
    Section.recruitment_chain: "vetting",
    Section.licences: "vetting",
    Section.findings: "vetting",
    Section.vetting_cases: "vetting",
    Section.risk: "vetting",
    Section.screening_hits: "vetting",
    Section.contracts: "contracts",
    Section.fee_reports: "registry",
    Section.grievances: "registry",
}


def _vetting(answer: Any, business_id: uuid.UUID) -> dict[str, Any]:
    """Vetting's part, the business itself in it: without it there is no dossier (404 as for any id outside
    reach; 502 or 504 when vetting does not answer)."""
    if isinstance(answer, SectionUnavailable):
        if answer.status == 404:
            raise NotFound("business", business_id)
        if answer.reason == "timed_out":
            raise GatewayTimeout(answer.detail)
        raise BadGateway(answer.detail)
    return answer


def _chain(links: list[dict[str, Any]], business_id: str) -> dict[str, Any]:
    return {
        "recruiters": [link for link in links if link["employer_id"] == business_id],
        "recruits_for": [link for link in links if link["employer_id"] != business_id],
    }


def _by_principle(findings: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for finding in findings:
        grouped[finding["principle"]].append(finding)
    return dict(sorted(grouped.items()))


def _markers(*items: list[dict[str, Any]] | None) -> dict[str, dict[str, Any]]:
    """The registry's marker of every worker it named (an erased one with its date), by worker id."""
    markers: dict[str, dict[str, Any]] = {}
    for records in items:
        for item in records or []:
            if item.get("worker"):
                markers[item["worker"]["worker_id"]] = item["worker"]
    return markers


def _contracts(answer: dict[str, Any], markers: dict[str, dict[str, Any]]) -> dict[str, Any]:
    findings = []
    for finding in answer["substitution_findings"]:
        item = {k: v for k, v in finding.items() if k not in ("worker_id", "worker_erased")}
        # Contracts knows that a worker was erased, the registry when: its marker wins.
        item["worker"] = markers.get(finding["worker_id"]) or {
            "worker_id": finding["worker_id"], "nationality": None, "erased": finding["worker_erased"],
            "erased_at": None,
        }  # fmt: skip
        findings.append(item)
    return {"total": answer["total"], "by_status": answer["by_status"], "substitution_findings": findings}


def _fees(items: list[dict[str, Any]]) -> dict[str, Any]:
    by_category: dict[str, dict[str, Any]] = {}
    for item in items:
        summary = by_category.setdefault(
            item["category"], {"reports": 0, "worker_paid": 0, "amounts_minor": {}, "by_reimbursement_status": {}}
        )
        summary["reports"] += 1
        summary["worker_paid"] += 1 if item["finding"] else 0
        amounts, statuses = summary["amounts_minor"], summary["by_reimbursement_status"]
        amounts[item["currency"]] = amounts.get(item["currency"], 0) + item["amount_minor"]
        statuses[item["reimbursement_status"]] = statuses.get(item["reimbursement_status"], 0) + 1
    return {"by_category": dict(sorted(by_category.items())), "items": items}


def _grievances(items: list[dict[str, Any]]) -> dict[str, Any]:
    by_indicator: dict[str, dict[str, Any]] = {}
    met = missed = 0
    for item in items:
        acknowledged, resolved = item["acknowledgement_deadline_met"], item["resolution_deadline_met"]
        met += (acknowledged is True) + (resolved is True)
        missed += (acknowledged is False) + (resolved is False)
        for indicator in dict.fromkeys([*item["alleged_indicators"], *item["indicators"]]):
            summary = by_indicator.setdefault(
                indicator,
                {
                    "alleged": 0, "substantiated": 0, "by_status": {}, "acknowledgement_deadlines_missed": 0,
                    "resolution_deadlines_missed": 0,
                },
            )  # fmt: skip
            summary["alleged"] += indicator in item["alleged_indicators"]
            summary["substantiated"] += indicator in item["indicators"]
            summary["by_status"][item["status"]] = summary["by_status"].get(item["status"], 0) + 1
            summary["acknowledgement_deadlines_missed"] += acknowledged is False
            summary["resolution_deadlines_missed"] += resolved is False
    return {
        "by_indicator": dict(sorted(by_indicator.items())), "deadlines_met": met, "deadlines_missed": missed,
        "items": items,
    }  # fmt: skip


def _instant(at: str) -> tuple[str, str]:
    """A time as the services write it, `2026-03-01T09:00:00Z` or `2026-03-01T09:00:00.250000Z` (UTC, microseconds
    when there are any): as the timeline shows it, and as text whose order is the order in time (always with
    microseconds). Compared as given, not parsed: parsing thousands of times was the most of the timeline's cost
    (measured). Any other spelling is parsed, and shown as before."""
    if len(at) == 27 and at[26] == "Z" and at[19] == "." and at[10] == "T" and not at.endswith(".000000Z"):
        return at, at
    if len(at) == 20 and at[19] == "Z" and at[10] == "T":
        return at, at[:19] + ".000000Z"
    parsed = datetime.fromisoformat(at)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.isoformat().replace("+00:00", "Z"), parsed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class _Timeline:
    """Dated events gathered from the parts, then ordered by time (the services write ISO 8601 in UTC)."""

    def __init__(self) -> None:
        # (the time as ordered, section, record, event, actor, the time as shown)
        self.entries: list[tuple[str, str, str, str, str | None, str]] = []

    def add(self, at: str | None, section: str, event: str, record_id: Any, actor: Any = None) -> None:
        if at:
            shown, instant = _instant(at)
            self.entries.append((instant, section, str(record_id), event, actor, shown))

    def ordered(self) -> list[dict[str, Any]]:
        return [
            {"at": at, "section": section, "event": event, "record_id": record_id, "actor": actor}
            for _, section, record_id, event, actor, at in sorted(self.entries, key=itemgetter(0, 1, 2))
        ]


def _timeline(d: dict[str, Any], markers: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    t = _Timeline()
    b = d["business"]
    t.add(b.get("created_at"), "business", "registered", b["id"])
    if d["recruitment_chain"]:
        for link in d["recruitment_chain"]["recruiters"] + d["recruitment_chain"]["recruits_for"]:
            t.add(link["created_at"], "recruitment_chain", "recruiter_linked", link["id"])
    for licence in d["licences"] or []:
        t.add(licence.get("verified_at"), "licences", f"licence_{licence['register_status']}", licence["id"])
    for findings in (d["findings_by_principle"] or {}).values():
        for f in findings:
            t.add(f["created_at"], "findings", f"finding_{f['kind']}", f["id"])
    for case in d["vetting_cases"] or []:
        t.add(case["opened_at"], "vetting_cases", "case_opened", case["id"], case.get("opened_by"))
        decided = f"case_{case['decision']}" if case.get("decision") else "case_decided"
        t.add(case.get("decided_at"), "vetting_cases", decided, case["id"], case.get("decided_by"))
    for hit in d["screening_hits"] or []:
        t.add(hit["created_at"], "screening_hits", "hit_raised", hit["id"])
        t.add(hit.get("resolved_at"), "screening_hits", f"hit_{hit['status']}", hit["id"], hit.get("resolved_by"))
    for finding in d["contracts"]["substitution_findings"] if d["contracts"] else []:
        t.add(finding["verified_at"], "contracts", "substitution_found", finding["contract_id"], finding["verified_by"])
    for fee in d["fee_reports"]["items"] if d["fee_reports"] else []:
        t.add(fee["reported_at"], "fee_reports", "fee_reported", fee["id"])
        t.add(fee.get("confirmed_at"), "fee_reports", "reimbursement_confirmed", fee["id"])
        t.add(fee.get("disputed_at"), "fee_reports", "reimbursement_disputed", fee["id"])
    for grievance in d["grievances"]["items"] if d["grievances"] else []:
        for step in grievance["steps"]:
            t.add(step["at"], "grievances", f"grievance_{step['step']}", grievance["id"], step["actor"])
    for worker_id, marker in markers.items():
        if marker.get("erased"):
            t.add(marker.get("erased_at"), "workers", "worker_erased", worker_id)
    return t.ordered()


def assemble(
    business_id: uuid.UUID, sources: dict[str, Source], answers: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """The dossier (the `Dossier` schema, as JSON-ready data) from the reads' answers, one per service: each that
    service's part as JSON or a `SectionUnavailable` (vetting's holds the business: without it there is no dossier).
    Plain data rather than models: a busy business has thousands of records, each already in its service's
    documented shape."""
    vetting = _vetting(answers["vetting"], business_id)
    missing = [
        {"section": section.value, "service": sources[SECTION_SOURCE[section]].service, "reason": answer.reason,
         "detail": answer.detail}
        for section in Section
        if isinstance(answer := answers[SECTION_SOURCE[section]], SectionUnavailable)
    ]  # fmt: skip
    contracts, registry = (
        None if isinstance(answer, SectionUnavailable) else answer
        for answer in (answers["contracts"], answers["registry"])
    )
    fees = registry["fee_reports"] if registry is not None else None
    grievances = registry["grievances"] if registry is not None else None
    markers = _markers(fees, grievances)
    dossier = {
        "business": vetting["business"],
        "generated_at": now.isoformat().replace("+00:00", "Z"),
        "complete": not missing,
        "missing": missing,
        "recruitment_chain": _chain(vetting["recruitment_links"], str(business_id)),
        "licences": vetting["licences"],
        "findings_by_principle": _by_principle(vetting["findings"]),
        "vetting_cases": vetting["vetting_cases"],
        "risk": vetting["risk"],
        "screening_hits": vetting["screening_hits"],
        "contracts": _contracts(contracts, markers) if contracts is not None else None,
        "fee_reports": _fees(fees) if fees is not None else None,
        "grievances": _grievances(grievances) if grievances is not None else None,
    }
    dossier["timeline"] = _timeline(dossier, markers)
    return dossier


def to_json(dossier: dict[str, Any]) -> bytes:
    return jsonio.dumps(dossier)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off for a stretch that makes plain data and drops it (no cycles: reference
    counting frees it). A dossier is tens of thousands of dicts and lists alive at once; with the collector on,
    each collection scanned them again and moved them on to the oldest generation, whose full collections then
    scanned the whole process: more time than assembling the dossier (measured). Nothing awaits in between, so
    no other request runs meanwhile."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _written(
    business_id: uuid.UUID, sources: dict[str, Source], answers: dict[str, Any], now: datetime, output: DossierFormat
) -> tuple[bytes | str, list[str], str]:
    dossier = assemble(business_id, sources, parsed(sources, answers), now)
    body = to_csv(dossier) if output == DossierFormat.csv else to_json(dossier)
    return body, missing_sections(dossier), download_name(dossier, now.date())


def written(
    business_id: uuid.UUID, sources: dict[str, Source], answers: dict[str, Any], now: datetime, output: DossierFormat
) -> tuple[bytes | str, list[str], str]:
    """The dossier from the services' answers as they came (JSON bytes, or a `SectionUnavailable`), written as
    JSON or CSV: the body, the parts missing, and the name of the CSV file. Its data is made, written and dropped
    here, the garbage collector paused meanwhile."""
    with _collector_paused():
        return _written(business_id, sources, answers, now, output)


# --- CSV ------------------------------------------------------------------------------------------------------

CSV_COLUMNS = ("section", "record_id", "at", "kind", "status", "worker_id", "detail")


def _row(section: str, item: dict[str, Any], *, at: str = "", kind: str = "", status: str = "") -> tuple[Any, ...]:
    """A row, its values in the order of `CSV_COLUMNS`."""
    worker = item.get("worker") or {}
    return (
        section, item.get("id", ""), at, kind, status, worker.get("worker_id", ""), jsonio.dumps_sorted(item)
    )  # fmt: skip


def csv_rows(d: dict[str, Any]) -> list[tuple[Any, ...]]:
    """One row per record of every part (the record whole in `detail`), then the missing parts and the timeline."""
    b = d["business"]
    rows = [_row("business", b, at=b.get("created_at", ""), kind=b.get("kind", ""), status=b.get("status", ""))]
    if d["recruitment_chain"]:
        rows += [
            _row("recruitment_chain", x, at=x["created_at"], kind="recruiter")
            for x in d["recruitment_chain"]["recruiters"]
        ]
        rows += [
            _row("recruitment_chain", x, at=x["created_at"], kind="recruits_for")
            for x in d["recruitment_chain"]["recruits_for"]
        ]
    rows += [
        _row("licences", x, at=x.get("verified_at") or "", kind="licence", status=x["register_status"])
        for x in d["licences"] or []
    ]
    for principle, findings in (d["findings_by_principle"] or {}).items():
        rows += [
            _row("findings", x, at=x["created_at"], kind=x["kind"], status=f"principle {principle}") for x in findings
        ]
    rows += [
        _row("vetting_cases", x, at=x["opened_at"], kind="vetting_case", status=x.get("decision") or x["status"])
        for x in d["vetting_cases"] or []
    ]
    if d["risk"]:
        rows += [
            _row("risk", {"id": "", **factor}, kind=factor["factor"], status=str(factor["points"]))
            for factor in d["risk"]["factors"]
        ]
    rows += [
        _row("screening_hits", x, at=x["created_at"], kind=x["watchlist_kind"], status=x["status"])
        for x in d["screening_hits"] or []
    ]
    if d["contracts"]:
        c = d["contracts"]
        rows += [
            _row("contracts", {"id": "", "status": s, "count": n}, kind="count", status=s)
            for s, n in c["by_status"].items()
        ]
        rows += [
            _row(
                "contracts",
                {"id": x["contract_id"], **x},
                at=x["verified_at"],
                kind="substitution_finding",
                status=x["contract_status"],
            )
            for x in c["substitution_findings"]
        ]
    if d["fee_reports"]:
        rows += [
            _row("fee_reports", x, at=x["reported_at"], kind=x["category"], status=x["reimbursement_status"])
            for x in d["fee_reports"]["items"]
        ]
    if d["grievances"]:
        rows += [
            _row("grievances", x, at=x["filed_at"], kind="grievance", status=x["status"])
            for x in d["grievances"]["items"]
        ]
    rows += [_row("missing", {"id": "", **m}, kind=m["section"], status=m["reason"]) for m in d["missing"]]
    rows += [
        _row("timeline", {"id": e["record_id"], **e}, at=e["at"], kind=e["section"], status=e["event"])
        for e in d["timeline"]
    ]
    return rows


def to_csv(dossier: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(csv_rows(dossier))
    return out.getvalue()


def download_name(dossier: dict[str, Any], today: date) -> str:
    """`dossier-<business name as a slug>-<date>.csv`: ASCII, so every browser and shell keeps it whole."""
    name = unicodedata.normalize("NFKD", str(dossier["business"].get("legal_name", ""))).encode("ascii", "ignore")
    name = name.decode()
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60].strip("-") or "business"
    return f"dossier-{slug}-{today.isoformat()}.csv"


def missing_sections(dossier: dict[str, Any]) -> list[str]:
    return [m["section"] for m in dossier["missing"]]

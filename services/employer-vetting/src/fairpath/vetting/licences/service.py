"""Licences: recording them, importing a government register, verifying each licence against it."""

import re
import uuid
from collections.abc import AsyncIterator
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.auth import Principal
from fairpath.common.domain_codes import BusinessKind, Severity
from fairpath.common.errors import Conflict, RuleViolations, Violation
from fairpath.common.ids import uuid7
from fairpath.common.ledger import Ledger
from fairpath.common.reference import COUNTRIES
from fairpath.common.text import EARLIEST_PLAUSIBLE, check_date, single_line
from fairpath.common.timeutil import utcnow
from fairpath.vetting.businesses.service import get_business_for_change, registration_key
from fairpath.vetting.businesses.tables import Business
from fairpath.vetting.findings.flows import report_finding
from fairpath.vetting.findings.schemas import FindingKind, FindingSource
from fairpath.vetting.licences.schemas import (
    LicenceCreate,
    LicencePublic,
    LicenceState,
    RegisterImportResult,
    RegisterStatus,
    RejectedLine,
)
from fairpath.vetting.licences.tables import Licence, LicenceRegisterEntry
from fairpath.vetting.uploads import CsvRecord, csv_records


class DuplicateLicence(Conflict):
    name = "duplicate"
    description = "the licence is already recorded for the business; `existing_id` names it"


REGISTER_COLUMNS = ("number", "authority", "holder_name", "valid_from", "valid_until")
REGISTER_BATCH = 1000
_LINE_SPACE = re.compile(r"[ \t\r\n]+")
REJECTIONS_SHOWN = 1000


def present(licence: Licence) -> LicencePublic:
    return LicencePublic.model_validate(licence)


async def add_licence(
    *, session: AsyncSession, ledger: Ledger, principal: Principal, business_id: uuid.UUID, data: LicenceCreate
) -> Licence:
    business = await get_business_for_change(session, principal, business_id)
    key = registration_key(data.number)
    duplicate = (
        await session.execute(
            select(Licence).where(
                Licence.business_id == business.id, Licence.country == data.country, Licence.number_key == key
            )
        )
    ).scalar_one_or_none()
    if duplicate is not None:
        raise DuplicateLicence("this licence is already recorded for the business", existing_id=str(duplicate.id))
    licence = Licence(
        id=uuid7(),
        business_id=business.id,
        number=data.number,
        number_key=key,
        authority=data.authority,
        country=data.country,
        valid_from=data.valid_from,
        valid_until=data.valid_until,
        created_at=utcnow(),
    )
    entry = (
        await session.execute(
            select(LicenceRegisterEntry).where(
                LicenceRegisterEntry.country == data.country, LicenceRegisterEntry.number_key == key
            )
        )
    ).scalar_one_or_none()
    if entry is not None:
        licence.register_status, licence.verified_at = RegisterStatus.verified, utcnow()
    session.add(licence)
    await session.flush()
    await ledger.append(
        session,
        actor=principal.actor,
        action="licence.added",
        record_type="licence",
        record_id=licence.id,
        changes={**data.model_dump(mode="json"), "business_id": str(business.id)},
    )
    return licence


async def licences_of(session: AsyncSession, business_id: uuid.UUID) -> list[Licence]:
    return list(
        (
            await session.execute(
                select(Licence).where(Licence.business_id == business_id).order_by(Licence.valid_until.desc())
            )
        ).scalars()
    )


def licence_required(business: Business) -> bool:
    return BusinessKind(business.kind).needs_operating_licence


async def licence_state(session: AsyncSession, business: Business, on: date | None = None) -> tuple[LicenceState, str]:
    """missing, expired, not_in_register, valid_unverified or valid, with the evidence for it."""
    on = on or utcnow().date()
    licences = await licences_of(session, business.id)
    if not licences:
        return LicenceState.missing, "no operating licence recorded"
    current = [
        lic
        for lic in licences
        if lic.valid_from <= on <= lic.valid_until and lic.register_status != RegisterStatus.not_found
    ]
    if not current:
        if any(lic.register_status == RegisterStatus.not_found for lic in licences):
            nf = next(lic for lic in licences if lic.register_status == RegisterStatus.not_found)
            return LicenceState.not_in_register, f"licence {nf.number} ({nf.country}) not found in the register"
        latest = licences[0]
        return LicenceState.expired, f"latest licence {latest.number} valid until {latest.valid_until.isoformat()}"
    best = max(current, key=lambda lic: (lic.register_status == RegisterStatus.verified, lic.valid_until))
    if best.register_status == RegisterStatus.verified:
        return (
            LicenceState.valid,
            f"licence {best.number} verified in the register, valid until {best.valid_until.isoformat()}",
        )
    return (
        LicenceState.valid_unverified,
        f"licence {best.number} valid until {best.valid_until.isoformat()}, not yet checked against a register",
    )


def _register_date(value: str, field: str, *, issue: bool) -> date | None:
    """A register's date: ISO 8601, in the plausible range (an issue date not before 1900 nor in the future)."""
    if not value.strip():
        return None
    try:
        day = date.fromisoformat(value.strip())
        return check_date(day, earliest=EARLIEST_PLAUSIBLE, not_future=issue)
    except ValueError as exc:
        raise ValueError(f"{field}: {_reason(exc)}") from None


def _register_text(value: str | None, field: str, limit: int) -> str:
    """A register's text: a line break in a quoted field (a wrapped spreadsheet cell) is a space; any other
    control character refuses the record."""
    try:
        return single_line(_LINE_SPACE.sub(" ", value or "").strip())[:limit]
    except ValueError as exc:
        raise ValueError(f"{field}: {_reason(exc)}") from None


def _reason(exc: ValueError) -> str:
    return str(exc).split("\n")[0][:200]


def _register_row(columns: list[str], fields: list[str], country: str, now: datetime) -> dict[str, Any]:
    """One record of a register as the row it becomes; ValueError says what is wrong with it."""
    if len(fields) > len(columns):
        raise ValueError(f"{len(fields)} fields, the header has {len(columns)}")
    row = dict(zip(columns, fields, strict=False))
    number = _register_text(row.get("number"), "number", 100)
    if not number:
        raise ValueError("number is empty")
    valid_from = _register_date(row.get("valid_from") or "", "valid_from", issue=True)
    valid_until = _register_date(row.get("valid_until") or "", "valid_until", issue=False)
    if valid_from is not None and valid_until is not None and valid_until <= valid_from:
        raise ValueError("valid_until: must be after valid_from")
    return {
        "id": uuid7(),
        "country": country,
        "number_key": registration_key(number),
        "authority": _register_text(row.get("authority"), "authority", 300),
        "holder_name": _register_text(row.get("holder_name"), "holder_name", 300),
        "valid_from": valid_from,
        "valid_until": valid_until,
        "imported_at": now,
    }


class _Rejections:
    """The records a register import refused: the first ones shown with their lines, all counted."""

    def __init__(self) -> None:
        self.shown: list[RejectedLine] = []
        self.total = 0

    def add(self, lines: list[tuple[int, str]]) -> None:
        for line, reason in sorted(lines):
            self.total += 1
            if len(self.shown) < REJECTIONS_SHOWN:
                self.shown.append(RejectedLine(line=line, reason=reason))


async def _load_register_batch(
    session: AsyncSession, country: str, batch: dict[str, tuple[int, dict[str, Any]]], rejected: list[tuple[int, str]]
) -> int:
    """Insert a batch of entries; a number an earlier batch of this import loaded is rejected as a repeat."""
    if not batch:
        return 0
    loaded_before = set(
        (
            await session.execute(
                select(LicenceRegisterEntry.number_key).where(
                    LicenceRegisterEntry.country == country, LicenceRegisterEntry.number_key.in_(list(batch))
                )
            )
        ).scalars()
    )
    rows = []
    for key, (line, row) in batch.items():
        if key in loaded_before:
            rejected.append((line, "the same licence number appears twice"))
        else:
            rows.append(row)
    if rows:
        await session.execute(insert(LicenceRegisterEntry.__table__), rows)
    return len(rows)


async def import_register(
    *, session: AsyncSession, ledger: Ledger, principal: Principal, country: str, chunks: AsyncIterator[bytes]
) -> RegisterImportResult:
    """Replace a country's register with a CSV (number, authority, holder_name, valid_from, valid_until),
    then verify every licence of that country against it. The upload is read as it streams, record by
    record (RFC 4180: a quoted field may span lines), and loaded in batches; bad records are reported with
    the line they start on, and the rest load."""
    country = country.upper()
    if country not in COUNTRIES:
        raise RuleViolations(
            [Violation(field="country", rule="country_code", message="not an ISO 3166-1 alpha-2 country code")]
        )
    now = utcnow()
    await session.execute(delete(LicenceRegisterEntry).where(LicenceRegisterEntry.country == country))
    columns: list[str] | None = None
    rejections = _Rejections()
    batch: dict[str, tuple[int, dict[str, Any]]] = {}
    rejected: list[tuple[int, str]] = []
    loaded = 0
    async for record in csv_records(chunks):
        if columns is None:
            columns = _register_columns(record)
            continue
        if record.fields is None:
            rejected.append((record.line, str(record.error)))
        else:
            try:
                row = _register_row(columns, record.fields, country, now)
            except ValueError as exc:
                rejected.append((record.line, _reason(exc)))
            else:
                if row["number_key"] in batch:
                    rejected.append((record.line, "the same licence number appears twice"))
                else:
                    batch[row["number_key"]] = (record.line, row)
        if len(batch) + len(rejected) >= REGISTER_BATCH:
            loaded += await _load_register_batch(session, country, batch, rejected)
            rejections.add(rejected)
            batch, rejected = {}, []
    if columns is None:
        raise RuleViolations([Violation(field="file", rule="csv_columns", message="the register has no header")])
    loaded += await _load_register_batch(session, country, batch, rejected)
    rejections.add(rejected)

    verified = not_found = 0
    entry = LicenceRegisterEntry
    licences = await session.execute(
        select(Licence, Business, entry.id)
        .join(Business, Business.id == Licence.business_id)
        .outerjoin(entry, and_(entry.country == Licence.country, entry.number_key == Licence.number_key))
        .where(Licence.country == country)
        .order_by(Licence.id)
    )
    for licence, business, entry_id in licences.all():
        found = entry_id is not None
        licence.register_status = RegisterStatus.verified if found else RegisterStatus.not_found
        licence.verified_at = now
        verified += found
        not_found += not found
        if not found and licence_required(business):  # an employer needs no licence: nothing against it
            await report_finding(
                session,
                ledger,
                business_id=licence.business_id,
                kind=FindingKind.licence_not_in_register,
                principle="A",
                severity=Severity.high,
                source=FindingSource.vetting,
                source_ref=f"licence:{licence.id}:{now.date().isoformat()}",
                evidence={"licence_id": str(licence.id), "country": country},
                actor=principal.actor,
            )
    await ledger.append(
        session,
        actor=principal.actor,
        action="licence_register.imported",
        record_type="licence_register",
        record_id=country,
        changes={"loaded": loaded, "rejected": rejections.total},
    )
    return RegisterImportResult(
        country=country,
        loaded=loaded,
        rejected=rejections.shown,
        rejected_total=rejections.total,
        licences_verified=verified,
        licences_not_found=not_found,
    )


def _register_columns(header: CsvRecord) -> list[str]:
    if header.fields is None:
        raise RuleViolations(
            [
                Violation(
                    field="file", rule="csv", message=f"line {header.line}: the header cannot be read: {header.error}"
                )
            ]
        )
    columns = [c.strip().lower() for c in header.fields]
    missing = [c for c in REGISTER_COLUMNS if c not in columns]
    if missing:
        raise RuleViolations(
            [Violation(field="file", rule="csv_columns", message=f"missing columns: {', '.join(missing)}")]
        )
    return columns

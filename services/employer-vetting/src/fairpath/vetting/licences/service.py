"""Licences: recording them, importing a government register, verifying each licence against it."""

import csv
import io
import uuid
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.auth import Principal
from fairpath.common.domain_codes import Severity
from fairpath.common.errors import Conflict, RuleViolations, Violation
from fairpath.common.ids import uuid7
from fairpath.common.ledger import Ledger
from fairpath.common.reference import COUNTRIES
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


class DuplicateLicence(Conflict):
    name = "duplicate"
    description = "the licence is already recorded for the business; `existing_id` names it"


REGISTER_COLUMNS = ("number", "authority", "holder_name", "valid_from", "valid_until")


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


def _parse_date(value: str) -> date | None:
    return date.fromisoformat(value) if value.strip() else None


async def import_register(
    *, session: AsyncSession, ledger: Ledger, principal: Principal, country: str, content: bytes
) -> RegisterImportResult:
    """Replace a country's register with a CSV (number, authority, holder_name, valid_from, valid_until),
    then verify every licence of that country against it. Bad lines are reported; the rest load."""
    country = country.upper()
    if country not in COUNTRIES:
        raise RuleViolations(
            [Violation(field="country", rule="country_code", message="not an ISO 3166-1 alpha-2 country code")]
        )
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RuleViolations([Violation(field="file", rule="utf8", message="the register must be UTF-8 CSV")]) from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REGISTER_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise RuleViolations(
            [Violation(field="file", rule="csv_columns", message=f"missing columns: {', '.join(missing)}")]
        )
    rejected: list[RejectedLine] = []
    entries: dict[str, LicenceRegisterEntry] = {}
    now = utcnow()
    for line, row in enumerate(reader, start=2):
        try:
            number = (row["number"] or "").strip()
            if not number:
                raise ValueError("number is empty")
            entry = LicenceRegisterEntry(
                id=uuid7(),
                country=country,
                number_key=registration_key(number),
                authority=(row["authority"] or "").strip()[:300],
                holder_name=(row["holder_name"] or "").strip()[:300],
                valid_from=_parse_date(row["valid_from"] or ""),
                valid_until=_parse_date(row["valid_until"] or ""),
                imported_at=now,
            )
        except ValueError as exc:
            rejected.append(RejectedLine(line=line, reason=str(exc).split("\n")[0][:200]))
            continue
        if entry.number_key in entries:
            rejected.append(RejectedLine(line=line, reason="the same licence number appears twice"))
            continue
        entries[entry.number_key] = entry
    await session.execute(delete(LicenceRegisterEntry).where(LicenceRegisterEntry.country == country))
    session.add_all(entries.values())
    await session.flush()

    verified = not_found = 0
    for licence in (await session.execute(select(Licence).where(Licence.country == country))).scalars():
        found = licence.number_key in entries
        licence.register_status = RegisterStatus.verified if found else RegisterStatus.not_found
        licence.verified_at = now
        verified += found
        not_found += not found
        if not found:
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
        changes={"loaded": len(entries), "rejected": len(rejected)},
    )
    return RegisterImportResult(
        country=country,
        loaded=len(entries),
        rejected=rejected,
        licences_verified=verified,
        licences_not_found=not_found,
    )

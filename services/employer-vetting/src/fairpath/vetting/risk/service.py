"""The risk score: 0 to 100, every point from a named factor with its evidence (no hidden weights)."""

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.auth import Principal
from fairpath.common.domain_codes import BusinessKind, BusinessStatus, RiskBand, Severity, WatchlistKind
from fairpath.common.errors import RuleViolations, Violation
from fairpath.common.ids import uuid7
from fairpath.common.ledger import Ledger
from fairpath.common.timeutil import utcnow
from fairpath.vetting.businesses.tables import Business, RecruiterLink
from fairpath.vetting.findings.schemas import FindingKind, FindingStatus
from fairpath.vetting.findings.tables import Finding
from fairpath.vetting.licences.schemas import LicenceState
from fairpath.vetting.licences.service import licence_required, licence_state
from fairpath.vetting.risk.schemas import CountryRiskRow, CountryRiskTable, RiskAssessment, RiskFactor
from fairpath.vetting.risk.tables import CountryRisk
from fairpath.vetting.screening.service import confirmed_hits

# Points per finding by severity; findings from other services weigh by what they found.
SEVERITY_POINTS = {Severity.low: 5, Severity.medium: 10, Severity.high: 20, Severity.critical: 35}
HIT_POINTS = {WatchlistKind.sanctions: 60, WatchlistKind.debarment: 35, WatchlistKind.blocklist: 25}
LICENCE_POINTS = {
    LicenceState.missing: 25,
    LicenceState.expired: 25,
    LicenceState.not_in_register: 15,
    LicenceState.valid_unverified: 5,
    LicenceState.valid: 0,
}
UNAPPROVED_RECRUITER_POINTS = 10
_CLEARED = {BusinessStatus.approved, BusinessStatus.conditionally_approved}


def band_of(score: int) -> RiskBand:
    if score >= 75:
        return RiskBand.critical
    if score >= 50:
        return RiskBand.high
    if score >= 25:
        return RiskBand.medium
    return RiskBand.low


async def country_risk_points(session: AsyncSession, country: str, sector: str | None) -> RiskFactor:
    rows = (await session.execute(select(CountryRisk).where(CountryRisk.country == country))).scalars().all()
    by_sector = {r.sector: r for r in rows}
    row = by_sector.get(sector or "") or by_sector.get("")
    if row is None:
        return RiskFactor(
            factor="country_sector_risk",
            points=0,
            evidence=f"no operator rating for {country}{'/' + sector if sector else ''}",
        )
    scope = f"{country}/{row.sector}" if row.sector else country
    return RiskFactor(
        factor="country_sector_risk",
        points=row.points,
        evidence=f"{scope}: {row.points} points ({row.source}, {row.as_of.isoformat()})",
    )


async def assess(session: AsyncSession, business: Business) -> RiskAssessment:
    factors = [await country_risk_points(session, business.country, business.sector)]

    state, evidence = await licence_state(session, business)
    if licence_required(business):
        factors.append(RiskFactor(factor="licence", points=LICENCE_POINTS[state], evidence=evidence))
    elif state != LicenceState.missing:  # shown, never scored: the business needs no licence
        factors.append(RiskFactor(factor="licence", points=0, evidence=f"{evidence}; an employer needs no licence"))

    for hit in await confirmed_hits(session, business.id):
        factors.append(
            RiskFactor(
                factor="confirmed_screening_hit",
                points=HIT_POINTS.get(hit.watchlist_kind, 25),
                evidence=f"{hit.watchlist_kind} list match {hit.id} (score {hit.score:.2f})",
            )
        )

    # Hits and licence findings are scored above from their current state, not again here.
    scored_elsewhere = [
        FindingKind.screening_match,
        FindingKind.licence_missing,
        FindingKind.licence_expired,
        FindingKind.licence_not_in_register,
    ]
    findings = (
        (
            await session.execute(
                select(Finding)
                .where(
                    Finding.business_id == business.id,
                    Finding.status == FindingStatus.open,
                    Finding.kind.not_in(scored_elsewhere),
                )
                .order_by(Finding.created_at)
            )
        )
        .scalars()
        .all()
    )
    for finding in findings:
        factors.append(
            RiskFactor(
                factor=finding.kind,
                points=SEVERITY_POINTS[Severity(finding.severity)],
                evidence=f"principle {finding.principle}, {finding.severity}, from {finding.source} ({finding.source_ref})",
            )
        )

    if business.kind == BusinessKind.employer:
        links = (await session.execute(select(RecruiterLink).where(RecruiterLink.employer_id == business.id))).scalars()
        for link in links:
            agency = await session.get(Business, link.agency_id)
            if agency is not None and agency.status not in _CLEARED:
                factors.append(
                    RiskFactor(
                        factor="recruiter_not_approved",
                        points=UNAPPROVED_RECRUITER_POINTS,
                        evidence=f"recruiter {agency.id} is {agency.status}",
                    )
                )

    score = min(100, sum(f.points for f in factors))
    return RiskAssessment(score=score, band=band_of(score), factors=factors)


async def country_risk_table(session: AsyncSession) -> CountryRiskTable:
    rows = (await session.execute(select(CountryRisk).order_by(CountryRisk.country, CountryRisk.sector))).scalars()
    return CountryRiskTable(
        rows=[
            CountryRiskRow(country=r.country, sector=r.sector or None, points=r.points, source=r.source, as_of=r.as_of)
            for r in rows
        ]
    )


async def replace_country_risk_table(
    session: AsyncSession, ledger: Ledger, principal: Principal, table: CountryRiskTable
) -> CountryRiskTable:
    keys = [(r.country, r.sector or "") for r in table.rows]
    if len(set(keys)) != len(keys):
        raise RuleViolations([Violation(field="rows", rule="unique", message="one row per country and sector")])
    await session.execute(delete(CountryRisk))
    now = utcnow()
    for r in table.rows:
        session.add(
            CountryRisk(
                id=uuid7(),
                country=r.country,
                sector=r.sector or "",
                points=r.points,
                source=r.source,
                as_of=r.as_of,
                updated_at=now,
            )
        )
    await session.flush()
    await ledger.append(
        session,
        actor=principal.actor,
        action="reference.country_risk_replaced",
        record_type="reference",
        record_id="country-risk",
        changes={"rows": len(table.rows)},
    )
    return table

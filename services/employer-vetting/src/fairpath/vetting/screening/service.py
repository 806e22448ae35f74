"""Screening businesses and resolving hits, with its rules: a hit at or above the threshold is
potential until a compliance officer confirms or dismisses it; a dismissed entry is not raised again for
the business until the entry changes; a list change re-screens businesses against the changed entries only."""

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.auth import Principal
from fairpath.common.db import Database
from fairpath.common.domain_codes import BusinessStatus, Severity, SuspensionReason, WatchlistKind
from fairpath.common.errors import Conflict, NotFound
from fairpath.common.events.catalogue import ScreeningMatched
from fairpath.common.ids import uuid7
from fairpath.common.ledger import Ledger
from fairpath.common.timeutil import utcnow
from fairpath.vetting.businesses.tables import Business
from fairpath.vetting.findings.flows import report_finding
from fairpath.vetting.findings.schemas import FindingKind, FindingSource
from fairpath.vetting.screening.matching import Match, ScreenedParty, find_matches, match_party
from fairpath.vetting.screening.schemas import (
    HitDecision,
    HitResolution,
    HitStatus,
    ScreeningHitPublic,
    ScreeningPublic,
    ScreeningTrigger,
)
from fairpath.vetting.screening.tables import Screening, ScreeningHit


class HitResolved(Conflict):
    name = "hit_resolved"
    description = "the hit was already confirmed or dismissed"


DEFAULT_THRESHOLD = 0.70
SYSTEM_ACTOR = "system:vetting"
_APPROVED = (BusinessStatus.approved, BusinessStatus.conditionally_approved)
# A rejected business is not re-screened on a list change: nothing is decided on it any more.
_NOT_RESCREENED_ON_CHANGE = (BusinessStatus.rejected,)
_SEVERITY_BY_KIND = {
    WatchlistKind.sanctions: Severity.critical,
    WatchlistKind.debarment: Severity.high,
    WatchlistKind.blocklist: Severity.high,
}


def present_hit(hit: ScreeningHit) -> ScreeningHitPublic:
    return ScreeningHitPublic.model_validate(hit)


def present(screening: Screening, hits: list[ScreeningHit]) -> ScreeningPublic:
    """A screening with the hits it raised."""
    return ScreeningPublic.model_validate({**screening.model_dump(), "hits": [present_hit(h) for h in hits]})


def party_of(business: Business) -> ScreenedParty:
    return ScreenedParty(
        party_id=f"business:{business.id}",
        names=[business.legal_name, *business.other_names],
        country=business.country,
        registration_number=business.registration_number,
    )


async def _should_raise(session: AsyncSession, business_id: uuid.UUID, match: Match) -> bool:
    """Not when this entry is already open or confirmed for the business, nor when this very version of
    it was dismissed; a dismissed entry whose content has since changed is raised again."""
    existing = (
        await session.execute(
            select(ScreeningHit.status, ScreeningHit.entry_content_hash).where(
                ScreeningHit.business_id == business_id, ScreeningHit.entry_id == match.candidate.entry_id
            )
        )
    ).all()
    for status, content in existing:
        if status in (HitStatus.potential, HitStatus.confirmed):
            return False
        if content == match.candidate.content_hash:
            return False
    return True


async def screen_business(
    session: AsyncSession,
    ledger: Ledger,
    *,
    business: Business,
    actor: str,
    threshold: float = DEFAULT_THRESHOLD,
    trigger: ScreeningTrigger = ScreeningTrigger.manual,
    import_id: uuid.UUID | None = None,
) -> list[ScreeningHit]:
    """Screen one business against every list (or the entries `import_id` changed) within the caller's
    transaction; returns the new hits.

    Each new hit is audited and announced with `vetting.screening.matched` through the outbox."""
    matches, scored = await find_matches(session, party_of(business), threshold=threshold, changed_by_import=import_id)
    _, hits = await _record(
        session,
        ledger,
        business_id=business.id,
        matches=matches,
        scored=scored,
        actor=actor,
        threshold=threshold,
        trigger=trigger,
        import_id=import_id,
    )
    return hits


async def _match_business(
    database: Database, business: Business, *, threshold: float, import_id: uuid.UUID | None = None
) -> tuple[list[Match], int]:
    """Find a business's matches off the event loop, in a read transaction of their own: on SQLite a write
    transaction holds the database's one write lock, which the matching (a tenth of a second or more) has
    no need of."""
    return await match_party(database, party_of(business), threshold=threshold, changed_by_import=import_id)


async def _record(
    session: AsyncSession,
    ledger: Ledger,
    *,
    business_id: uuid.UUID,
    matches: list[Match],
    scored: int,
    actor: str,
    threshold: float,
    trigger: ScreeningTrigger,
    import_id: uuid.UUID | None,
) -> tuple[Screening | None, list[ScreeningHit]]:
    """The screening and the hits it raises, from the matches found. The business's row is locked first, so
    that two screenings of one business (an officer's and a background one) record one after the other and
    never raise the same hit twice."""
    if import_id is not None and scored == 0:
        # No changed entry resembles this business: nothing was screened, so nothing is recorded.
        return None, []
    await session.execute(select(Business.id).where(Business.id == business_id).with_for_update())
    screening_id = uuid7()
    now = utcnow()
    hits: list[ScreeningHit] = []
    for match in matches:
        if not await _should_raise(session, business_id, match):
            continue
        candidate = match.candidate
        hits.append(
            ScreeningHit(
                id=uuid7(),
                business_id=business_id,
                screening_id=screening_id,
                watchlist_id=candidate.watchlist_id,
                watchlist_kind=candidate.watchlist_kind,
                entry_id=candidate.entry_id,
                entity_id=candidate.entity_id,
                listed_name=candidate.entity.caption[:500],
                entry_content_hash=candidate.content_hash,
                score=match.score,
                explanation=match.explanation,
                status=HitStatus.potential,
                created_at=now,
            )
        )
    screening = Screening(
        id=screening_id,
        business_id=business_id,
        trigger=trigger,
        import_id=import_id,
        threshold=threshold,
        candidates_scored=scored,
        hits_raised=len(hits),
        screened_by=actor,
        screened_at=now,
    )
    session.add(screening)
    await session.flush()
    await ledger.append(
        session,
        actor=actor,
        action="screening.completed",
        record_type="screening",
        record_id=screening.id,
        changes={
            "business_id": str(business_id),
            "trigger": trigger.value,
            "hits_raised": len(hits),
            "candidates_scored": scored,
        },
    )
    for hit in hits:
        await ledger.record_new(
            session,
            hit,
            actor=actor,
            action="screening_hit.raised",
            record_type="screening_hit",
            changes={"business_id": str(business_id), "entity_id": hit.entity_id, "score": hit.score},
            event=lambda: _matched(hit, now),
        )
    return screening, hits


def _matched(hit: ScreeningHit, matched_at: datetime) -> ScreeningMatched:
    """`vetting.screening.matched`: a new hit, announced with ids and codes only (never the names)."""
    return ScreeningMatched(
        version=hit.version,
        screening_hit_id=hit.id,
        business_id=hit.business_id,
        watchlist_id=hit.watchlist_id,
        watchlist_kind=hit.watchlist_kind,
        matched_entity_id=hit.entity_id,
        score=hit.score,
        matched_at=matched_at,
    )


async def screen_business_by_id(
    *,
    database: Database,
    session: AsyncSession,
    ledger: Ledger,
    principal: Principal,
    business_id: uuid.UUID,
    threshold: float,
) -> tuple[Screening, list[ScreeningHit]]:
    """A compliance officer's screening: matched off the event loop in a read transaction of its own,
    recorded in the request's."""
    async with database.session(read_only=True) as reading:
        business = await reading.get(Business, business_id)
    if business is None:
        raise NotFound("business", business_id)
    matches, scored = await match_party(database, party_of(business), threshold=threshold)
    screening, hits = await _record(
        session,
        ledger,
        business_id=business_id,
        matches=matches,
        scored=scored,
        actor=principal.actor,
        threshold=threshold,
        trigger=ScreeningTrigger.manual,
        import_id=None,
    )
    assert screening is not None  # a full screening is always recorded
    return screening, hits


async def unresolved_hit_count(session: AsyncSession, business_id: uuid.UUID) -> int:
    """Potential hits not yet confirmed or dismissed: a decision waits for them."""
    return (
        await session.execute(
            select(func.count())
            .select_from(ScreeningHit)
            .where(ScreeningHit.business_id == business_id, ScreeningHit.status == HitStatus.potential)
        )
    ).scalar_one()


async def confirmed_sanctions_hits(session: AsyncSession, business_id: uuid.UUID) -> list[str]:
    """The listed ids of the sanctioned entities a business has been confirmed to be."""
    return list(
        (
            await session.execute(
                select(ScreeningHit.entity_id)
                .where(
                    ScreeningHit.business_id == business_id,
                    ScreeningHit.status == HitStatus.confirmed,
                    ScreeningHit.watchlist_kind == WatchlistKind.sanctions,
                )
                .order_by(ScreeningHit.entity_id)
            )
        ).scalars()
    )


async def confirmed_hits(session: AsyncSession, business_id: uuid.UUID) -> list[ScreeningHit]:
    return list(
        (
            await session.execute(
                select(ScreeningHit)
                .where(ScreeningHit.business_id == business_id, ScreeningHit.status == HitStatus.confirmed)
                .order_by(ScreeningHit.id)
            )
        ).scalars()
    )


async def find_hits(
    session: AsyncSession,
    *,
    business_id: uuid.UUID | None = None,
    status: HitStatus | None = None,
    watchlist_kind: WatchlistKind | None = None,
    after: uuid.UUID | None = None,
    limit: int,
) -> list[ScreeningHit]:
    """Hits oldest first: one business's, or every business's (the compliance team's queue)."""
    query = select(ScreeningHit).order_by(ScreeningHit.id).limit(limit)
    if business_id is not None:
        if await session.get(Business, business_id) is None:
            raise NotFound("business", business_id)
        query = query.where(ScreeningHit.business_id == business_id)
    if status is not None:
        query = query.where(ScreeningHit.status == status)
    if watchlist_kind is not None:
        query = query.where(ScreeningHit.watchlist_kind == watchlist_kind)
    if after is not None:
        query = query.where(ScreeningHit.id > after)
    return list((await session.execute(query)).scalars())


async def get_hit(session: AsyncSession, hit_id: uuid.UUID) -> ScreeningHit:
    hit = await session.get(ScreeningHit, hit_id)
    if hit is None:
        raise NotFound("screening hit", hit_id)
    return hit


async def resolve_hit(
    *,
    session: AsyncSession,
    ledger: Ledger,
    principal: Principal,
    hit_id: uuid.UUID,
    data: HitResolution,
) -> ScreeningHit:
    """A compliance officer's verdict. A confirmed hit is a finding (principle B: ethical conduct),
    and a confirmed sanctions match suspends an approved business at once."""
    hit = await session.get(ScreeningHit, hit_id, with_for_update=True)
    if hit is None:
        raise NotFound("screening hit", hit_id)
    if hit.status != HitStatus.potential:
        raise HitResolved(f"the hit was already {hit.status}")
    hit.status = HitStatus(data.decision)
    hit.resolved_by, hit.resolved_at, hit.resolution_reason = principal.user_id, utcnow(), data.reason
    await ledger.record_change(
        session,
        hit,
        actor=principal.actor,
        action=f"screening_hit.{data.decision.value}",
        record_type="screening_hit",
        changes={"status": hit.status, "reason": data.reason},
    )
    if data.decision == HitDecision.confirmed:
        await report_finding(
            session,
            ledger,
            business_id=hit.business_id,
            kind=FindingKind.screening_match,
            principle="B",
            severity=_SEVERITY_BY_KIND.get(hit.watchlist_kind, Severity.high),
            source=FindingSource.vetting,
            source_ref=str(hit.id),
            actor=principal.actor,
            evidence={
                "screening_hit_id": str(hit.id),
                "watchlist_id": str(hit.watchlist_id),
                "watchlist_kind": hit.watchlist_kind,
                "entity_id": hit.entity_id,
                "score": hit.score,
            },
            suspend=SuspensionReason.screening_match if hit.watchlist_kind == WatchlistKind.sanctions else None,
        )
    return hit


async def rescreen_approved(
    database: Database,
    ledger: Ledger,
    *,
    older_than: datetime,
    threshold: float = DEFAULT_THRESHOLD,
    limit: int = 500,
) -> int:
    """The scheduled re-screening: approved and conditionally approved businesses last screened before
    `older_than` (or never). Each business is matched in a read transaction, then recorded in a short
    write transaction that locks it and checks it is still due (another replica may have screened it).
    Returns how many were screened."""
    last = (
        select(Screening.business_id, func.max(Screening.screened_at).label("last_at"))
        .group_by(Screening.business_id)
        .subquery()
    )
    async with database.session(read_only=True) as reading:
        due = (
            (
                await reading.execute(
                    select(Business)
                    .outerjoin(last, last.c.business_id == Business.id)
                    .where(Business.status.in_(_APPROVED), or_(last.c.last_at.is_(None), last.c.last_at < older_than))
                    .order_by(Business.id)
                    .limit(limit)
                )
            )
            .scalars()
            .all()
        )
    screened = 0
    for business in due:
        matches, scored = await _match_business(database, business, threshold=threshold)
        async with database.session() as session:
            await session.get(Business, business.id, with_for_update=True)
            since = await session.execute(
                select(Screening.id).where(Screening.business_id == business.id, Screening.screened_at >= older_than)
            )
            if since.first() is not None:
                continue
            await _record(
                session,
                ledger,
                business_id=business.id,
                matches=matches,
                scored=scored,
                actor=SYSTEM_ACTOR,
                threshold=threshold,
                trigger=ScreeningTrigger.scheduled,
                import_id=None,
            )
            screened += 1
    return screened


async def rescreening_counts(database: Database, import_id: uuid.UUID) -> tuple[int, int]:
    """(businesses screened against an import's changes, hits raised) as recorded so far."""
    async with database.session(read_only=True) as session:
        businesses, hits = (
            await session.execute(
                select(func.count(), func.coalesce(func.sum(Screening.hits_raised), 0)).where(
                    Screening.import_id == import_id
                )
            )
        ).one()
    return businesses, hits


async def rescreen_after_list_change(
    database: Database,
    ledger: Ledger,
    *,
    import_id: uuid.UUID,
    actor: str,
    threshold: float = DEFAULT_THRESHOLD,
    page: int = 100,
    on_page: Callable[[int, int], Awaitable[None]] | None = None,
) -> tuple[int, int]:
    """Screen businesses against the entries one import changed, and only those: each business matched in a
    read transaction and recorded in a write transaction of its own, so requests meanwhile wait for neither.
    A business already screened against this import is skipped (a re-screening cut short and taken up again
    goes on where it stopped). Returns (businesses that resembled a changed entry and were screened, hits
    raised) by this call; `on_page` gets the same after each page of businesses."""
    already = select(Screening.id).where(Screening.business_id == Business.id, Screening.import_id == import_id)
    screened = raised = 0
    after: uuid.UUID | None = None
    while True:
        query = (
            select(Business)
            .where(Business.status.not_in(_NOT_RESCREENED_ON_CHANGE), ~already.exists())
            .order_by(Business.id)
            .limit(page)
        )
        if after is not None:
            query = query.where(Business.id > after)
        async with database.session(read_only=True) as reading:
            businesses = (await reading.execute(query)).scalars().all()
        for business in businesses:
            matches, scored = await _match_business(database, business, threshold=threshold, import_id=import_id)
            if scored == 0:
                continue  # no changed entry resembles it: nothing to record
            async with database.session() as session:
                _, hits = await _record(
                    session,
                    ledger,
                    business_id=business.id,
                    matches=matches,
                    scored=scored,
                    actor=actor,
                    threshold=threshold,
                    trigger=ScreeningTrigger.list_change,
                    import_id=import_id,
                )
            screened += 1
            raised += len(hits)
        if on_page is not None:
            await on_page(screened, raised)
        if len(businesses) < page:
            return screened, raised
        after = businesses[-1].id

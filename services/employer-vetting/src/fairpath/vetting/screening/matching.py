"""Finding the entries a business may be: candidate retrieval in the database, then logic-v2 scores.

Retrieval looks the business's name tokens, their metaphones and its registration number up in
`watchlist_name_key` and keeps the entries that share the most distinctive keys (a key is worth
less the more entries hold it), so a screening scores a few hundred entries, never the whole list.
"""

import hashlib
import math
import uuid
from dataclasses import dataclass
from typing import Any

from followthemoney import EntityProxy, model
from nomenklatura.matching import LogicV2
from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.vetting.watchlists.entities import matching_proxy, retrieval_keys
from fairpath.vetting.watchlists.tables import Watchlist, WatchlistEntry, WatchlistNameKey

ALGORITHM = LogicV2
_CONFIG = LogicV2.default_config()
_FEATURE_WEIGHTS = {feature.name: feature.weight for feature in LogicV2.features}

SCREENED_AS = "LegalEntity"
CANDIDATE_LIMIT = 200
# A key held by more entries than this ("trading", "gulf") only narrows nothing; it is used when the
# business has no rarer key. A hit at 0.70 needs most of the business's name, so it shares a rarer key.
MAX_POSTINGS = 5000
_IDENTIFIER_WEIGHT = 100.0


@dataclass(frozen=True)
class ScreenedParty:
    """What a business is screened by: its names, country and registration number."""

    party_id: str
    names: list[str]
    country: str | None
    registration_number: str | None

    def entity(self) -> EntityProxy:
        # The id changes with the content: logic-v2 caches name analysis by entity id.
        digest = hashlib.sha256(repr((self.names, self.country, self.registration_number)).encode()).hexdigest()[:16]
        properties: dict[str, list[str]] = {"name": self.names[:1], "alias": self.names[1:]}
        if self.country:
            properties["country"] = [self.country.lower()]
        if self.registration_number:
            properties["registrationNumber"] = [self.registration_number]
        # A LegalEntity, not a Company: logic-v2 compares it with listed people too (an agency trading
        # under its owner's name), with the name-order tolerance it gives people's names.
        return model.get_proxy({"id": f"{self.party_id}:{digest}", "schema": SCREENED_AS, "properties": properties},
                               cleaned=True)

    def keys(self) -> set[str]:
        identifiers = [self.registration_number] if self.registration_number else []
        return retrieval_keys(SCREENED_AS, self.names, identifiers)


@dataclass(frozen=True)
class Candidate:
    entry_id: uuid.UUID
    entity_id: str
    content_hash: str
    watchlist_id: uuid.UUID
    watchlist_kind: str
    entity: EntityProxy


@dataclass(frozen=True)
class Match:
    candidate: Candidate
    score: float
    explanation: dict[str, Any]


def _key_weight(postings: int) -> float:
    return 1.0 / math.log(math.e + postings)


async def candidate_entry_ids(
    session: AsyncSession, keys: set[str], *, limit: int = CANDIDATE_LIMIT, changed_by_import: uuid.UUID | None = None,
) -> list[uuid.UUID]:
    """The entries sharing the most distinctive keys with the business, best first."""
    if not keys:
        return []
    k = WatchlistNameKey.__table__.c
    postings = dict((await session.execute(
        select(k.key, func.count()).where(k.key.in_(sorted(keys))).group_by(k.key)
    )).all())
    if not postings:
        return []
    by_rarity = sorted(postings.items(), key=lambda item: item[1])
    used = {key: n for key, n in by_rarity if n <= MAX_POSTINGS or key.startswith("r:")}
    if not any(key.startswith(("t:", "m:")) for key in used):
        used.update(dict([item for item in by_rarity if not item[0].startswith("r:")][:2]))
    weights = {key: (_IDENTIFIER_WEIGHT if key.startswith("r:") else _key_weight(n)) for key, n in used.items()}
    score = func.sum(case(weights, value=k.key, else_=0.0)).label("score")
    query = select(k.entry_id, score).where(k.key.in_(sorted(used))).group_by(k.entry_id)
    if changed_by_import is not None:
        e = WatchlistEntry.__table__.c
        query = query.join(WatchlistEntry.__table__, e.id == k.entry_id).where(e.changed_import_id == changed_by_import)
    query = query.order_by(score.desc(), k.entry_id).limit(limit)
    return [row.entry_id for row in (await session.execute(query)).all()]


async def load_candidates(session: AsyncSession, entry_ids: list[uuid.UUID]) -> list[Candidate]:
    if not entry_ids:
        return []
    rows = (await session.execute(
        select(WatchlistEntry.id, WatchlistEntry.entity_id, WatchlistEntry.content_hash, WatchlistEntry.schema_name,
               WatchlistEntry.properties, Watchlist.id.label("watchlist_id"), Watchlist.kind)
        .join(Watchlist, Watchlist.id == WatchlistEntry.watchlist_id)
        .where(WatchlistEntry.id.in_(entry_ids), WatchlistEntry.removed_at.is_(None))
    )).all()
    return [candidate_of(row) for row in rows]


def candidate_of(row: Any) -> Candidate:
    return Candidate(
        entry_id=row.id, entity_id=row.entity_id, content_hash=row.content_hash, watchlist_id=row.watchlist_id,
        watchlist_kind=row.kind,
        entity=matching_proxy(str(row.id), row.content_hash, row.schema_name, row.properties),
    )


def explain(result: Any) -> dict[str, Any]:
    """The features that said something, with their weights in logic-v2 and the values they compared."""
    explanation: dict[str, Any] = {}
    for name, feature in result.explanations.items():
        if feature.score == 0 and name != "name_match":
            continue
        explanation[name] = {"score": round(feature.score, 4), "weight": _FEATURE_WEIGHTS.get(name),
                             "detail": feature.detail, "query": feature.query, "candidate": feature.candidate}
    return explanation


def score(party: EntityProxy, candidates: list[Candidate], threshold: float) -> list[Match]:
    """logic-v2 on each candidate; the matches at or above the threshold, best first."""
    matches = []
    for candidate in candidates:
        result = ALGORITHM.compare(party, candidate.entity, _CONFIG)
        if result.score >= threshold:
            matches.append(Match(candidate=candidate, score=round(min(result.score, 1.0), 4),
                                 explanation=explain(result)))
    return sorted(matches, key=lambda m: -m.score)


async def find_matches(
    session: AsyncSession, party: ScreenedParty, *, threshold: float, changed_by_import: uuid.UUID | None = None,
    limit: int = CANDIDATE_LIMIT,
) -> tuple[list[Match], int]:
    """The matches of a party, and how many candidates were scored to find them."""
    entry_ids = await candidate_entry_ids(session, party.keys(), limit=limit, changed_by_import=changed_by_import)
    candidates = await load_candidates(session, entry_ids)
    return score(party.entity(), candidates, threshold), len(candidates)

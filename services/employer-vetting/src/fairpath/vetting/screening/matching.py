"""Finding the entries a business may be: candidate retrieval in the database, then logic-v2 scores.

Retrieval looks up, in `watchlist_name_key`, the business's name tokens, their metaphones, the listed
words spelt a few edits away from them (`watchlist_term_variant`), its names' skeletons (each name
with one word left out) and its registration number. It keeps the entries with its registration
number, the entries sharing a skeleton, the entries that hold every token of one of its names (exactly
or spelt alike), and the entries sharing the most distinctive keys (a key is worth less the more entries
hold it). A screening scores a hundred or so entries, never the whole list.

`match_party` runs it all in the vetting service's worker processes (fairpath.vetting.cpu): the retrieval,
with a connection of the worker's own, and the scoring, so the service's event loop answers other requests
meanwhile (`find_matches` reads in the caller's transaction and scores in a worker). `warm_up` loads what
logic-v2 and rigour load on first use (7 to 31 s), so that the service does it before it reports ready
instead of inside its first screening.
"""

import functools
import hashlib
import math
import uuid
from dataclasses import dataclass
from typing import Any, NamedTuple

from followthemoney import EntityProxy, model
from nomenklatura.matching import LogicV2
from sqlalchemy import Float, Integer, String, column, func, select, values
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.db import Database
from fairpath.common.domain_codes import WatchlistKind
from fairpath.vetting.cpu import off_loop, run_apart
from fairpath.vetting.watchlists.entities import NameKeys, matching_proxy, name_keys, token_key
from fairpath.vetting.watchlists.tables import Watchlist, WatchlistEntry, WatchlistNameKey
from fairpath.vetting.watchlists.terms import similar_terms

ALGORITHM = LogicV2
_CONFIG = LogicV2.default_config()
_FEATURE_WEIGHTS = {feature.name: feature.weight for feature in LogicV2.features}

SCREENED_AS = "LegalEntity"
CANDIDATE_LIMIT = 100
FULL_MATCH_CAP = 1000
# A key held by more entries than this ("trading", "gulf") only narrows nothing; it is used when the
# business has no rarer key. A hit at 0.70 needs most of the business's name, so it shares a rarer key.
MAX_POSTINGS = 5000
_IDENTIFIER_WEIGHT = 100.0
# A listed word spelt a few edits away from the party's counts for less than the word itself.
_SPELT_ALIKE_WEIGHT = 0.5
# A skeleton ("marine pvt ltd") held by more entries than this is made of generic words only; the names
# alike but for one word then share too little to reach the threshold. The rarest skeletons of a party
# bring in at most this many entries in all.
MAX_SKELETON_POSTINGS = 1000
# Keys per statement, so a business with many long names stays within the database's parameter limit
# (five parameters a key in the looked-up table; SQLite allows 32,766). The rarest keys are kept.
_KEYS_PER_QUERY = 2000


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
        return model.get_proxy(
            {"id": f"{self.party_id}:{digest}", "schema": SCREENED_AS, "properties": properties}, cleaned=True
        )

    def keys(self) -> NameKeys:
        identifiers = [self.registration_number] if self.registration_number else []
        return name_keys(SCREENED_AS, self.names, identifiers)


@dataclass(frozen=True)
class Candidate:
    entry_id: uuid.UUID
    entity_id: str
    content_hash: str
    watchlist_id: uuid.UUID
    watchlist_kind: WatchlistKind
    schema_name: str
    properties: dict[str, list[str]]

    @functools.cached_property
    def entity(self) -> EntityProxy:
        return matching_proxy(str(self.entry_id), self.content_hash, self.schema_name, self.properties)


class CandidateRow(NamedTuple):
    """A listed entry as it is scored: plain values, so it travels to a worker process as it is."""

    id: uuid.UUID
    entity_id: str
    content_hash: str
    schema_name: str
    properties: dict[str, list[str]]
    watchlist_id: uuid.UUID
    kind: WatchlistKind


@dataclass(frozen=True)
class Match:
    candidate: Candidate
    score: float
    explanation: dict[str, Any]


def _key_weight(postings: int) -> float:
    return 1.0 / math.log(math.e + postings)


async def candidate_entry_ids(
    session: AsyncSession,
    keys: NameKeys,
    *,
    limit: int = CANDIDATE_LIMIT,
    changed_by_import: uuid.UUID | None = None,
) -> list[uuid.UUID]:
    """The entries that may be the party, best first: every entry with its registration number, every
    entry alike but for one word of one of its names (a shared skeleton), every entry holding all the
    tokens of one of its names, spelt alike or exactly (up to FULL_MATCH_CAP: logic-v2 scores such an
    entry high however much longer its own name is), then the entries sharing the most distinctive keys."""
    groups = {token: set(group) for token, group in keys.tokens.items()}
    spelt_alike: set[str] = set()
    for token, terms in (await similar_terms(session, keys.tokens)).items():
        alike = {token_key(term) for term in terms} - groups[token]
        groups[token] |= alike
        spelt_alike |= alike
    wanted = set().union(keys.identifiers, keys.skeletons, *groups.values())
    if not wanted:
        return []
    k = WatchlistNameKey.__table__.c
    postings: dict[str, int] = {}
    ordered = sorted(wanted)
    for start in range(0, len(ordered), _KEYS_PER_QUERY):
        postings.update(
            (
                await session.execute(
                    select(k.key, func.count())
                    .where(k.key.in_(ordered[start : start + _KEYS_PER_QUERY]))
                    .group_by(k.key)
                )
            ).all()
        )
    by_rarity = sorted(
        ((key, n) for key, n in postings.items() if key not in keys.identifiers and key not in keys.skeletons),
        key=lambda kn: kn[1],
    )
    used = dict([(key, n) for key, n in by_rarity if n <= MAX_POSTINGS][:_KEYS_PER_QUERY]) or dict(by_rarity[:2])
    identifiers = {key: n for key, n in postings.items() if key in keys.identifiers}
    skeletons: dict[str, int] = {}
    room = MAX_SKELETON_POSTINGS
    for key, n in sorted(((key, n) for key, n in postings.items() if key in keys.skeletons), key=lambda kn: kn[1]):
        if n > room:
            break
        skeletons[key], room = n, room - n
    if not used and not identifiers and not skeletons:
        return []
    token_index = {token: i for i, token in enumerate(groups)}
    index_of_key = {key: token_index[token] for token, group in groups.items() for key in group if key in used}
    usable = set(index_of_key.values())
    # A full match covers every usable token of one of the party's names.
    full = min((len({token_index[t] for t in name} & usable) for name in keys.names), default=0)

    # The keys looked up, as a table joined to the postings: what each key is worth, which of the party's
    # tokens it stands for, and whether it is an identifier or a skeleton.
    rows = [
        (key, _key_weight(n) * (_SPELT_ALIKE_WEIGHT if key in spelt_alike else 1.0), index_of_key.get(key), 0, 0)
        for key, n in used.items()
    ]
    rows += [(key, _IDENTIFIER_WEIGHT, None, 1, 0) for key in identifiers]
    rows += [(key, 0.0, None, 0, 1) for key in skeletons]
    looked_up = (
        values(
            column("key", String),
            column("weight", Float),
            column("token", Integer),
            column("identifier", Integer),
            column("skeleton", Integer),
            name="looked_up",
        )
        .data(rows)
        .cte()
    )
    w = looked_up.c
    by_identifier = func.max(w.identifier).label("by_identifier")
    by_skeleton = func.max(w.skeleton).label("by_skeleton")
    covered = func.count(func.distinct(w.token)).label("covered")
    score = func.sum(w.weight).label("score")
    query = (
        select(k.entry_id, by_identifier, by_skeleton, covered, score)
        .join_from(looked_up, WatchlistNameKey.__table__, k.key == w.key)
        .group_by(k.entry_id)
    )
    if changed_by_import is not None:
        e = WatchlistEntry.__table__.c
        query = query.join(WatchlistEntry.__table__, e.id == k.entry_id).where(e.changed_import_id == changed_by_import)
    query = query.order_by(by_identifier.desc(), by_skeleton.desc(), covered.desc(), score.desc(), k.entry_id).limit(
        max(limit, FULL_MATCH_CAP) + sum(skeletons.values())
    )
    found = (await session.execute(query)).all()
    return [
        row.entry_id
        for i, row in enumerate(found)
        if i < limit or row.by_identifier or row.by_skeleton or (full and row.covered >= full)
    ]


async def candidate_rows(session: AsyncSession, entry_ids: list[uuid.UUID]) -> list[CandidateRow]:
    """The listed entries to score, as plain rows: they become entities where they are scored."""
    if not entry_ids:
        return []
    rows = (
        await session.execute(
            select(
                WatchlistEntry.id,
                WatchlistEntry.entity_id,
                WatchlistEntry.content_hash,
                WatchlistEntry.schema_name,
                WatchlistEntry.properties,
                Watchlist.id.label("watchlist_id"),
                Watchlist.kind,
            )
            .join(Watchlist, Watchlist.id == WatchlistEntry.watchlist_id)
            .where(WatchlistEntry.id.in_(entry_ids), WatchlistEntry.removed_at.is_(None))
        )
    ).all()
    return [CandidateRow(*row) for row in rows]


async def load_candidates(session: AsyncSession, entry_ids: list[uuid.UUID]) -> list[Candidate]:
    return [candidate_of(row) for row in await candidate_rows(session, entry_ids)]


def candidate_of(row: Any) -> Candidate:
    return Candidate(
        entry_id=row.id,
        entity_id=row.entity_id,
        content_hash=row.content_hash,
        watchlist_id=row.watchlist_id,
        watchlist_kind=row.kind,
        schema_name=row.schema_name,
        properties=row.properties,
    )


def explain(result: Any) -> dict[str, Any]:
    """The features that said something, with their weights in logic-v2 and the values they compared."""
    explanation: dict[str, Any] = {}
    for name, feature in result.explanations.items():
        if feature.score == 0 and name != "name_match":
            continue
        explanation[name] = {
            "score": round(feature.score, 4),
            "weight": _FEATURE_WEIGHTS.get(name),
            "detail": feature.detail,
            "query": feature.query,
            "candidate": feature.candidate,
        }
    return explanation


def score(party: EntityProxy, candidates: list[Candidate], threshold: float) -> list[Match]:
    """logic-v2 on each candidate; the matches at or above the threshold, best first."""
    matches = []
    for candidate in candidates:
        result = ALGORITHM.compare(party, candidate.entity, _CONFIG)
        if result.score >= threshold:
            matches.append(
                Match(candidate=candidate, score=round(min(result.score, 1.0), 4), explanation=explain(result))
            )
    return sorted(matches, key=lambda m: -m.score)


def score_rows(party: ScreenedParty, rows: list[CandidateRow], threshold: float) -> list[tuple[int, float, dict]]:
    """logic-v2 on each candidate row (what runs in a worker process): (row index, score, explanation) of
    each match at or above the threshold."""
    entity = party.entity()
    found = []
    for i, row in enumerate(rows):
        result = ALGORITHM.compare(entity, candidate_of(row).entity, _CONFIG)
        if result.score >= threshold:
            found.append((i, round(min(result.score, 1.0), 4), explain(result)))
    return found


async def find_matches(
    session: AsyncSession,
    party: ScreenedParty,
    *,
    threshold: float,
    changed_by_import: uuid.UUID | None = None,
    limit: int = CANDIDATE_LIMIT,
) -> tuple[list[Match], int]:
    """The matches of a party, best first, and how many candidates were scored to find them, read in the
    caller's session (its transaction); the scoring runs off the event loop. `match_party` does it all off the
    loop, with a read transaction of its own."""
    entry_ids = await candidate_entry_ids(session, party.keys(), limit=limit, changed_by_import=changed_by_import)
    rows = await candidate_rows(session, entry_ids)
    if not rows:
        return [], 0
    scored = await off_loop(score_rows, party, rows, threshold)
    return _matches([(rows[i], score, why) for i, score, why in scored]), len(rows)


def _matches(found: list[tuple[CandidateRow, float, dict]]) -> list[Match]:
    matches = [Match(candidate=candidate_of(row), score=score, explanation=why) for row, score, why in found]
    return sorted(matches, key=lambda m: -m.score)


async def match_party(
    database: Database,
    party: ScreenedParty,
    *,
    threshold: float,
    changed_by_import: uuid.UUID | None = None,
    limit: int = CANDIDATE_LIMIT,
) -> tuple[list[Match], int]:
    """As `find_matches`, all of it in a worker process (fairpath.vetting.cpu): the candidates' retrieval,
    read there with a connection and a read transaction of its own, and their scoring. The service's event
    loop only waits for the answer."""
    found, scored = await off_loop(match_apart, database.url, party, threshold, changed_by_import, limit)
    return _matches(found), scored


def match_apart(
    database_url: str,
    party: ScreenedParty,
    threshold: float,
    changed_by_import: uuid.UUID | None,
    limit: int,
) -> tuple[list[tuple[CandidateRow, float, dict]], int]:
    """The whole matching of a party in this process or thread (what `match_party` runs in a worker)."""

    async def work(database: Database) -> tuple[list[tuple[CandidateRow, float, dict]], int]:
        keys = party.keys()
        async with database.session(read_only=True) as session:
            entry_ids = await candidate_entry_ids(session, keys, limit=limit, changed_by_import=changed_by_import)
            rows = await candidate_rows(session, entry_ids)
        return [(rows[i], score, why) for i, score, why in score_rows(party, rows, threshold)], len(rows)

    return run_apart(database_url, work)


def _listed_party(database_url: str) -> ScreenedParty | None:
    """A party named as an entry on the lists (None while they are empty)."""

    async def work(database: Database) -> str | None:
        async with database.session(read_only=True) as session:
            return (
                await session.execute(
                    select(WatchlistEntry.caption).where(WatchlistEntry.removed_at.is_(None)).limit(1)
                )
            ).scalar()

    name = run_apart(database_url, work)
    return ScreenedParty("warm-up-listed", [name], None, None) if name else None


# Names spelt like no listed name, of every kind a screening compares: a legal entity (the business)
# against a person, a company and an organisation.
_WARM_UP_PARTY = ScreenedParty(
    party_id="warm-up",
    names=["Qzvorak Trelmund Trading LLC", "Qzvorak Trelmund"],
    country="ae",
    registration_number="WU-1",
)
_WARM_UP_LISTED = (
    ("Person", {"name": ["Qzvorak Trelmundov"], "alias": ["Trelmund Qzvorak"], "country": ["ru"]}),
    ("Company", {"name": ["Qzvorakk Trelmund Trading L.L.C."], "registrationNumber": ["WU-1"], "country": ["ae"]}),
    ("Organization", {"name": ["Trelmund Qzvorak Foundation"]}),
    ("LegalEntity", {"name": ["Qzvorak Trelmund Est."]}),
)


_warm = False


def warm_keys() -> None:
    """Load what the retrieval keys' name analysis loads on first use (legal forms, phonetics: a tenth of a
    second): the service's own process computes them, for a screening and for an import."""
    _WARM_UP_PARTY.keys()
    for schema, properties in _WARM_UP_LISTED:
        names = [n for prop in ("name", "alias") for n in properties.get(prop, [])]
        name_keys(schema, names, properties.get("registrationNumber", []))


def warm_up(database_url: str | None = None) -> None:
    """Load what logic-v2 and rigour load on their first comparison (the person-name data above all: 7 to
    31 s), so that the first screening costs what the hundredth does: a worker process's initializer.
    With the service's database, a first matching against its lists too (the driver, the statements)."""
    warm_keys()
    party = _WARM_UP_PARTY.entity()
    for i, (schema, properties) in enumerate(_WARM_UP_LISTED):
        ALGORITHM.compare(party, matching_proxy(f"warm-up-{i}", "0", schema, properties), _CONFIG)
    if database_url is not None:
        # A listed name finds candidates: every statement of a screening runs once against the database.
        for warm_party in (_WARM_UP_PARTY, _listed_party(database_url)):
            if warm_party is not None:
                match_apart(database_url, warm_party, 1.0, None, CANDIDATE_LIMIT)
    global _warm
    _warm = True


def is_warm() -> bool:
    """Whether this process went through `warm_up`."""
    return _warm

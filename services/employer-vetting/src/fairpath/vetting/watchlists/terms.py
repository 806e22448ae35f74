"""Listed words and their spelling variants: a screening finds the words of listed names a few edits
away from its own (a deletion neighbourhood, as spelling correctors use, kept in the database)."""

from collections.abc import Iterable

from rigour.text import levenshtein
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.vetting.watchlists.entities import FUZZY_MIN_LENGTH, max_edits, term_variants
from fairpath.vetting.watchlists.tables import WatchlistTermVariant

_variants = WatchlistTermVariant.__table__
# Bound parameters per statement: SQLite allows 32,766, PostgreSQL 65,535.
_ROWS_PER_INSERT = 5000  # and values per IN list


async def record_terms(session: AsyncSession, terms: Iterable[str]) -> int:
    """Adds the variants of the words not seen before; returns how many words were new. Words are never
    removed: a word no entry holds any more finds no entry."""
    wanted = sorted({term for term in terms if len(term) >= FUZZY_MIN_LENGTH})
    if not wanted:
        return 0
    v = _variants.c
    known: set[str] = set()
    for start in range(0, len(wanted), _ROWS_PER_INSERT):
        chunk = wanted[start : start + _ROWS_PER_INSERT]
        known.update((await session.execute(select(v.term).where(v.variant.in_(chunk), v.variant == v.term))).scalars())
    rows = [
        {"variant": variant, "term": term} for term in wanted if term not in known for variant in term_variants(term)
    ]
    insert = postgresql.insert if session.bind.dialect.name == "postgresql" else sqlite.insert
    for start in range(0, len(rows), _ROWS_PER_INSERT):
        # Another import may add the same word meanwhile.
        await session.execute(insert(_variants).on_conflict_do_nothing(), rows[start : start + _ROWS_PER_INSERT])
    return len(wanted) - len(known)


async def similar_terms(session: AsyncSession, tokens: Iterable[str]) -> dict[str, set[str]]:
    """For each token, the listed words within the edits logic-v2 tolerates (the token itself excluded)."""
    variants_of = {token: term_variants(token) for token in tokens if len(token) >= FUZZY_MIN_LENGTH}
    if not variants_of:
        return {}
    wanted = sorted(set().union(*variants_of.values()))
    v = _variants.c
    terms_of_variant: dict[str, set[str]] = {}
    for start in range(0, len(wanted), _ROWS_PER_INSERT):
        rows = (
            await session.execute(
                select(v.variant, v.term).where(v.variant.in_(wanted[start : start + _ROWS_PER_INSERT]))
            )
        ).all()
        for variant, term in rows:
            terms_of_variant.setdefault(variant, set()).add(term)
    similar: dict[str, set[str]] = {}
    for token, variants in variants_of.items():
        near = set().union(*(terms_of_variant.get(variant, ()) for variant in variants)) - {token}
        similar[token] = {term for term in near if levenshtein(token, term) <= max(max_edits(token), max_edits(term))}
    return similar

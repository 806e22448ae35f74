"""watchlist term variants and skeleton keys

Revision ID: 0004
Revises: 0003

Screening now also finds listed words a few edits away (their spelling variants) and names alike but
for one word (skeleton keys). The entries already loaded get both here, computed by the service's own
key functions, so a list loaded before this version is screened as one loaded after it.
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from fairpath.vetting.watchlists.entities import FUZZY_MIN_LENGTH, ListedEntity, entity_name_keys, term_variants

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CHUNK = 2000


def upgrade() -> None:
    variants = op.create_table('watchlist_term_variant',
    sa.Column('variant', sa.String(length=120), nullable=False),
    sa.Column('term', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('variant', 'term')
    )
    keys = sa.table('watchlist_name_key', sa.column('key', sa.String), sa.column('entry_id', sa.Uuid))
    entries = sa.table('watchlist_entry', sa.column('id', sa.Uuid), sa.column('entity_id', sa.String),
                       sa.column('schema_name', sa.String), sa.column('properties', sa.JSON),
                       sa.column('content_hash', sa.String), sa.column('removed_at', sa.DateTime))
    bind = op.get_bind()
    terms: set[str] = set()
    last = None
    while True:
        query = sa.select(entries).where(entries.c.removed_at.is_(None)).order_by(entries.c.id).limit(_CHUNK)
        if last is not None:
            query = query.where(entries.c.id > last)
        rows = bind.execute(query).all()
        if not rows:
            break
        last = rows[-1].id
        new_keys, new_terms = [], set()
        for row in rows:
            properties = row.properties if isinstance(row.properties, dict) else json.loads(row.properties)
            name_keys = entity_name_keys(ListedEntity(entity_id=row.entity_id, schema_name=row.schema_name, caption="",
                                                      properties=properties, content_hash=row.content_hash))
            new_keys.extend({"key": key, "entry_id": row.id} for key in name_keys.skeletons)
            new_terms.update(t for t in name_keys.tokens if len(t) >= FUZZY_MIN_LENGTH and t not in terms)
        terms |= new_terms
        if new_keys:
            bind.execute(sa.insert(keys), new_keys)
        # Each chunk's new words at once, so memory stays flat however long the lists are.
        new_variants = [{"variant": variant, "term": term} for term in sorted(new_terms)
                        for variant in term_variants(term)]
        for start in range(0, len(new_variants), 5000):
            bind.execute(sa.insert(variants), new_variants[start:start + 5000])


def downgrade() -> None:
    op.execute("DELETE FROM watchlist_name_key WHERE key LIKE 'w:%'")
    op.drop_table('watchlist_term_variant')

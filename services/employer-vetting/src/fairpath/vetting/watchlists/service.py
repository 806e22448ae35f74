"""Creating watchlists and loading them: a streamed upload becomes an import job that commits batch by
batch, so its progress is visible while it runs, memory stays flat, and a bad line costs only itself.
Re-screening businesses against what an import changed is the screening domain's (screening/flows.py);
the job only keeps its state (`rescreening`) and counts."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, delete, func, insert, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.auth import Principal
from fairpath.common.db import Database
from fairpath.common.errors import Conflict, NotFound
from fairpath.common.ids import uuid7
from fairpath.common.ledger import Ledger
from fairpath.common.timeutil import utcnow
from fairpath.vetting.cpu import off_loop, run_apart
from fairpath.vetting.uploads import MAX_LINE_BYTES, csv_records, physical_lines
from fairpath.vetting.watchlists.entities import (
    CsvLayout,
    EntityRejected,
    ListedEntity,
    NameKeys,
    entity_name_keys,
    parse_ftm_line,
)
from fairpath.vetting.watchlists.schemas import (
    ImportFormat,
    ImportMode,
    ImportRejection,
    ImportStatus,
    RescreeningStatus,
    WatchlistCreate,
    WatchlistImportPublic,
    WatchlistPublic,
)
from fairpath.vetting.watchlists.tables import (
    Watchlist,
    WatchlistEntry,
    WatchlistImport,
    WatchlistImportRejection,
    WatchlistNameKey,
    WatchlistTermVariant,
)
from fairpath.vetting.watchlists.terms import record_terms

BATCH_LINES = 1000
REJECTIONS_SHOWN = 1000

_entries = WatchlistEntry.__table__
_keys = WatchlistNameKey.__table__


class DuplicateWatchlist(Conflict):
    name = "duplicate"
    description = "a watchlist of this name exists; `existing_id` names it"


def present(watchlist: Watchlist, entries: int) -> WatchlistPublic:
    """A watchlist with how many entries it holds now."""
    return WatchlistPublic.model_validate({**watchlist.model_dump(), "entries": entries})


async def present_import(session: AsyncSession, job: WatchlistImport) -> WatchlistImportPublic:
    """An import job with its progress and the first lines it rejected."""
    rejections = await import_rejections(session, job.id)
    progress = None
    if job.status != ImportStatus.running:
        progress = 1.0
    elif job.bytes_total:
        progress = round(min(job.bytes_read / job.bytes_total, 1.0), 4)
    return WatchlistImportPublic.model_validate(
        {
            **job.model_dump(),
            "progress": progress,
            "rejections": [ImportRejection(line=r.line, reason=r.reason) for r in rejections],
            "rejections_truncated": job.rejected > len(rejections),
        }
    )


async def create_watchlist(
    *, session: AsyncSession, ledger: Ledger, principal: Principal, data: WatchlistCreate
) -> Watchlist:
    existing = (await session.execute(select(Watchlist).where(Watchlist.name == data.name))).scalar_one_or_none()
    if existing is not None:
        raise DuplicateWatchlist(f"a watchlist named {data.name!r} exists", existing_id=str(existing.id))
    now = utcnow()
    watchlist = Watchlist(
        id=uuid7(),
        name=data.name,
        kind=data.kind,
        source=data.source,
        created_by=principal.user_id,
        created_at=now,
        updated_at=now,
    )
    await ledger.record_new(
        session,
        watchlist,
        actor=principal.actor,
        action="watchlist.created",
        record_type="watchlist",
        changes=data.model_dump(mode="json"),
    )
    return watchlist


async def get_watchlist(session: AsyncSession, watchlist_id: uuid.UUID) -> Watchlist:
    watchlist = await session.get(Watchlist, watchlist_id)
    if watchlist is None:
        raise NotFound("watchlist", watchlist_id)
    return watchlist


async def list_watchlists(session: AsyncSession, *, after: uuid.UUID | None, limit: int) -> list[Watchlist]:
    query = select(Watchlist).order_by(Watchlist.id).limit(limit)
    if after is not None:
        query = query.where(Watchlist.id > after)
    return list((await session.execute(query)).scalars())


async def entry_counts(session: AsyncSession, watchlist_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    if not watchlist_ids:
        return {}
    rows = await session.execute(
        select(WatchlistEntry.watchlist_id, func.count())
        .where(WatchlistEntry.watchlist_id.in_(watchlist_ids), WatchlistEntry.removed_at.is_(None))
        .group_by(WatchlistEntry.watchlist_id)
    )
    return {watchlist_id: count for watchlist_id, count in rows.all()}


async def get_import(session: AsyncSession, import_id: uuid.UUID) -> WatchlistImport:
    job = await session.get(WatchlistImport, import_id)
    if job is None:
        raise NotFound("import", import_id)
    return job


async def imports_of(
    session: AsyncSession, watchlist_id: uuid.UUID, *, after: uuid.UUID | None, limit: int
) -> list[WatchlistImport]:
    await get_watchlist(session, watchlist_id)
    query = (
        select(WatchlistImport)
        .where(WatchlistImport.watchlist_id == watchlist_id)
        .order_by(WatchlistImport.id.desc())
        .limit(limit)
    )
    if after is not None:
        query = query.where(WatchlistImport.id < after)
    return list((await session.execute(query)).scalars())


async def import_rejections(session: AsyncSession, import_id: uuid.UUID, limit: int = REJECTIONS_SHOWN) -> list:
    return list(
        (
            await session.execute(
                select(WatchlistImportRejection)
                .where(WatchlistImportRejection.import_id == import_id)
                .order_by(WatchlistImportRejection.line)
                .limit(limit)
            )
        ).scalars()
    )


# ---------------------------------------------------------------------------------------------
# Imports
# ---------------------------------------------------------------------------------------------


async def _settle(writing: asyncio.Task | None) -> None:
    """Let the batch in flight finish (or fail) before the job is marked failed."""
    if writing is not None:
        await asyncio.gather(writing, return_exceptions=True)


class _ImportFailed(Exception):
    """The upload as a whole cannot be loaded (a CSV without a usable header, an empty replacement)."""


@dataclass
class _Batch:
    entities: list[tuple[int, ListedEntity, NameKeys]] = field(default_factory=list)
    rejections: list[tuple[int, str]] = field(default_factory=list)
    skipped: int = 0
    last_line: int = 0  # the last physical line read
    number: int = 1

    def __len__(self) -> int:
        return len(self.entities) + len(self.rejections) + self.skipped


async def start_import(
    database: Database,
    ledger: Ledger,
    *,
    principal: Principal,
    watchlist_id: uuid.UUID,
    fmt: ImportFormat,
    mode: ImportMode,
    bytes_total: int | None,
) -> WatchlistImport:
    """Create the job in its own transaction, so others can follow it while the upload streams."""
    async with database.session() as session:
        await get_watchlist(session, watchlist_id)
        now = utcnow()
        job = WatchlistImport(
            id=uuid7(),
            watchlist_id=watchlist_id,
            format=fmt,
            mode=mode,
            status=ImportStatus.running,
            bytes_total=bytes_total,
            started_by=principal.user_id,
            started_at=now,
            updated_at=now,
        )
        session.add(job)
        await session.flush()
        await ledger.append(
            session,
            actor=principal.actor,
            action="watchlist.import_started",
            record_type="watchlist_import",
            record_id=job.id,
            changes={"watchlist_id": str(watchlist_id), "format": fmt.value, "mode": mode.value},
        )
    return job


@dataclass(frozen=True)
class _Item:
    """What one line (or CSV record) of an upload is, as read: the text (or the fields) of an entity to
    parse, a rejection, or nothing (a blank line, the CSV header). A batch of them is parsed and loaded in
    one of the service's worker processes (`load_batch_apart`), off the event loop."""

    line: int  # the physical line it starts on
    last_line: int  # the physical line it ends on
    bytes_read: int
    raw: str | list[str] | None = None  # a JSON line, or a CSV record's fields
    rejection: str | None = None


async def _ftm_items(chunks: AsyncIterator[bytes]) -> AsyncIterator[_Item]:
    """FollowTheMoney JSON lines: one entity a line."""
    async for number, raw, read in physical_lines(chunks, MAX_LINE_BYTES):
        if raw is None:
            yield _Item(number, number, read, rejection=f"line longer than {MAX_LINE_BYTES} bytes")
            continue
        try:
            text = raw.decode("utf-8").strip().lstrip("\ufeff")
        except UnicodeDecodeError:
            yield _Item(number, number, read, rejection="not UTF-8 text")
            continue
        yield _Item(number, number, read, raw=text or None)


async def _csv_items(chunks: AsyncIterator[bytes], layout: list[CsvLayout]) -> AsyncIterator[_Item]:
    """CSV (RFC 4180): a header naming the columns (read into `layout`), then one entity a record; a quoted
    field may hold a line break, so a record may span lines and is reported by the line it starts on."""
    async for record in csv_records(chunks, MAX_LINE_BYTES):
        last = record.line + record.lines - 1
        if not layout:
            if record.fields is None:
                raise _ImportFailed(f"line {record.line}: the header cannot be read: {record.error}")
            try:
                layout.append(CsvLayout(record.fields))
            except EntityRejected as exc:
                raise _ImportFailed(f"line {record.line}: {exc}") from None
            yield _Item(record.line, last, record.bytes_read)
            continue
        if record.fields is None:
            yield _Item(record.line, last, record.bytes_read, rejection=str(record.error)[:300])
            continue
        yield _Item(record.line, last, record.bytes_read, raw=record.fields)


ParsedLine = tuple[int, ListedEntity | None, NameKeys | None, str | None]


def parse_entities(layout: CsvLayout | None, raws: list[tuple[int, str | list[str]]]) -> list[ParsedLine]:
    """Lines (JSON, or CSV fields read by `layout`) made entities with their retrieval keys: for each,
    (line, entity or None for a schema not screened, keys, None) or (line, None, None, why it is refused).
    What a worker process runs for a batch."""
    parsed: list[ParsedLine] = []
    for line, raw in raws:
        try:
            entity = parse_ftm_line(raw) if layout is None else layout.parse(raw)
        except EntityRejected as exc:
            parsed.append((line, None, None, str(exc)[:300]))
            continue
        parsed.append((line, entity, entity_name_keys(entity) if entity is not None else None, None))
    return parsed


def load_batch_apart(
    database_url: str,
    job: dict,
    layout: CsvLayout | None,
    raws: list[tuple[int, str | list[str]]],
    batch: "_Batch",
    bytes_read: int,
) -> dict:
    """A batch's lines parsed and loaded, in a worker process (fairpath.vetting.cpu) with a connection of its
    own: what `run_import` hands over batch by batch, so that neither the parsing nor the writing holds the
    service's event loop. `job` holds the import's id, list and counts so far; returns the counts after."""
    for line, entity, keys, rejection in parse_entities(layout, raws):
        if rejection is not None:
            batch.rejections.append((line, rejection))
        elif entity is None:
            batch.skipped += 1
        else:
            batch.entities.append((line, entity, keys))
    state = WatchlistImport(**job)

    async def work(database: Database) -> dict:
        await _load_batch(database, state, batch, bytes_read)
        return {count: getattr(state, count) for count in _COUNTS}

    return run_apart(database_url, work)


# What a batch adds to the job.
_COUNTS = ("bytes_read", "lines_read", "loaded", "unchanged", "skipped", "rejected")


async def _load_apart(
    database: Database,
    job: WatchlistImport,
    layout: CsvLayout | None,
    raws: list[tuple[int, str | list[str]]],
    batch: "_Batch",
    bytes_read: int,
) -> None:
    fields = {"id": job.id, "watchlist_id": job.watchlist_id, **{count: getattr(job, count) for count in _COUNTS}}
    counts = await off_loop(load_batch_apart, database.url, fields, layout, raws, batch, bytes_read)
    for count, value in counts.items():
        setattr(job, count, value)


async def run_import(
    database: Database,
    ledger: Ledger,
    *,
    job: WatchlistImport,
    principal: Principal,
    chunks: AsyncIterator[bytes],
) -> WatchlistImport:
    """Load the upload into the list; every batch commits with the job's progress."""
    batch = _Batch()
    read = 0
    # One batch is written while the next is read and parsed: the writes of a batch still follow the
    # previous batch's commit, so a repeated entity id is caught across batches as within one.
    writing: asyncio.Task | None = None
    layout: list[CsvLayout] = []
    items = _csv_items(chunks, layout) if job.format == ImportFormat.csv else _ftm_items(chunks)
    raws: list[tuple[int, str | list[str]]] = []  # the batch's lines still to parse
    try:
        async for item in items:
            batch.last_line, read = item.last_line, item.bytes_read
            if item.rejection is not None:
                batch.rejections.append((item.line, item.rejection))
            elif item.raw is not None:
                raws.append((item.line, item.raw))
            if len(batch) + len(raws) >= BATCH_LINES:
                if writing is not None:
                    await writing
                csv_layout = layout[0] if layout else None
                writing = asyncio.create_task(_load_apart(database, job, csv_layout, raws, batch, read))
                batch, raws = _Batch(number=batch.number + 1, last_line=batch.last_line), []
        if writing is not None:
            await writing
            writing = None
        await _load_apart(database, job, layout[0] if layout else None, raws, batch, read)
        await _finish(database, ledger, job, principal)
        await _refresh_statistics(database)
    except _ImportFailed as exc:
        await _settle(writing)
        await _fail(database, ledger, job, str(exc))
    except Exception as exc:
        await _settle(writing)
        # A lost upload (the client went away) or a fault of ours: the committed batches stay, and
        # nothing is removed from the list, since the upload was not the whole list after all.
        await _fail(database, ledger, job, f"the upload stopped: {type(exc).__name__}")
        raise
    return job


def changed_the_list(job: WatchlistImport) -> bool:
    """A completed import that added, changed or removed entries: businesses are re-screened against them."""
    return job.status == ImportStatus.completed and job.loaded + job.removed > 0


async def claim_rescreening(database: Database, import_id: uuid.UUID, *, stale_before: datetime | None = None) -> bool:
    """Take the re-screening of an import: a pending one, or (with `stale_before`) one left running by a
    process that stopped (no progress since). True when this caller got it: one runner per import, however
    many replicas look."""
    job = WatchlistImport.__table__.c
    waiting = job.rescreening == RescreeningStatus.pending
    if stale_before is not None:
        waiting = or_(
            job.rescreening == RescreeningStatus.running,
            job.rescreening == RescreeningStatus.pending,
        ) & (job.updated_at < stale_before)
    async with database.session() as session:
        claimed = await session.execute(
            update(WatchlistImport.__table__)
            .where(job.id == import_id, waiting)
            .values(rescreening=RescreeningStatus.running, updated_at=utcnow())
        )
        return claimed.rowcount == 1


async def stalled_rescreenings(database: Database, *, stale_before: datetime) -> list[uuid.UUID]:
    """Imports whose re-screening waits or was cut short (no progress since `stale_before`), oldest first."""
    async with database.session(read_only=True) as session:
        return list(
            (
                await session.execute(
                    select(WatchlistImport.id)
                    .where(
                        WatchlistImport.rescreening.in_((RescreeningStatus.pending, RescreeningStatus.running)),
                        WatchlistImport.updated_at < stale_before,
                    )
                    .order_by(WatchlistImport.id)
                )
            ).scalars()
        )


async def record_rescreening(
    database: Database, import_id: uuid.UUID, *, businesses: int, hits: int, status: RescreeningStatus
) -> None:
    """How far re-screening against the import's changes got, and what it found, kept on the job (each page
    of businesses refreshes it, which also tells that the re-screening is alive)."""
    async with database.session() as session:
        await session.execute(
            update(WatchlistImport)
            .where(WatchlistImport.id == import_id)
            .values(rescreened_businesses=businesses, new_hits=hits, rescreening=status, updated_at=utcnow())
        )


async def _load_batch(database: Database, job: WatchlistImport, batch: _Batch, bytes_read: int) -> None:
    now = utcnow()
    async with database.session() as session:
        ids = list({entity.entity_id for _, entity, _ in batch.entities})
        existing = (
            {
                row.entity_id: row
                for row in (
                    await session.execute(
                        select(
                            _entries.c.id,
                            _entries.c.entity_id,
                            _entries.c.content_hash,
                            _entries.c.seen_import_id,
                            _entries.c.removed_at,
                        ).where(_entries.c.watchlist_id == job.watchlist_id, _entries.c.entity_id.in_(ids))
                    )
                ).all()
            }
            if ids
            else {}
        )
        first_line: dict[str, int] = {}
        new_rows, changed_rows, unchanged_ids, key_rows = [], [], [], []
        terms: set[str] = set()
        rejections = list(batch.rejections)
        for line, entity, keys in batch.entities:
            row = existing.get(entity.entity_id)
            if entity.entity_id in first_line or (row is not None and row.seen_import_id == job.id):
                where = f" (first at line {first_line[entity.entity_id]})" if entity.entity_id in first_line else ""
                rejections.append((line, f"entity {entity.entity_id[:100]} appears twice in this upload{where}"))
                continue
            first_line[entity.entity_id] = line
            values = {
                "schema_name": entity.schema_name,
                "caption": entity.caption,
                "properties": entity.properties,
                "content_hash": entity.content_hash,
                "changed_import_id": job.id,
                "seen_import_id": job.id,
                "updated_at": now,
                "removed_at": None,
            }
            if row is None:
                entry_id = uuid7()
                new_rows.append(
                    {
                        "id": entry_id,
                        "watchlist_id": job.watchlist_id,
                        "entity_id": entity.entity_id,
                        "created_at": now,
                        **values,
                    }
                )
            elif row.content_hash != entity.content_hash or row.removed_at is not None:
                entry_id = row.id
                changed_rows.append({"b_id": row.id, **values})
            else:
                unchanged_ids.append(row.id)
                continue
            key_rows.extend({"key": key, "entry_id": entry_id} for key in keys.all())
            terms.update(keys.tokens)
        if changed_rows:
            await session.execute(delete(_keys).where(_keys.c.entry_id.in_([r["b_id"] for r in changed_rows])))
            await session.execute(update(_entries).where(_entries.c.id == bindparam("b_id")), changed_rows)
        if new_rows:
            await session.execute(insert(_entries), new_rows)
        if key_rows:
            await session.execute(insert(_keys), key_rows)
            await record_terms(session, terms)
        if unchanged_ids:
            await session.execute(
                update(_entries).where(_entries.c.id.in_(unchanged_ids)).values(seen_import_id=job.id)
            )
        if rejections:
            await session.execute(
                insert(WatchlistImportRejection.__table__),
                [{"import_id": job.id, "line": line, "reason": reason} for line, reason in rejections],
            )
        job.bytes_read = bytes_read
        job.lines_read = max(job.lines_read, batch.last_line)
        job.loaded += len(new_rows) + len(changed_rows)
        job.unchanged += len(unchanged_ids)
        job.skipped += batch.skipped
        job.rejected += len(rejections)
        job.updated_at = now
        await session.execute(
            update(WatchlistImport)
            .where(WatchlistImport.id == job.id)
            .values(
                bytes_read=job.bytes_read,
                lines_read=job.lines_read,
                loaded=job.loaded,
                unchanged=job.unchanged,
                skipped=job.skipped,
                rejected=job.rejected,
                updated_at=now,
            )
        )
    if batch.number & (batch.number - 1) == 0:  # the 1st, 2nd, 4th, 8th ... batch
        await _refresh_statistics(database)


async def _refresh_statistics(database: Database) -> None:
    """PostgreSQL plans each lookup by the statistics it last took of the tables. Taken when a list was
    a tenth of its size, they make it scan whole tables instead of using their indexes: each batch of a
    large import then costs more than the one before, and so does the first screening after it. Taken
    again as the list doubles, they keep both in step with the list (SQLite needs no statistics here)."""
    if database.is_sqlite:
        return
    async with database.session() as session:
        await session.execute(text(f"ANALYZE {_entries.name}, {_keys.name}, {WatchlistTermVariant.__tablename__}"))


async def _finish(database: Database, ledger: Ledger, job: WatchlistImport, principal: Principal) -> None:
    now = utcnow()
    async with database.session() as session:
        removed = 0
        if job.mode == ImportMode.replace and job.loaded + job.unchanged == 0:
            # Most likely a wrong or truncated file: replacing with it would delist every entry.
            raise _ImportFailed(
                "the upload held no entity to screen; a replacing import would empty the list "
                "(use mode=append to add to it)"
            )
        if job.mode == ImportMode.replace:
            # The upload was the whole list: what it no longer holds has been delisted.
            gone = select(_entries.c.id).where(
                _entries.c.watchlist_id == job.watchlist_id,
                _entries.c.removed_at.is_(None),
                _entries.c.seen_import_id != job.id,
            )
            gone_ids = list((await session.execute(gone)).scalars())
            for start in range(0, len(gone_ids), 5000):
                chunk = gone_ids[start : start + 5000]
                await session.execute(delete(_keys).where(_keys.c.entry_id.in_(chunk)))
                await session.execute(
                    update(_entries)
                    .where(_entries.c.id.in_(chunk))
                    .values(removed_at=now, changed_import_id=job.id, updated_at=now)
                )
            removed = len(gone_ids)
        job.removed, job.status, job.finished_at, job.updated_at = removed, ImportStatus.completed, now, now
        # Businesses are to be re-screened against what changed: the job says so in the same transaction,
        # so a process that stops now leaves it pending (the scheduled jobs take it up), never forgotten.
        job.rescreening = RescreeningStatus.pending if changed_the_list(job) else RescreeningStatus.not_needed
        await session.execute(
            update(WatchlistImport)
            .where(WatchlistImport.id == job.id)
            .values(removed=removed, status=job.status, finished_at=now, updated_at=now, rescreening=job.rescreening)
        )
        await ledger.append(
            session,
            actor=principal.actor,
            action="watchlist.imported",
            record_type="watchlist_import",
            record_id=job.id,
            changes={
                "watchlist_id": str(job.watchlist_id),
                "loaded": job.loaded,
                "unchanged": job.unchanged,
                "rejected": job.rejected,
                "removed": removed,
            },
        )
        if job.loaded or removed:
            # The list's entries changed: a new version of the list.
            watchlist = await session.get(Watchlist, job.watchlist_id, with_for_update=True)
            await ledger.record_change(
                session,
                watchlist,
                actor=principal.actor,
                action="watchlist.entries_changed",
                record_type="watchlist",
                changes={"import_id": str(job.id), "loaded": job.loaded, "removed": removed},
            )


async def _fail(database: Database, ledger: Ledger, job: WatchlistImport, error: str) -> None:
    now = utcnow()
    job.status, job.error, job.finished_at, job.updated_at = ImportStatus.failed, error[:500], now, now
    async with database.session() as session:
        await session.execute(
            update(WatchlistImport)
            .where(WatchlistImport.id == job.id)
            .values(status=job.status, error=job.error, finished_at=now, updated_at=now)
        )
        await ledger.append(
            session,
            actor="system:vetting",
            action="watchlist.import_failed",
            record_type="watchlist_import",
            record_id=job.id,
            changes={"error": job.error},
        )

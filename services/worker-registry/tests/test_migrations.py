"""The registry's data migrations: what they do to rows written before them."""

import uuid
from pathlib import Path

import sqlalchemy as sa

from fairpath.common.db import Database, UtcDateTime
from fairpath.common.migrations import downgrade, upgrade
from fairpath.common.timeutil import utcnow

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"

# The worker and consent tables as 0005 left them (the columns these rows need).
WORKER_0005 = sa.table(
    "worker",
    sa.column("id", sa.Uuid()),
    sa.column("status", sa.String()),
    sa.column("registered_by", sa.String()),
    sa.column("consents", sa.JSON()),
    sa.column("shares_with_employers", sa.Boolean()),
    sa.column("currently_placed", sa.Boolean()),
    sa.column("rehire_eligible", sa.Boolean()),
    sa.column("created_at", UtcDateTime()),
    sa.column("updated_at", UtcDateTime()),
    sa.column("version", sa.Integer()),
)
CONSENT_RECORD = sa.table(
    "consent_record",
    sa.column("id", sa.Uuid()),
    sa.column("worker_id", sa.Uuid()),
    sa.column("purpose", sa.String()),
    sa.column("granted", sa.Boolean()),
    sa.column("method", sa.String()),
    sa.column("language", sa.String()),
    sa.column("given_at", UtcDateTime()),
    sa.column("recorded_by", sa.String()),
    sa.column("recorded_at", UtcDateTime()),
)


async def test_0006_drops_a_blanket_consent_to_share_to_no_employer_and_keeps_its_history(database_url):
    database = Database(await database_url("registry_0006"))
    try:
        await upgrade(database, MIGRATIONS, revision="0005")
        now, sharing, other = utcnow(), uuid.uuid4(), uuid.uuid4()
        async with database.engine.begin() as connection:
            for worker_id, consents in (
                (sharing, ["registration", "data_sharing_with_employer"]),
                (other, ["registration", "employment_contract"]),
            ):
                await connection.execute(
                    sa.insert(WORKER_0005).values(
                        id=worker_id,
                        status="active",
                        registered_by="user:test",
                        consents=consents,
                        shares_with_employers="data_sharing_with_employer" in consents,
                        currently_placed=False,
                        rehire_eligible=False,
                        created_at=now,
                        updated_at=now,
                        version=3,
                    )
                )
            await connection.execute(
                sa.insert(CONSENT_RECORD).values(
                    id=uuid.uuid4(),
                    worker_id=sharing,
                    purpose="data_sharing_with_employer",
                    granted=True,
                    method="written_signature",
                    language="ne",
                    given_at=now,
                    recorded_by="user:test",
                    recorded_at=now,
                )
            )
        await upgrade(database, MIGRATIONS)
        worker = sa.table("worker", sa.column("id", sa.Uuid()), sa.column("consents", sa.JSON()), sa.column("version"))
        record = sa.table("consent_record", sa.column("worker_id", sa.Uuid()), sa.column("business_id", sa.Uuid()))
        async with database.engine.connect() as connection:
            rows = dict((await connection.execute(sa.select(worker.c.id, worker.c.consents))).all())
            assert rows == {sharing: ["registration"], other: ["registration", "employment_contract"]}
            versions = set((await connection.execute(sa.select(worker.c.version))).scalars())
            assert versions == {3}, "no version is bumped: no event says so"
            assert (
                await connection.execute(sa.select(sa.func.count()).select_from(sa.table("worker_employer_consent")))
            ).scalar() == 0
            history = (await connection.execute(sa.select(record.c.worker_id, record.c.business_id))).all()
            assert history == [(sharing, None)], "the old grant stays in the history, tied to no employer"

        await downgrade(database, MIGRATIONS, revision="0005")
        async with database.engine.connect() as connection:
            shares = (await connection.execute(sa.select(WORKER_0005.c.shares_with_employers))).scalars().all()
            assert shares == [False, False]
    finally:
        await database.dispose()

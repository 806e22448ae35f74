"""Watchlists and their imports: who may keep and read lists, streamed FollowTheMoney and CSV uploads,
bad lines reported by number while the rest load, progress while an upload streams, replacing a list, and
the lines parsed and loaded in a worker process while the service answers."""

import asyncio
import json
import multiprocessing
import uuid

import pytest

from fairpath.common.auth import Role
from fairpath.common.testing import make_principal
from fairpath.common.testing.nats import wait_until
from fairpath.vetting.watchlists.service import BATCH_LINES

from .helpers import register, rescreened
from .test_screening import word

ADMIN = make_principal(Role.admin)
OFFICER = make_principal(Role.compliance_officer)
AUDITOR = make_principal(Role.auditor)


@pytest.fixture
def client(vetting):
    return vetting


def ftm(entity_id: str, name: str, schema: str = "Company", **properties) -> str:
    props = {"name": [name], **{k: v if isinstance(v, list) else [v] for k, v in properties.items()}}
    return json.dumps({"id": entity_id, "schema": schema, "properties": props})


async def new_watchlist(client, minter, kind: str = "sanctions") -> dict:
    r = await client.post(
        "/v1/watchlists",
        json={"name": f"list {uuid.uuid4().hex[:8]}", "kind": kind, "source": "test"},
        headers=minter.headers(ADMIN),
    )
    assert r.status_code == 201, r.text
    return r.json()


async def upload(
    client,
    minter,
    watchlist_id: str,
    body,
    *,
    fmt: str | None = None,
    mode: str | None = None,
    headers: dict | None = None,
) -> dict:
    params = {k: v for k, v in (("format", fmt), ("mode", mode)) if v}
    r = await client.post(
        f"/v1/watchlists/{watchlist_id}/imports",
        params=params,
        content=body,
        headers={**minter.headers(ADMIN), **(headers or {})},
    )
    assert r.status_code == 201, r.text
    return await rescreened(client, minter.headers(ADMIN), r.json())


async def test_admin_creates_a_watchlist_and_a_second_with_the_same_name_is_409(client, minter):
    created = await new_watchlist(client, minter, kind="debarment")
    assert created["kind"] == "debarment" and created["entries"] == 0 and uuid.UUID(created["id"]).version == 7
    again = await client.post(
        "/v1/watchlists", json={"name": created["name"], "kind": "sanctions"}, headers=minter.headers(ADMIN)
    )
    assert again.status_code == 409 and again.json()["existing_id"] == created["id"]


async def test_invalid_watchlist_lists_every_broken_rule(client, minter):
    r = await client.post("/v1/watchlists", json={"name": "", "kind": "rumours"}, headers=minter.headers(ADMIN))
    assert r.status_code == 422
    assert {v["field"] for v in r.json()["violations"]} == {"name", "kind"}


async def test_a_body_that_is_not_json_is_a_422_naming_the_body(client, minter):
    r = await client.post(
        "/v1/watchlists",
        content=b'{"name": "x", "kind": ',
        headers=minter.headers(ADMIN) | {"content-type": "application/json"},
    )
    assert r.status_code == 422
    [violation] = r.json()["violations"]
    assert violation["field"] == "body" and violation["rule"] == "json_invalid"
    assert violation["message"].startswith("the body is not valid JSON") and "character" in violation["message"]


async def test_without_a_principal_watchlists_are_401(client):
    assert (await client.get("/v1/watchlists")).status_code == 401
    assert (await client.post(f"/v1/watchlists/{uuid.uuid4()}/imports", content=b"")).status_code == 401


@pytest.mark.parametrize("role", [Role.agency, Role.employer, Role.worker])
async def test_agencies_employers_and_workers_never_see_watchlists(client, minter, role):
    watchlist = await new_watchlist(client, minter)
    job = await upload(client, minter, watchlist["id"], ftm("hidden-1", "Qarvex Holdings"))
    headers = minter.headers(make_principal(role))
    for path in (
        "/v1/watchlists",
        f"/v1/watchlists/{watchlist['id']}",
        f"/v1/imports/{job['id']}",
        f"/v1/watchlists/{watchlist['id']}/imports",
    ):
        assert (await client.get(path, headers=headers)).status_code == 403, path
    assert (
        await client.post("/v1/watchlists", json={"name": "x", "kind": "blocklist"}, headers=headers)
    ).status_code == 403


@pytest.mark.parametrize("role", [Role.compliance_officer, Role.auditor])
async def test_officers_and_auditors_read_lists_but_only_admins_change_them(client, minter, role):
    watchlist = await new_watchlist(client, minter)
    job = await upload(client, minter, watchlist["id"], ftm("read-1", "Velmora Trading"))
    headers = minter.headers(make_principal(role))
    listed = await client.get("/v1/watchlists", params={"limit": 200}, headers=headers)
    assert listed.status_code == 200
    got = await client.get(f"/v1/watchlists/{watchlist['id']}", headers=headers)
    assert got.status_code == 200 and got.json()["entries"] == 1
    assert (await client.get(f"/v1/imports/{job['id']}", headers=headers)).status_code == 200
    assert (
        await client.post("/v1/watchlists", json={"name": "x", "kind": "blocklist"}, headers=headers)
    ).status_code == 403
    refused = await client.post(
        f"/v1/watchlists/{watchlist['id']}/imports", content=ftm("read-2", "Other"), headers=headers
    )
    assert refused.status_code == 403


async def test_import_into_an_unknown_watchlist_is_404(client, minter):
    r = await client.post(
        f"/v1/watchlists/{uuid.uuid4()}/imports", content=ftm("x-1", "Nobody"), headers=minter.headers(ADMIN)
    )
    assert r.status_code == 404
    assert (await client.get(f"/v1/imports/{uuid.uuid4()}", headers=minter.headers(ADMIN))).status_code == 404


async def test_bad_ftm_lines_are_reported_by_line_number_and_the_rest_load(client, minter):
    watchlist = await new_watchlist(client, minter)
    lines = [
        ftm("ok-1", "Brantley Ostrova Shipping LLC", country="ae", registrationNumber="CN-991"),  # 1
        '{"id": "broken-2", "schema": ',  # 2: not JSON
        ftm("odd-3", "Some Boat", schema="Starship"),  # 3: unknown schema
        json.dumps({"id": "noname-4", "schema": "Company", "properties": {"country": ["ae"]}}),  # 4: no name
        "",  # 5: blank lines are fine
        ftm("ship-6", "MV Ostrova", schema="Vessel"),  # 6: valid, but vessels are not screened
        ftm("ok-1", "Brantley Ostrova Shipping LLC"),  # 7: the same id twice
        ftm("bad id 8", "Spaces In Id Ltd"),  # 8: id not usable in events
        "[1, 2, 3]",  # 9: not an object
        ftm("ok-10", "Mirela Dunavska", schema="Person", nationality="bg"),  # 10
    ]
    job = await upload(client, minter, watchlist["id"], "\n".join(lines) + "\n")
    assert job["status"] == "completed" and job["progress"] == 1.0
    assert (job["loaded"], job["skipped"], job["rejected"]) == (2, 1, 6)
    assert job["lines_read"] == 10
    rejected = {r["line"]: r["reason"] for r in job["rejections"]}
    assert sorted(rejected) == [2, 3, 4, 7, 8, 9]
    assert "not JSON" in rejected[2] and "Starship" in rejected[3] and "no name" in rejected[4]
    assert "twice" in rejected[7] and "line 1" in rejected[7]
    got = await client.get(f"/v1/imports/{job['id']}", headers=minter.headers(ADMIN))
    assert got.json()["rejections"] == job["rejections"]
    listed = await client.get(f"/v1/watchlists/{watchlist['id']}", headers=minter.headers(ADMIN))
    assert listed.json()["entries"] == 2


async def test_csv_upload_loads_aliases_and_reports_bad_records(client, minter):
    watchlist = await new_watchlist(client, minter, kind="blocklist")
    body = (
        "id,name,aliases,country,registration_number\n"
        "B-1,Tervalo Recruiters Pvt Ltd,Tervalo Manpower;Tervallo HR,IN,U74999\n"
        "B-2,,no name here,IN,\n"
        'B-3,"Quoted, Name Sdn Bhd",,MY,\n'
        "B-4,Too,Many,Fields,Here,Really\n"
    )
    job = await upload(client, minter, watchlist["id"], body, headers={"content-type": "text/csv"})
    assert job["format"] == "csv" and (job["loaded"], job["rejected"]) == (2, 2)
    assert [r["line"] for r in job["rejections"]] == [3, 5]


async def test_a_csv_record_whose_quoted_name_holds_a_line_break_loads_and_later_bad_records_keep_their_lines(
    client, minter
):
    a, b = word(), word()
    watchlist = await new_watchlist(client, minter, kind="blocklist")
    body = (
        "id,name,aliases,country,registration_number\r\n"  # 1
        f'Q-1,"{a} {b}\r\nLogistics LLC",,AE,\r\n'  # 2-3: one record, a line break in its quoted name
        "Q-2,Too,Many,Fields,Here,Really\r\n"  # 4: bad
        f'Q-3,"{b} ""Quoted""\nacross\nthree lines Ltd",,AE,\n'  # 5-7: one record
        "Q-4,,no name here,AE,\n"  # 8: bad
        'Q-5,"never closed,AE,\n'  # 9: a quoted field open to the end of the file
        "Q-6,Last Entity Ltd,,AE,\n"  # 10: swallowed by it
    )
    # Sent a few bytes at a time: a record is read across the pieces as across its lines.
    data = body.encode()

    async def pieces():
        for i in range(0, len(data), 7):
            yield data[i : i + 7]

    job = await upload(client, minter, watchlist["id"], pieces(), headers={"content-type": "text/csv"})
    assert job["status"] == "completed", job
    assert (job["loaded"], job["rejected"]) == (2, 3)
    rejected = {r["line"]: r["reason"] for r in job["rejections"]}
    assert sorted(rejected) == [4, 8, 9]
    assert "6 fields" in rejected[4] and "name is empty" in rejected[8] and "not closed" in rejected[9]
    assert job["lines_read"] == 10

    # The entity loaded with its whole name: a business of that name is screened against it.
    officer = minter.headers(OFFICER)
    biz = await register(client, officer, legal_name=f"{a} {b} Logistics LLC")
    screened = await client.post(f"/v1/businesses/{biz['id']}/screenings", headers=officer)
    assert screened.status_code == 201, screened.text
    assert "Q-1" in [h["entity_id"] for h in screened.json()["hits"]]


async def test_csv_without_a_name_column_fails_the_import_with_the_reason(client, minter):
    watchlist = await new_watchlist(client, minter, kind="blocklist")
    job = await upload(client, minter, watchlist["id"], "id,title\n1,x\n", fmt="csv")
    assert job["status"] == "failed" and "name column" in job["error"] and job["loaded"] == 0


async def test_progress_is_visible_while_the_upload_streams(client, minter):
    watchlist = await new_watchlist(client, minter)
    first = "".join(ftm(f"stream-{i}", f"Streamed Entity {i} Ltd") + "\n" for i in range(BATCH_LINES + 10)).encode()
    rest = "".join(ftm(f"stream-late-{i}", f"Late Entity {i} Ltd") + "\n" for i in range(10)).encode()
    seen: dict = {}

    async def running_import():
        r = await client.get(f"/v1/watchlists/{watchlist['id']}/imports", headers=minter.headers(ADMIN))
        items = r.json()["items"]
        if items and items[0]["status"] == "running" and items[0]["lines_read"] >= BATCH_LINES:
            seen.update(items[0])
            return True
        return False

    async def body():
        yield first
        # The server has the first batch; before sending the rest, watch the job from another request.
        await wait_until(running_import, timeout=20, message="the running import's progress")
        yield rest

    r = await client.post(
        f"/v1/watchlists/{watchlist['id']}/imports",
        content=body(),
        headers={**minter.headers(ADMIN), "content-length": str(len(first) + len(rest))},
    )
    assert r.status_code == 201, r.text
    assert seen["loaded"] == BATCH_LINES and 0 < seen["progress"] < 1 and seen["bytes_total"] == len(first) + len(rest)
    done = r.json()
    assert done["status"] == "completed" and done["loaded"] == BATCH_LINES + 20 and done["progress"] == 1.0


async def test_a_replacing_import_removes_delisted_entries_and_keeps_unchanged_ones(client, minter):
    watchlist = await new_watchlist(client, minter)
    first = [ftm("r-1", "Kastoria Freight"), ftm("r-2", "Lumbrano Works"), ftm("r-3", "Pelvadi Agro")]
    await upload(client, minter, watchlist["id"], "\n".join(first))
    second = [ftm("r-1", "Kastoria Freight"), ftm("r-2", "Lumbrano Works", alias="Lumbrano Group")]
    job = await upload(client, minter, watchlist["id"], "\n".join(second))
    assert (job["unchanged"], job["loaded"], job["removed"]) == (1, 1, 1)
    got = await client.get(f"/v1/watchlists/{watchlist['id']}", headers=minter.headers(ADMIN))
    assert got.json()["entries"] == 2
    appended = await upload(client, minter, watchlist["id"], ftm("r-4", "Sorvino Textiles"), mode="append")
    assert (appended["loaded"], appended["removed"]) == (1, 0)
    got = await client.get(f"/v1/watchlists/{watchlist['id']}", headers=minter.headers(ADMIN))
    assert got.json()["entries"] == 3


async def test_a_replacing_upload_with_no_entity_fails_and_keeps_the_list(client, minter):
    watchlist = await new_watchlist(client, minter)
    await upload(client, minter, watchlist["id"], ftm("k-1", "Kept Entity"))
    job = await upload(client, minter, watchlist["id"], "not json\n")
    assert job["status"] == "failed" and "empty the list" in job["error"] and job["removed"] == 0
    assert [r["line"] for r in job["rejections"]] == [1]
    got = await client.get(f"/v1/watchlists/{watchlist['id']}", headers=minter.headers(ADMIN))
    assert got.json()["entries"] == 1


async def test_an_import_is_audited(client, minter):
    watchlist = await new_watchlist(client, minter)
    job = await upload(client, minter, watchlist["id"], ftm("a-1", "Audited Entity"))
    r = await client.get("/v1/audit/vetting/records", params={"record_id": job["id"]}, headers=minter.headers(AUDITOR))
    assert [e["action"] for e in r.json()["items"]] == ["watchlist.import_started", "watchlist.imported"]


async def test_an_import_is_parsed_and_loaded_in_a_worker_process_while_the_service_answers(
    client, minter, vetting_app
):
    watchlist = await new_watchlist(client, minter)
    lines = "".join(ftm(f"apart-{i}", f"{word()} {word()} Holdings") + "\n" for i in range(3))
    pool = vetting_app.state.matching
    with multiprocessing.get_context("spawn").Manager() as manager:
        release = manager.Event()
        # The pool's one worker kept busy: the import's batch has to wait for it.
        holding = asyncio.create_task(pool.run(release.wait, 60))
        loading = asyncio.create_task(
            client.post(f"/v1/watchlists/{watchlist['id']}/imports", content=lines, headers=minter.headers(ADMIN))
        )
        try:
            await wait_until(lambda: pool.in_flight >= 2, timeout=60, message="the import's batch waiting for a worker")
            assert (await client.get("/healthz")).status_code == 200
            jobs = await client.get(f"/v1/watchlists/{watchlist['id']}/imports", headers=minter.headers(ADMIN))
            [job] = jobs.json()["items"]
            assert (job["status"], job["loaded"]) == ("running", 0)
            assert not loading.done()
        finally:
            release.set()
        assert await holding
        loaded = await loading
    assert loaded.status_code == 201, loaded.text
    assert (loaded.json()["status"], loaded.json()["loaded"]) == ("completed", 3)
    await rescreened(client, minter.headers(ADMIN), loaded.json())

"""Screening: name variants found by logic-v2 through candidate retrieval, the threshold, hits resolved by
compliance officers, dismissed hits not raised again unless the entry changes, re-screening on a list change
against the changed entries only (in the background, taken up again when cut short), the unresolved count a
decision waits for, access per role; and screening that never blocks: matching warmed before the service is
ready, run in worker processes off the event loop."""

import asyncio
import json
import multiprocessing
import secrets
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from fairpath.common.auth import Role
from fairpath.common.testing import make_principal
from fairpath.common.testing.nats import wait_until
from fairpath.common.timeutil import utcnow
from fairpath.vetting.app import create_app
from fairpath.vetting.businesses.tables import Business
from fairpath.vetting.config import VettingSettings
from fairpath.vetting.findings.service import findings_of
from fairpath.vetting.screening import flows, matching
from fairpath.vetting.screening.service import confirmed_hits, rescreen_approved, screen_business, unresolved_hit_count
from fairpath.vetting.screening.tables import Screening, ScreeningHit
from fairpath.vetting.watchlists.tables import WatchlistImport

from .helpers import ids_on_every_page, register, rescreened

ADMIN = make_principal(Role.admin)
OFFICER = make_principal(Role.compliance_officer)
AUDITOR = make_principal(Role.auditor)

_LATIN_TO_CYRILLIC = dict(zip("bdklmnprstvzaeiou", "бдклмнпрствзаеиоу", strict=True))


@pytest.fixture
def client(vetting):
    return vetting


def word() -> str:
    """A made-up name word no other test uses, so hits come only from this test's entries."""
    consonants, vowels = "bdklmnprstvz", "aeiou"
    return "".join(secrets.choice(consonants) + secrets.choice(vowels) for _ in range(4)).capitalize()


def cyrillic(text: str) -> str:
    return "".join(_LATIN_TO_CYRILLIC.get(c, c) for c in text.lower())


def ftm(entity_id: str, name: str, schema: str = "Company", **properties) -> str:
    props = {"name": [name], **{k: v if isinstance(v, list) else [v] for k, v in properties.items()}}
    return json.dumps({"id": entity_id, "schema": schema, "properties": props})


async def watchlist_with(client, minter, *lines: str, kind: str = "sanctions") -> tuple[dict, dict]:
    r = await client.post(
        "/v1/watchlists", json={"name": f"list {uuid.uuid4().hex[:8]}", "kind": kind}, headers=minter.headers(ADMIN)
    )
    assert r.status_code == 201, r.text
    watchlist = r.json()
    return watchlist, await load(client, minter, watchlist["id"], *lines)


async def load(client, minter, watchlist_id: str, *lines: str, mode: str = "replace") -> dict:
    r = await client.post(
        f"/v1/watchlists/{watchlist_id}/imports",
        params={"mode": mode},
        content="\n".join(lines) + "\n",
        headers=minter.headers(ADMIN),
    )
    assert r.status_code == 201 and r.json()["status"] == "completed", r.text
    return await rescreened(client, minter.headers(ADMIN), r.json())


async def business(client, minter, legal_name: str, **fields) -> dict:
    return await register(client, minter.headers(OFFICER), legal_name=legal_name, **fields)


async def screen(client, minter, business_id: str) -> dict:
    r = await client.post(f"/v1/businesses/{business_id}/screenings", headers=minter.headers(OFFICER))
    assert r.status_code == 201, r.text
    return r.json()


async def hits(client, minter, business_id: str, status: str | None = None) -> list[dict]:
    params = {"status": status} if status else {}
    r = await client.get(f"/v1/businesses/{business_id}/screening-hits", params=params, headers=minter.headers(AUDITOR))
    assert r.status_code == 200, r.text
    return r.json()["items"]


async def resolve(client, minter, hit_id: str, decision: str, officer=OFFICER):
    return await client.post(
        f"/v1/screening-hits/{hit_id}/resolution",
        json={"decision": decision, "reason": f"{decision} after review"},
        headers=minter.headers(officer),
    )


VARIANTS = {
    # variant: (the business's legal name, the list's spelling of it, the listed entity's schema)
    "transliteration": lambda a, b: (
        f"{a} {b} Construction LLC",
        cyrillic(f"{a} {b}") + " Строительство ООО",
        "Company",
    ),
    # An agency trading under its owner's name, listed as a person family name first.
    "word_order": lambda a, b: (f"{a} {b}", f"{b} {a}", "Person"),
    "legal_form_pvt_ltd": lambda a, b: (f"{a} {b} Construction LLC", f"{a} {b} Construction Pvt Ltd", "Company"),
    "legal_form_sdn_bhd": lambda a, b: (f"{a} {b} Construction LLC", f"{a} {b} Construction Sdn. Bhd.", "Company"),
    "diacritics": lambda a, b: (
        f"{a} {b} Construction LLC",
        f"{a[:-1]}á {b[0]}é{b[2:]} Cönstruction L.L.C.",
        "Organization",
    ),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
async def test_a_listed_name_variant_is_found_with_an_explanation(client, minter, variant):
    a, b = word(), word()
    legal_name, listed_name, schema = VARIANTS[variant](a, b)
    await watchlist_with(client, minter, ftm(f"v-{variant}-{a}", listed_name, schema=schema, country="ae"))
    target = await business(client, minter, legal_name, country="AE")
    screening = await screen(client, minter, target["id"])
    assert [h["entity_id"] for h in screening["hits"]] == [f"v-{variant}-{a}"], (listed_name, screening)
    hit = screening["hits"][0]
    assert hit["status"] == "potential" and 0.7 <= hit["score"] <= 1.0 and hit["watchlist_kind"] == "sanctions"
    assert hit["explanation"]["name_match"]["score"] > 0 and hit["explanation"]["name_match"]["detail"]
    assert 1 <= screening["candidates_scored"] <= 5
    # A reviewer reads the listed entity's name as the list gives it, beside its id on the list.
    assert hit["listed_name"] == listed_name


def two_edits(name_word: str) -> str:
    """The word with two letters changed: logic-v2 still scores it a fuzzy match beside shared words."""
    letters = list(name_word.lower())
    letters[2] = "x"
    letters[5] = "u" if letters[5] != "u" else "o"
    return "".join(letters).capitalize()


# More entries sharing the business's generic word than a screening scores by rarity alone (CANDIDATE_LIMIT),
# loaded before the entry to be found, and one holding the business's distinctive word in another name,
# so that only the retrieval under test can bring the entry in.
DECOYS = 150


def decoys(distinctive: str, generic: str) -> list[str]:
    return [ftm(f"decoy-{distinctive}-{i}", f"{word()} {generic}") for i in range(DECOYS)] + [
        ftm(f"decoy-{distinctive}", f"{distinctive} {word()} Holdings")
    ]


async def test_a_listed_word_spelt_two_edits_away_is_found_among_many_sharing_its_generic_words(client, minter):
    a = word()
    listed = f"fuzzy-{a}"
    await watchlist_with(client, minter, *decoys(a, "Overseas"), ftm(listed, f"{two_edits(a)} Overseas Ltd"))
    target = await business(client, minter, f"{a} Overseas Co. Ltd")
    screening = await screen(client, minter, target["id"])
    assert [h["entity_id"] for h in screening["hits"]] == [listed], screening
    assert "fuzzyMatch" in screening["hits"][0]["explanation"]["name_match"]["detail"]


async def test_a_name_alike_but_for_one_word_is_found_among_many_sharing_its_generic_words(client, minter):
    # logic-v2 scores "X Marine Pvt Ltd" against "Y Marine Pvt Ltd" 0.706: the shared words weigh enough,
    # though neither name holds a word the other has.
    a = word()
    listed = f"skeleton-{a}"
    await watchlist_with(client, minter, *decoys(a, "Marine"), ftm(listed, f"{word()} Marine Pvt Ltd"))
    target = await business(client, minter, f"{a} Marine Pvt Ltd")
    screening = await screen(client, minter, target["id"])
    assert listed in [h["entity_id"] for h in screening["hits"]], screening
    assert all(0.7 <= h["score"] < 0.8 for h in screening["hits"])


async def test_a_business_with_many_long_names_is_screened(client, minter):
    # 21 names of 23 twelve-letter words: their spelling variants alone exceed SQLite's 32,766 parameters.
    a, b = word(), word()
    await watchlist_with(client, minter, ftm(f"long-{a}", f"{a} {b} Holdings"))
    other_names = [" ".join(word() + word()[:4] for _ in range(23)) for _ in range(20)]
    target = await business(client, minter, f"{a} {b} Holdings", other_names=other_names)
    screening = await screen(client, minter, target["id"])
    assert f"long-{a}" in [h["entity_id"] for h in screening["hits"]]


async def test_a_registration_number_match_is_a_hit_whatever_the_name(client, minter):
    number = f"CN-{secrets.randbelow(10**9):09d}"
    await watchlist_with(
        client, minter, ftm(f"reg-{number}", f"{word()} {word()} Holdings", registrationNumber=number.replace("-", " "))
    )
    target = await business(client, minter, f"{word()} {word()} Trading", registration_number=number)
    screening = await screen(client, minter, target["id"])
    assert [h["entity_id"] for h in screening["hits"]] == [f"reg-{number}"]
    assert screening["hits"][0]["explanation"]["identifier_match"]["score"] == 1.0


async def test_an_unrelated_business_raises_no_hit(client, minter):
    await watchlist_with(client, minter, ftm(f"u-{word()}", f"{word()} {word()} Construction LLC"))
    target = await business(client, minter, f"{word()} {word()} Construction LLC")
    screening = await screen(client, minter, target["id"])
    assert screening["hits"] == [] and screening["threshold"] == 0.7


async def test_only_matches_at_or_above_the_threshold_are_hits(client, minter, vetting_app):
    a, b = word(), word()
    exact, weak = f"t-exact-{a}", f"t-weak-{a}"
    await watchlist_with(
        client, minter, ftm(exact, f"{a} {b} Construction LLC"), ftm(weak, f"{a} {b}")
    )  # half the business's name unmatched: about 0.6
    target = await business(client, minter, f"{a} {b} Construction LLC")
    twin = await business(client, minter, f"{a} {b} Construction LLC")
    assert [h["entity_id"] for h in (await screen(client, minter, target["id"]))["hits"]] == [exact]
    async with vetting_app.state.database.session() as session:
        row = await session.get(Business, uuid.UUID(target["id"]))
        lower = await screen_business(session, vetting_app.state.ledger, business=row, actor="test", threshold=0.5)
        assert [h.entity_id for h in lower] == [weak] and 0.5 <= lower[0].score < 0.7
        row = await session.get(Business, uuid.UUID(twin["id"]))
        stricter = await screen_business(session, vetting_app.state.ledger, business=row, actor="test", threshold=0.99)
        assert [h.entity_id for h in stricter] == [exact]


async def test_a_dismissed_hit_is_not_raised_again_until_the_entry_changes(client, minter):
    a, b = word(), word()
    watchlist, _ = await watchlist_with(client, minter, ftm(f"d-{a}", f"{a} {b} Logistics", country="ae"))
    target = await business(client, minter, f"{a} {b} Logistics LLC", country="AE")
    first = (await screen(client, minter, target["id"]))["hits"]
    assert len(first) == 1
    assert (await resolve(client, minter, first[0]["id"], "dismissed")).status_code == 200
    assert (await screen(client, minter, target["id"]))["hits"] == []

    unchanged = await load(client, minter, watchlist["id"], ftm(f"d-{a}", f"{a} {b} Logistics", country="ae"))
    assert (unchanged["unchanged"], unchanged["loaded"], unchanged["new_hits"]) == (1, 0, 0)
    assert (await screen(client, minter, target["id"]))["hits"] == []

    changed = await load(
        client, minter, watchlist["id"], ftm(f"d-{a}", f"{a} {b} Logistics", country="ae", alias=f"{a} Freight")
    )
    assert changed["loaded"] == 1 and changed["new_hits"] >= 1
    by_status = {h["status"]: h for h in await hits(client, minter, target["id"])}
    assert set(by_status) == {"dismissed", "potential"}
    assert by_status["potential"]["entry_content_hash"] != by_status["dismissed"]["entry_content_hash"]
    assert by_status["potential"]["entity_id"] == first[0]["entity_id"]


async def test_a_list_change_rescreens_against_the_changed_entries_only(client, minter, vetting_app):
    x1, x2, y1, y2 = word(), word(), word(), word()
    entry_x, entry_y = ftm(f"c-{x1}", f"{x1} {x2}"), ftm(f"c-{y1}", f"{y1} {y2}")
    biz_x = await business(client, minter, f"{x1} {x2} LLC")
    biz_y = await business(client, minter, f"{y1} {y2} LLC")
    watchlist, first = await watchlist_with(client, minter, entry_x, entry_y)
    # The first load changes every entry: both businesses are screened against it and hit.
    assert first["new_hits"] >= 2
    for biz in (biz_x, biz_y):
        [hit] = await hits(client, minter, biz["id"])
        assert (await resolve(client, minter, hit["id"], "dismissed")).status_code == 200

    second = await load(
        client, minter, watchlist["id"], ftm(f"c-{x1}", f"{x1} {x2}", alias=f"{x1}-{x2} Group"), entry_y
    )
    assert (second["loaded"], second["unchanged"], second["new_hits"]) == (1, 1, 1)
    [potential] = await hits(client, minter, biz_x["id"], status="potential")
    assert potential["entity_id"] == f"c-{x1}"
    assert await hits(client, minter, biz_y["id"], status="potential") == []
    async with vetting_app.state.database.session(read_only=True) as session:
        screenings = (
            (await session.execute(select(Screening).where(Screening.import_id == uuid.UUID(second["id"]))))
            .scalars()
            .all()
        )
        # Only the changed entry was scored, for any business; Y resembles no changed entry.
        assert screenings and all(s.candidates_scored == 1 for s in screenings)
        assert str(biz_y["id"]) not in {str(s.business_id) for s in screenings}
        raised = (
            (
                await session.execute(
                    select(ScreeningHit).where(ScreeningHit.screening_id.in_([s.id for s in screenings]))
                )
            )
            .scalars()
            .all()
        )
        assert [h.entity_id for h in raised] == [f"c-{x1}"]


async def test_a_decision_waits_for_unresolved_hits_and_confirmed_hits_feed_the_risk(client, minter, vetting_app):
    a, b = word(), word()
    await watchlist_with(
        client, minter, ftm(f"n-1-{a}", f"{a} {b} Shipping"), ftm(f"n-2-{a}", f"{a} {b} Shipping Co"), kind="debarment"
    )
    target = await business(client, minter, f"{a} {b} Shipping LLC")
    business_id = uuid.UUID(target["id"])
    raised = (await screen(client, minter, target["id"]))["hits"]
    assert len(raised) == 2

    async def counts() -> tuple[int, list]:
        async with vetting_app.state.database.session(read_only=True) as session:
            return await unresolved_hit_count(session, business_id), await confirmed_hits(session, business_id)

    assert (await counts())[0] == 2
    assert (await resolve(client, minter, raised[0]["id"], "confirmed")).status_code == 200
    unresolved, confirmed = await counts()
    assert unresolved == 1 and [(h.watchlist_kind, h.score, str(h.id)) for h in confirmed] == [
        ("debarment", raised[0]["score"], raised[0]["id"])
    ]
    dismissed = await resolve(client, minter, raised[1]["id"], "dismissed")
    assert dismissed.status_code == 200 and dismissed.json()["resolution_reason"] == "dismissed after review"
    assert (await counts())[0] == 0
    again = await resolve(client, minter, raised[1]["id"], "confirmed")
    assert again.status_code == 409 and again.json()["type"] == "urn:fairpath:problem:hit_resolved"


async def test_a_confirmed_sanctions_match_suspends_an_approved_business_and_is_a_finding(client, minter, vetting_app):
    a, b = word(), word()
    await watchlist_with(client, minter, ftm(f"s-{a}", f"{a} {b} Petroleum"), kind="sanctions")
    target = await business(client, minter, f"{a} {b} Petroleum LLC")
    async with vetting_app.state.database.session() as session:
        await session.execute(
            update(Business)
            .where(Business.id == uuid.UUID(target["id"]))
            .values(status="approved", approval_expires_at=utcnow() + timedelta(days=300))
        )
    [hit] = (await screen(client, minter, target["id"]))["hits"]
    assert (await resolve(client, minter, hit["id"], "confirmed")).status_code == 200
    got = await client.get(f"/v1/businesses/{target['id']}", headers=minter.headers(OFFICER))
    assert got.json()["status"] == "suspended"
    async with vetting_app.state.database.session(read_only=True) as session:
        [finding] = await findings_of(session, uuid.UUID(target["id"]))
    assert (finding.kind, finding.principle, finding.severity, finding.source_ref) == (
        "screening_match",
        "B",
        "critical",
        hit["id"],
    )


async def test_a_business_confirmed_as_a_sanctioned_entity_can_only_be_rejected(client, minter):
    a, b = word(), word()
    await watchlist_with(client, minter, ftm(f"r-{a}", f"{a} {b} Marine"), kind="sanctions")
    target = await business(client, minter, f"{a} {b} Marine LLC")
    [hit] = (await screen(client, minter, target["id"]))["hits"]
    assert (await resolve(client, minter, hit["id"], "confirmed")).status_code == 200
    opened = await client.post(
        f"/v1/businesses/{target['id']}/vetting-cases",
        json={"reason": "initial vetting"},
        headers=minter.headers(OFFICER),
    )
    assert opened.status_code == 201, opened.text
    decide = f"/v1/vetting-cases/{opened.json()['id']}/decision"
    second_officer = minter.headers(make_principal(Role.compliance_officer))
    conditions = {
        "conditions": ["an independent audit"],
        "condition_deadline": (utcnow() + timedelta(days=30)).isoformat(),
    }
    for body in ({"decision": "approved"}, {"decision": "conditionally_approved", **conditions}):
        refused = await client.post(decide, json=body | {"reason": "evidence reviewed"}, headers=second_officer)
        assert refused.status_code == 409, refused.text
        assert refused.json()["type"] == "urn:fairpath:problem:confirmed_sanctions_match"
        assert refused.json()["entity_ids"] == [f"r-{a}"]
    rejected = await client.post(decide, json={"decision": "rejected", "reason": "sanctioned"}, headers=second_officer)
    assert rejected.status_code == 200, rejected.text
    got = await client.get(f"/v1/businesses/{target['id']}", headers=minter.headers(OFFICER))
    assert got.json()["status"] == "rejected"


async def test_each_new_hit_is_announced_without_personal_data(client, minter, vetting_app):
    a, b = word(), word()
    listed_id = f"e-{uuid.uuid4().hex}"
    await watchlist_with(client, minter, ftm(listed_id, f"{b} {a}", schema="Person"), kind="blocklist")
    target = await business(client, minter, f"{a} {b}")  # a sole proprietor, listed by name
    [hit] = (await screen(client, minter, target["id"]))["hits"]
    outbox = vetting_app.state.ledger.outbox
    async with vetting_app.state.database.session(read_only=True) as session:
        bodies = [
            json.loads(row.body)
            for row in (
                await session.execute(select(outbox).where(outbox.c.subject == "vetting.screening.matched"))
            ).all()
        ]
    [event] = [e for e in bodies if e["subject"] == hit["id"]]
    assert event["type"] == "org.fairpath.vetting.screening.matched.v1"
    assert event["data"]["matched_entity_id"] == listed_id and event["data"]["watchlist_kind"] == "blocklist"
    assert a.lower() not in json.dumps(event).lower() and b.lower() not in json.dumps(event).lower()


async def test_approved_businesses_not_screened_lately_are_rescreened(client, minter, vetting_app):
    fresh = await business(client, minter, f"{word()} {word()} Foods")
    stale = await business(client, minter, f"{word()} {word()} Foods")
    async with vetting_app.state.database.session() as session:
        await session.execute(
            update(Business)
            .where(Business.id.in_([uuid.UUID(fresh["id"]), uuid.UUID(stale["id"])]))
            .values(status="approved")
        )
    await screen(client, minter, fresh["id"])
    database, ledger = vetting_app.state.database, vetting_app.state.ledger
    await rescreen_approved(database, ledger, older_than=utcnow() - timedelta(days=30))
    assert await rescreen_approved(database, ledger, older_than=utcnow() - timedelta(days=30)) == 0
    async with database.session(read_only=True) as session:
        rows = (
            await session.execute(
                select(Screening.business_id, Screening.trigger).where(
                    Screening.business_id.in_([uuid.UUID(fresh["id"]), uuid.UUID(stale["id"])])
                )
            )
        ).all()
    assert sorted((str(b), t) for b, t in rows) == sorted([(fresh["id"], "manual"), (stale["id"], "scheduled")])


async def test_the_review_queue_lists_every_business_s_potential_hits_oldest_first(client, minter):
    a, b, c = word(), word(), word()
    await watchlist_with(client, minter, ftm(f"q-{a}", f"{a} {c} Foods"), kind="sanctions")
    await watchlist_with(client, minter, ftm(f"q-{b}", f"{b} {c} Foods"), kind="blocklist")
    first = await business(client, minter, f"{a} {c} Foods LLC")
    second = await business(client, minter, f"{b} {c} Foods LLC")
    [hit_a] = (await screen(client, minter, first["id"]))["hits"]
    [hit_b] = (await screen(client, minter, second["id"]))["hits"]

    async def queue(**params) -> list[str]:
        return await ids_on_every_page(client, "/v1/screening-hits", minter.headers(AUDITOR), **params)

    potential = await queue(status="potential")
    assert potential.index(hit_a["id"]) < potential.index(hit_b["id"])
    assert hit_a["id"] in await queue(status="potential", watchlist_kind="sanctions")
    assert hit_b["id"] not in await queue(status="potential", watchlist_kind="sanctions")
    assert (await resolve(client, minter, hit_a["id"], "dismissed")).status_code == 200
    assert hit_a["id"] not in await queue(status="potential")
    as_agency = await client.get("/v1/screening-hits", headers=minter.headers(make_principal(Role.agency)))
    assert as_agency.status_code == 403
    bad = await client.get("/v1/screening-hits", params={"watchlist_kind": "rumours"}, headers=minter.headers(AUDITOR))
    assert bad.status_code == 422 and bad.json()["violations"][0]["field"] == "watchlist_kind"


async def test_screening_an_unknown_business_or_resolving_an_unknown_hit_is_404(client, minter):
    assert (
        await client.post(f"/v1/businesses/{uuid.uuid4()}/screenings", headers=minter.headers(OFFICER))
    ).status_code == 404
    assert (await resolve(client, minter, str(uuid.uuid4()), "dismissed")).status_code == 404
    assert (await client.get(f"/v1/screening-hits/{uuid.uuid4()}", headers=minter.headers(AUDITOR))).status_code == 404


async def test_a_resolution_needs_a_decision_and_a_reason(client, minter):
    r = await client.post(
        f"/v1/screening-hits/{uuid.uuid4()}/resolution", json={"decision": "maybe"}, headers=minter.headers(OFFICER)
    )
    assert r.status_code == 422 and {v["field"] for v in r.json()["violations"]} == {"decision", "reason"}


@pytest.mark.parametrize("role", [Role.agency, Role.employer, Role.worker])
async def test_agencies_employers_and_workers_may_not_screen_or_see_hits(client, minter, role):
    a, b = word(), word()
    await watchlist_with(client, minter, ftm(f"r-{a}", f"{a} {b} Tiles"))
    principal = make_principal(role)
    linked = {"organization_id": str(principal.organization_id)} if principal.organization_id else {}
    own = await register(client, minter.headers(OFFICER), legal_name=f"{a} {b} Tiles", **linked)
    [hit] = (await screen(client, minter, own["id"]))["hits"]
    headers = minter.headers(principal)
    assert (await client.post(f"/v1/businesses/{own['id']}/screenings", headers=headers)).status_code == 403
    assert (await client.get(f"/v1/businesses/{own['id']}/screening-hits", headers=headers)).status_code == 403
    assert (await client.get(f"/v1/screening-hits/{hit['id']}", headers=headers)).status_code == 403
    assert (await resolve(client, minter, hit["id"], "dismissed", officer=principal)).status_code == 403


@pytest.mark.parametrize("role", [Role.admin, Role.auditor])
async def test_admins_and_auditors_read_hits_but_only_compliance_officers_screen_and_resolve(client, minter, role):
    a, b = word(), word()
    await watchlist_with(client, minter, ftm(f"o-{a}", f"{a} {b} Marine"))
    target = await business(client, minter, f"{a} {b} Marine")
    [hit] = (await screen(client, minter, target["id"]))["hits"]
    headers = minter.headers(make_principal(role))
    assert (await client.get(f"/v1/screening-hits/{hit['id']}", headers=headers)).json()["id"] == hit["id"]
    assert (
        len((await client.get(f"/v1/businesses/{target['id']}/screening-hits", headers=headers)).json()["items"]) == 1
    )
    assert (await client.post(f"/v1/businesses/{target['id']}/screenings", headers=headers)).status_code == 403
    assert (await resolve(client, minter, hit["id"], "dismissed", officer=make_principal(role))).status_code == 403


async def test_a_screening_is_matched_in_a_worker_process_while_the_service_answers(client, minter, vetting_app):
    a, b = word(), word()
    await watchlist_with(client, minter, ftm(f"loop-{a}", f"{a} {b} Textiles"))
    target = await business(client, minter, f"{a} {b} Textiles LLC")
    pool = vetting_app.state.matching
    with multiprocessing.get_context("spawn").Manager() as manager:
        release = manager.Event()
        # The pool's one worker kept busy: the screening's matching has to wait for it.
        holding = asyncio.create_task(pool.run(release.wait, 60))
        screening = asyncio.create_task(screen(client, minter, target["id"]))
        try:
            await wait_until(lambda: pool.in_flight >= 2, timeout=60, message="the screening waiting for a worker")
            # Meanwhile the service answers, and a write goes through: the waiting holds no write lock.
            assert (await client.get("/healthz")).status_code == 200
            await business(client, minter, f"{word()} {word()} Foods")
            assert not screening.done()
        finally:
            release.set()
        assert await holding
        assert [h["entity_id"] for h in (await screening)["hits"]] == [f"loop-{a}"]


async def test_an_import_answers_once_the_list_is_loaded_and_rescreens_in_the_background(client, minter, monkeypatch):
    a, b = word(), word()
    target = await business(client, minter, f"{a} {b} Garments LLC")
    gate = asyncio.Event()
    rescreen = flows.rescreen_after_list_change

    async def gated(*args, **kwargs):
        await gate.wait()
        return await rescreen(*args, **kwargs)

    monkeypatch.setattr(flows, "rescreen_after_list_change", gated)
    r = await client.post(
        "/v1/watchlists",
        json={"name": f"list {uuid.uuid4().hex[:8]}", "kind": "sanctions"},
        headers=minter.headers(ADMIN),
    )
    try:
        loaded = await asyncio.wait_for(
            client.post(
                f"/v1/watchlists/{r.json()['id']}/imports",
                content=ftm(f"bg-{a}", f"{a} {b} Garments") + "\n",
                headers=minter.headers(ADMIN),
            ),
            timeout=30,
        )
        assert loaded.status_code == 201, loaded.text
        job = loaded.json()
        assert (job["status"], job["loaded"], job["new_hits"]) == ("completed", 1, 0)
        assert job["rescreening"] in ("pending", "running")
        # Requests meanwhile are answered; the business has no hit yet.
        assert await hits(client, minter, target["id"]) == []
    finally:
        gate.set()
    done = await rescreened(client, minter.headers(ADMIN), job)
    assert done["rescreening"] == "completed" and done["rescreened_businesses"] >= 1 and done["new_hits"] >= 1
    assert [h["entity_id"] for h in await hits(client, minter, target["id"])] == [f"bg-{a}"]


async def test_a_rescreening_cut_short_is_taken_up_again_where_it_stopped(client, minter, vetting_app):
    x1, x2, y1, y2 = word(), word(), word(), word()
    biz_x = await business(client, minter, f"{x1} {x2} Agro LLC")
    _, job = await watchlist_with(
        client, minter, ftm(f"cut-{x1}", f"{x1} {x2} Agro"), ftm(f"cut-{y1}", f"{y1} {y2} Agro")
    )
    assert job["rescreening"] == "completed" and job["new_hits"] >= 1
    # A business the re-screening had not reached, and the job as a process that stopped mid-way leaves it.
    biz_y = await business(client, minter, f"{y1} {y2} Agro LLC")
    database, ledger = vetting_app.state.database, vetting_app.state.ledger
    import_id = uuid.UUID(job["id"])
    async with database.session() as session:
        await session.execute(
            update(WatchlistImport)
            .where(WatchlistImport.id == import_id)
            .values(rescreening="running", updated_at=utcnow() - timedelta(hours=1))
        )
    assert await flows.resume_stalled_rescreenings(database, ledger, threshold=0.7) == 1
    assert await flows.resume_stalled_rescreenings(database, ledger, threshold=0.7) == 0
    async with database.session(read_only=True) as session:
        screened = (await session.execute(select(Screening.business_id).where(Screening.import_id == import_id))).all()
    # Y screened now; X, screened before the stop, not again.
    mine = sorted(str(b) for (b,) in screened if str(b) in (biz_x["id"], biz_y["id"]))
    assert mine == sorted([biz_x["id"], biz_y["id"]])
    assert [h["entity_id"] for h in await hits(client, minter, biz_y["id"])] == [f"cut-{y1}"]
    after = (await client.get(f"/v1/imports/{job['id']}", headers=minter.headers(ADMIN))).json()
    assert after["rescreening"] == "completed" and after["new_hits"] == job["new_hits"] + 1
    assert after["rescreened_businesses"] == job["rescreened_businesses"] + 1


async def test_matching_workers_are_warm_when_the_service_is_ready_unless_told_not_to(database_url, common_settings):
    for warm in (True, False):
        settings = VettingSettings(
            database_url=await database_url(f"vetting_warm_{warm}"),
            common=common_settings,
            events_enabled=False,
            warm_matching=warm,
        )
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            # Startup is over: the service would now answer /readyz.
            assert await app.state.matching.run(matching.is_warm) is warm

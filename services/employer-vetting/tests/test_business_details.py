"""Changing a business, its recruitment chain, its licences and the register, its self-assessment."""

import json
import uuid

from sqlalchemy import select

from fairpath.common.auth import Role
from fairpath.common.testing import make_principal
from fairpath.vetting.findings.service import findings_of

from .helpers import register


async def test_owner_changes_details_and_each_change_is_a_new_version(vetting, minter):
    agency = minter.headers(make_principal(Role.agency))
    created = await register(vetting, agency)
    r = await vetting.patch(
        f"/v1/businesses/{created['id']}", json={"sector": "f", "other_names": ["GHC"]}, headers=agency
    )
    assert r.status_code == 200, r.text
    assert (r.json()["sector"], r.json()["other_names"], r.json()["version"]) == ("F", ["GHC"], 2)
    same = await vetting.patch(f"/v1/businesses/{created['id']}", json={"sector": "F"}, headers=agency)
    assert same.json()["version"] == 2  # nothing changed, no new version


async def test_patch_refuses_removing_the_legal_name_and_unknown_fields(vetting, minter):
    agency = minter.headers(make_principal(Role.agency))
    created = await register(vetting, agency)
    r = await vetting.patch(
        f"/v1/businesses/{created['id']}", json={"legal_name": None, "country": "QA"}, headers=agency
    )
    assert r.status_code == 422
    fields = {v["field"] for v in r.json()["violations"]}
    assert "country" in fields


async def test_stranger_cannot_change_a_business_and_auditor_may_only_read(vetting, minter):
    created = await register(vetting, minter.headers(make_principal(Role.agency)))
    stranger = await vetting.patch(
        f"/v1/businesses/{created['id']}", json={"sector": "A"}, headers=minter.headers(make_principal(Role.agency))
    )
    assert stranger.status_code == 404
    auditor = await vetting.patch(
        f"/v1/businesses/{created['id']}", json={"sector": "A"}, headers=minter.headers(make_principal(Role.auditor))
    )
    assert auditor.status_code == 403


async def test_recruitment_chain_names_agencies_and_sub_agents(vetting, minter):
    agency = minter.headers(make_principal(Role.agency))
    employer = await register(vetting, agency)
    destination = await register(vetting, agency, kind="recruitment_agency", country="AE")
    origin = await register(vetting, agency, kind="recruitment_agency", country="NP")
    first = await vetting.post(
        f"/v1/businesses/{employer['id']}/recruiters", json={"agency_id": destination["id"]}, headers=agency
    )
    second = await vetting.post(
        f"/v1/businesses/{employer['id']}/recruiters",
        json={"agency_id": origin["id"], "sub_agent_of": destination["id"]},
        headers=agency,
    )
    assert first.status_code == second.status_code == 201
    chain = (await vetting.get(f"/v1/businesses/{employer['id']}/recruiters", headers=agency)).json()
    assert [(c["agency_id"], c["sub_agent_of"]) for c in chain] == [
        (destination["id"], None),
        (origin["id"], destination["id"]),
    ]
    again = await vetting.post(
        f"/v1/businesses/{employer['id']}/recruiters", json={"agency_id": origin["id"]}, headers=agency
    )
    assert again.status_code == 409
    not_agency = await vetting.post(
        f"/v1/businesses/{employer['id']}/recruiters", json={"agency_id": employer["id"]}, headers=agency
    )
    assert not_agency.status_code == 422 and not_agency.json()["violations"][0]["rule"] == "recruitment_agency"


async def business_events(app, business_id: str) -> list[dict]:
    outbox = app.state.ledger.outbox
    async with app.state.database.session(read_only=True) as s:
        bodies = (await s.execute(select(outbox.c.body).order_by(outbox.c.id))).scalars().all()
    return [e for e in map(json.loads, bodies) if e["subject"] == business_id]


async def test_naming_a_recruiter_is_a_new_version_of_the_employer_published_with_its_recruiters(
    vetting, vetting_app, minter
):
    agency = minter.headers(make_principal(Role.agency))
    employer = await register(vetting, agency)
    destination = await register(vetting, agency, kind="recruitment_agency", country="AE")
    origin = await register(vetting, agency, kind="recruitment_agency", country="NP")
    for body in ({"agency_id": destination["id"]}, {"agency_id": origin["id"], "sub_agent_of": destination["id"]}):
        r = await vetting.post(f"/v1/businesses/{employer['id']}/recruiters", json=body, headers=agency)
        assert r.status_code == 201, r.text

    events = await business_events(vetting_app, employer["id"])
    assert [(e["type"].split(".")[-2], e["data"]["version"], e["data"]["recruiter_ids"]) for e in events] == [
        ("registered", 1, []),
        ("updated", 2, [destination["id"]]),
        ("updated", 3, [destination["id"], origin["id"]]),
    ]
    assert [e["data"].get("changed_fields") for e in events[1:]] == [["recruiter_ids"], ["recruiter_ids"]]
    current = (await vetting.get(f"/v1/businesses/{employer['id']}", headers=agency)).json()
    assert current["version"] == 3
    # Every later state of the employer still carries its recruiters; an agency's never names any.
    await vetting.patch(f"/v1/businesses/{employer['id']}", json={"sector": "F"}, headers=agency)
    latest = (await business_events(vetting_app, employer["id"]))[-1]["data"]
    assert (latest["version"], latest["recruiter_ids"]) == (4, [destination["id"], origin["id"]])
    assert all(e["data"]["recruiter_ids"] == [] for e in await business_events(vetting_app, destination["id"]))
    actions = [
        e["action"]
        for e in (await vetting.get(f"/v1/businesses/{employer['id']}/history", headers=agency)).json()["items"]
    ]
    assert actions.count("business.recruiter_added") == 2 and actions.count("business.recruiters_changed") == 2


def _without(body: dict, record_id: str) -> dict:
    return json.loads(json.dumps(body).replace(record_id, "<id>"))


async def test_a_recruiter_outside_the_callers_reach_is_answered_as_an_unknown_id(vetting, vetting_app, minter):
    mine, theirs = minter.headers(make_principal(Role.agency)), minter.headers(make_principal(Role.agency))
    employer = await register(vetting, mine)
    own_agency = await register(vetting, mine, kind="recruitment_agency", country="NP")
    their_agency = await register(vetting, theirs, kind="recruitment_agency", country="NP")
    their_employer = await register(vetting, theirs)
    path = f"/v1/businesses/{employer['id']}/recruiters"

    async def named(body: dict, where: str = path):
        r = await vetting.post(where, json=body, headers=mine)
        return r.status_code, r.json()

    for field, base in (("agency_id", {}), ("sub_agent_of", {"agency_id": own_agency["id"]})):
        random_id = str(uuid.uuid4())
        real_status, real = await named(base | {field: their_agency["id"]})
        random_status, unknown = await named(base | {field: random_id})
        assert real_status == random_status == 404, field
        assert _without(real, their_agency["id"]) == _without(unknown, random_id), field
    random_id = str(uuid.uuid4())
    real_status, real = await named(
        {"agency_id": own_agency["id"]}, f"/v1/businesses/{their_employer['id']}/recruiters"
    )
    random_status, unknown = await named({"agency_id": own_agency["id"]}, f"/v1/businesses/{random_id}/recruiters")
    assert real_status == random_status == 404
    assert _without(real, their_employer["id"]) == _without(unknown, random_id)
    # Nothing was linked, and the employer is still at its first version.
    assert (await vetting.get(path, headers=mine)).json() == []
    assert [e["data"]["version"] for e in await business_events(vetting_app, employer["id"])] == [1]


async def test_both_ends_of_a_recruitment_link_read_each_others_record_and_nothing_behind_it(vetting, minter):
    agency_org, employer_org = uuid.uuid4(), uuid.uuid4()
    agency_setup = minter.headers(make_principal(Role.agency, organization_id=agency_org))
    employer_setup = minter.headers(make_principal(Role.employer, organization_id=employer_org))
    agency_biz = await register(vetting, agency_setup, kind="recruitment_agency", country="NP")
    employer_biz = await register(vetting, employer_setup)
    agency = minter.headers(
        make_principal(Role.agency, organization_id=agency_org, business_id=uuid.UUID(agency_biz["id"]))
    )
    employer = minter.headers(
        make_principal(Role.employer, organization_id=employer_org, business_id=uuid.UUID(employer_biz["id"]))
    )
    stranger = minter.headers(make_principal(Role.agency))
    # Before any link, each is to the other what a random id is.
    assert (await vetting.get(f"/v1/businesses/{employer_biz['id']}", headers=agency)).status_code == 404
    officer = minter.headers(make_principal(Role.compliance_officer))
    r = await vetting.post(
        f"/v1/businesses/{employer_biz['id']}/recruiters", json={"agency_id": agency_biz["id"]}, headers=officer
    )
    assert r.status_code == 201, r.text

    seen = await vetting.get(f"/v1/businesses/{employer_biz['id']}", headers=agency)
    assert seen.status_code == 200 and seen.json()["status"] == employer_biz["status"]
    assert (await vetting.get(f"/v1/businesses/{agency_biz['id']}", headers=employer)).status_code == 200
    listed = await vetting.get("/v1/businesses", headers=agency)
    assert {b["id"] for b in listed.json()["items"]} == {agency_biz["id"], employer_biz["id"]}
    # The record, never what hangs off it, and never a change.
    for path in ("licences", "history", "recruiters"):
        behind = await vetting.get(f"/v1/businesses/{employer_biz['id']}/{path}", headers=agency)
        assert behind.status_code in (404, 405), (path, behind.status_code)
    change = await vetting.patch(f"/v1/businesses/{employer_biz['id']}", json={"sector": "A"}, headers=agency)
    assert change.status_code == 404
    assert (await vetting.get(f"/v1/businesses/{employer_biz['id']}", headers=stranger)).status_code == 404
    assert [b["id"] for b in (await vetting.get("/v1/businesses", headers=stranger)).json()["items"]] == []


def licence(**overrides):
    return {
        "number": f"LIC-{uuid.uuid4().hex[:8]}",
        "authority": "Department of Foreign Employment",
        "country": "NP",
        "valid_from": "2025-01-01",
        "valid_until": "2030-12-31",
    } | overrides


async def test_licence_is_recorded_and_its_period_checked(vetting, minter):
    agency = minter.headers(make_principal(Role.agency))
    biz = await register(vetting, agency, kind="recruitment_agency", country="NP")
    r = await vetting.post(f"/v1/businesses/{biz['id']}/licences", json=licence(), headers=agency)
    assert r.status_code == 201 and r.json()["register_status"] == "unverified"
    bad = await vetting.post(
        f"/v1/businesses/{biz['id']}/licences",
        json=licence(valid_from="2026-01-01", valid_until="2025-01-01"),
        headers=agency,
    )
    assert bad.status_code == 422 and bad.json()["violations"][0]["rule"] == "valid_period"


async def test_register_import_verifies_licences_reports_bad_lines_and_raises_findings(vetting, vetting_app, minter):
    agency = minter.headers(make_principal(Role.agency))
    listed_biz = await register(vetting, agency, kind="recruitment_agency", country="BD")
    unlisted_biz = await register(vetting, agency, kind="recruitment_agency", country="BD")
    listed = licence(country="BD", number="RL-0001-" + uuid.uuid4().hex[:4])
    await vetting.post(f"/v1/businesses/{listed_biz['id']}/licences", json=listed, headers=agency)
    await vetting.post(f"/v1/businesses/{unlisted_biz['id']}/licences", json=licence(country="BD"), headers=agency)
    csv = (
        "number,authority,holder_name,valid_from,valid_until\n"
        f"{listed['number'].lower()},BMET,Listed Agency,2025-01-01,2030-12-31\n"
        ",BMET,No Number,2025-01-01,2030-12-31\n"
        "RL-9,BMET,Bad Date,2025-13-01,2030-12-31\n"
    )
    admin = minter.headers(make_principal(Role.admin))
    r = await vetting.post(
        "/v1/licence-registers", data={"country": "BD"}, files={"file": ("register.csv", csv)}, headers=admin
    )
    assert r.status_code == 200, r.text
    result = r.json()
    assert result["loaded"] == 1 and [x["line"] for x in result["rejected"]] == [3, 4]
    assert result["licences_verified"] >= 1 and result["licences_not_found"] >= 1
    listed_state = (await vetting.get(f"/v1/businesses/{listed_biz['id']}/licences", headers=agency)).json()
    unlisted_state = (await vetting.get(f"/v1/businesses/{unlisted_biz['id']}/licences", headers=agency)).json()
    assert listed_state[0]["register_status"] == "verified" and unlisted_state[0]["register_status"] == "not_found"
    async with vetting_app.state.database.session(read_only=True) as s:
        kinds = [f.kind for f in await findings_of(s, uuid.UUID(unlisted_biz["id"]))]
    assert kinds == ["licence_not_in_register"]
    assert (
        await vetting.post(
            "/v1/licence-registers", data={"country": "BD"}, files={"file": ("r.csv", csv)}, headers=agency
        )
    ).status_code == 403


async def test_a_register_record_whose_quoted_field_holds_a_line_break_loads_and_bad_records_keep_their_lines(
    vetting, minter
):
    agency = minter.headers(make_principal(Role.agency))
    biz = await register(vetting, agency, kind="recruitment_agency", country="LK")
    number = "SLBFE-" + uuid.uuid4().hex[:6]
    r = await vetting.post(
        f"/v1/businesses/{biz['id']}/licences", json=licence(country="LK", number=number), headers=agency
    )
    assert r.status_code == 201, r.text
    csv = (
        "number,authority,holder_name,valid_from,valid_until\n"  # 1
        f'{number},SLBFE,"Listed Agency\nColombo Branch",2025-01-01,2030-12-31\n'  # 2-3: one record
        ",SLBFE,No Number,2025-01-01,2030-12-31\n"  # 4
        'RL-5,SLBFE,"Bad\u0000Name",2025-01-01,2030-12-31\n'  # 5: a control character
        "RL-6,SLBFE,Too Early,1850-01-01,2030-12-31\n"  # 6
        "RL-7,SLBFE,Backwards,2025-01-01,2024-01-01\n"  # 7
        f'"{number.lower()}","SLBFE\nagain",Repeated,2025-01-01,2030-12-31\n'  # 8-9: the same number again
        "RL-10,SLBFE,Fine,2025-01-01,2030-12-31\n"  # 10
    )
    r = await vetting.post(
        "/v1/licence-registers",
        data={"country": "LK"},
        files={"file": ("register.csv", csv.encode())},
        headers=minter.headers(make_principal(Role.admin)),
    )
    assert r.status_code == 200, r.text
    result = r.json()
    assert (result["loaded"], result["rejected_total"]) == (2, 5)
    rejected = {x["line"]: x["reason"] for x in result["rejected"]}
    assert sorted(rejected) == [4, 5, 6, 7, 8]
    assert "holder_name" in rejected[5] and "control characters" in rejected[5]
    assert "valid_from" in rejected[6] and "valid_until" in rejected[7] and "twice" in rejected[8]
    got = (await vetting.get(f"/v1/businesses/{biz['id']}/licences", headers=agency)).json()
    assert got[0]["register_status"] == "verified"


async def test_register_without_the_expected_columns_is_422(vetting, minter):
    r = await vetting.post(
        "/v1/licence-registers",
        data={"country": "NP"},
        files={"file": ("r.csv", "a,b\n1,2\n")},
        headers=minter.headers(make_principal(Role.admin)),
    )
    assert r.status_code == 422 and r.json()["violations"][0]["rule"] == "csv_columns"


async def test_self_assessment_must_answer_every_question_and_non_compliance_is_a_finding(vetting, vetting_app, minter):
    agency = minter.headers(make_principal(Role.agency))
    biz = await register(vetting, agency, kind="recruitment_agency", country="NP")
    questions = (await vetting.get("/v1/assessment-questions", headers=agency)).json()
    assert "not IOM's IRIS audit tool" in questions["label"]
    ids = [q["id"] for q in questions["questions"]]
    assert {q["principle"] for q in questions["questions"]} == set("ABCDEFG")

    partial = await vetting.post(
        f"/v1/businesses/{biz['id']}/assessments",
        json={"answers": [{"question_id": "A1", "answer": "compliant"}, {"question_id": "Z9", "answer": "compliant"}]},
        headers=agency,
    )
    assert partial.status_code == 422
    rules = {v["rule"] for v in partial.json()["violations"]}
    assert rules == {"unknown_question", "unanswered_question"}

    answers = [{"question_id": q, "answer": "non_compliant" if q in ("C1", "D1") else "compliant"} for q in ids]
    r = await vetting.post(f"/v1/businesses/{biz['id']}/assessments", json={"answers": answers}, headers=agency)
    assert r.status_code == 201 and r.json()["findings"] == 2
    async with vetting_app.state.database.session(read_only=True) as s:
        found = await findings_of(s, uuid.UUID(biz["id"]))
    assert sorted((f.kind, f.principle) for f in found) == [
        ("self_assessment_non_compliant", "C"),
        ("self_assessment_non_compliant", "D"),
    ]


async def test_a_business_reads_back_what_it_answered_before_the_latest_first(vetting, minter):
    agency = minter.headers(make_principal(Role.agency))
    biz = await register(vetting, agency, kind="recruitment_agency", country="NP")
    ids = [q["id"] for q in (await vetting.get("/v1/assessment-questions", headers=agency)).json()["questions"]]
    first = [{"question_id": q, "answer": "non_compliant" if q == "C1" else "compliant"} for q in ids]
    second = [{"question_id": q, "answer": "compliant", "evidence": "policy v2" if q == "C1" else None} for q in ids]
    for answers in (first, second):
        sent = await vetting.post(f"/v1/businesses/{biz['id']}/assessments", json={"answers": answers}, headers=agency)
        assert sent.status_code == 201, sent.text

    listed = await vetting.get(f"/v1/businesses/{biz['id']}/assessments", params={"limit": 1}, headers=agency)
    assert listed.status_code == 200
    [latest] = listed.json()["items"]
    assert {a["question_id"]: (a["answer"], a["evidence"]) for a in latest["answers"]}["C1"] == (
        "compliant",
        "policy v2",
    )
    assert latest["findings"] == 0
    older = await vetting.get(
        f"/v1/businesses/{biz['id']}/assessments",
        params={"cursor": listed.json()["next_cursor"]},
        headers=agency,
    )
    [earlier] = older.json()["items"]
    assert (earlier["findings"], older.json()["next_cursor"]) == (1, None)
    auditor = minter.headers(make_principal(Role.auditor))
    assert (await vetting.get(f"/v1/businesses/{biz['id']}/assessments", headers=auditor)).status_code == 200
    # Another agency's self-assessments are answered as a random business's: not found.
    stranger = minter.headers(make_principal(Role.agency))
    assert (await vetting.get(f"/v1/businesses/{biz['id']}/assessments", headers=stranger)).status_code == 404
    worker = minter.headers(make_principal(Role.worker))
    assert (await vetting.get(f"/v1/businesses/{biz['id']}/assessments", headers=worker)).status_code == 403


async def test_country_risk_table_is_the_admins_and_refuses_duplicates(vetting, minter):
    admin = minter.headers(make_principal(Role.admin))
    table = {
        "rows": [
            {"country": "QA", "points": 20, "source": "operator review", "as_of": "2026-01-01"},
            {"country": "QA", "sector": "F", "points": 30, "source": "operator review", "as_of": "2026-01-01"},
        ]
    }
    assert (await vetting.put("/v1/reference/country-risk", json=table, headers=admin)).status_code == 200
    assert (await vetting.get("/v1/reference/country-risk", headers=admin)).json() == {
        "rows": [table["rows"][0] | {"sector": None}, table["rows"][1]]
    }
    dup = await vetting.put("/v1/reference/country-risk", json={"rows": table["rows"][:1] * 2}, headers=admin)
    assert dup.status_code == 422
    assert (
        await vetting.put(
            "/v1/reference/country-risk", json=table, headers=minter.headers(make_principal(Role.compliance_officer))
        )
    ).status_code == 403


async def test_history_lists_the_business_and_its_records(vetting, minter):
    agency = minter.headers(make_principal(Role.agency))
    biz = await register(vetting, agency, kind="recruitment_agency", country="NP")
    await vetting.post(f"/v1/businesses/{biz['id']}/licences", json=licence(), headers=agency)
    await vetting.patch(f"/v1/businesses/{biz['id']}", json={"sector": "N"}, headers=agency)
    history = (await vetting.get(f"/v1/businesses/{biz['id']}/history", headers=agency)).json()
    assert [e["action"] for e in history["items"]] == ["business.registered", "licence.added", "business.updated"]

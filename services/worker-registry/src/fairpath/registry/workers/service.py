"""Registering, changing, reading and finding workers; consent per purpose; who may see what.

Access (design.md, "What each role sees of a worker"): the registering agency owns a worker and, like the worker
themself and a compliance officer, sees the full record; an employer sees a profile without identity (birth year,
nationality, languages, skills, consents), and only of an active worker who consented to share it with that
employer (`data_sharing_with_employer` given for its business) or who holds a contract with it; an auditor (and
an admin) sees the worker pseudonymously (id, nationality, birth year, consents, placement facts). Every read by
anyone but the owning agency or the worker goes to the audit chain. A worker outside the caller's reach is
answered exactly as an id that does not exist.
"""

import uuid
from collections.abc import Sequence
from datetime import date
from functools import partial

from pydantic_core import PydanticCustomError
from sqlalchemy import ColumnElement, and_, delete, exists, false, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import make_transient_to_detached

from fairpath.common.auth import READ_ALL_ROLES, Principal, Role
from fairpath.common.domain_codes import BusinessKind, ConsentPurpose
from fairpath.common.errors import Conflict, Forbidden, NotFound, RuleViolations, Violation
from fairpath.common.events.catalogue import WorkerConsentChanged, WorkerRegistered, WorkerUpdated
from fairpath.common.ids import uuid7
from fairpath.common.ledger import Ledger
from fairpath.common.occupations import occupation as isco_occupation
from fairpath.common.text import check_date
from fairpath.common.timeutil import utcnow
from fairpath.registry.businesses.service import BusinessReach, unknown_businesses
from fairpath.registry.crypto import FieldCipher
from fairpath.registry.reference.service import minimum_age_for
from fairpath.registry.workers.schemas import (
    PROFICIENCY_RANK,
    SKILL_RANK,
    WORKER_SELF_SERVICE_FIELDS,
    ConsentChange,
    ConsentGiven,
    ConsentMethod,
    ConsentPublic,
    ConsentState,
    IdentityDocument,
    IdentityDocumentPublic,
    LanguageSkill,
    Proficiency,
    Skill,
    SkillLevel,
    SkillPublic,
    View,
    WorkerCreate,
    WorkerPublic,
    WorkerStatus,
    WorkerUpdate,
)
from fairpath.registry.workers.tables import (
    ConsentRecord,
    Placement,
    Worker,
    WorkerEmployerConsent,
    WorkerLanguage,
    WorkerRecruiterConsent,
    WorkerSkill,
)

SEALED_FIELDS = ("full_name", "date_of_birth", "document_number", "phone")

# The purposes given to one business at a time: the table of the businesses each is in force for, its column
# naming the business, and the kind of business it may name (None: an agency or an employer).
PER_BUSINESS: dict[
    ConsentPurpose, tuple[type[WorkerEmployerConsent | WorkerRecruiterConsent], str, BusinessKind | None]
] = {
    ConsentPurpose.data_sharing_with_employer: (WorkerEmployerConsent, "employer_id", BusinessKind.employer),
    ConsentPurpose.considered_by_recruiter: (WorkerRecruiterConsent, "recruiter_id", None),
}


# --- problems ------------------------------------------------------------------------------


class ErasedWorker(Conflict):
    name = "worker_erased"
    description = "the worker's personal data was erased; the record is closed"


class DuplicateWorker(Conflict):
    name = "duplicate"
    description = "the identity document is registered already, to a worker the caller may read (`existing_id`)"


class AlreadyRegistered(Conflict):
    name = "already_registered"
    description = "the identity document is registered already, to a worker outside the caller's reach"


# --- access --------------------------------------------------------------------------------


def is_owner(principal: Principal, worker: Worker) -> bool:
    """The agency that registered the worker, or the worker themself."""
    if principal.role == Role.worker:
        return principal.worker_id == worker.id
    return (
        principal.role == Role.agency
        and principal.organization_id is not None
        and principal.organization_id == worker.agency_organization_id
    )


def view_of(principal: Principal, worker: Worker, *, linked_employer: bool = False) -> View | None:
    """How much of this worker the caller may see; None: the worker is outside their reach.

    `linked_employer`: the caller is an employer the worker consented to share their profile with, or holds a
    contract with (`employer_reaches`)."""
    if is_owner(principal, worker) or principal.role == Role.compliance_officer:
        return View.full
    if principal.role in READ_ALL_ROLES:
        return View.pseudonymous
    if principal.role == Role.employer and linked_employer and worker.status == WorkerStatus.active:
        return View.profile
    return None


def employer_reach(employer_id: uuid.UUID | None) -> ColumnElement[bool]:
    """A condition on `Worker`: the worker shares their profile with this employer, or holds a contract with it
    (any status: the employer is a party to it). Two EXISTS, each on an index that starts with the employer."""
    if employer_id is None:
        return false()
    return or_(
        exists().where(WorkerEmployerConsent.employer_id == employer_id, WorkerEmployerConsent.worker_id == Worker.id),
        exists().where(Placement.employer_id == employer_id, Placement.worker_id == Worker.id),
    )


async def employer_reaches(session: AsyncSession, employer_id: uuid.UUID | None, worker_id: uuid.UUID) -> bool:
    if employer_id is None:
        return False
    query = select(Worker.id).where(Worker.id == worker_id, employer_reach(employer_id))
    return (await session.execute(query)).first() is not None


async def business_reach(session: AsyncSession, principal: Principal, worker: Worker) -> BusinessReach | None:
    """The businesses a request about this worker may name (the business a fee was paid to, the one a grievance
    is against); None: any (the operator). The rule is fairpath.registry.businesses.service's docstring."""
    if principal.role in READ_ALL_ROLES:
        return None
    placements = list((await session.execute(select(Placement).where(Placement.worker_id == worker.id))).scalars())
    if is_owner(principal, worker):
        anchor = worker.agency_business_id
        contracts = placements
    else:
        anchor = principal.business_id
        contracts = [p for p in placements if anchor is not None and _is_party(anchor, p)]
    parties = {p.employer_id for p in contracts} | {uuid.UUID(a) for p in contracts for a in p.agency_ids}
    anchors = frozenset({anchor} if anchor is not None else set())
    return BusinessReach(parties=frozenset(parties | anchors), anchors=anchors)


async def contract_violations(session: AsyncSession, worker: Worker, contract_id: uuid.UUID | None) -> list[Violation]:
    """A contract a request names for this worker is one of the worker's placements; another worker's contract
    and an id the registry does not hold are refused alike."""
    if contract_id is None:
        return []
    placement = await session.get(Placement, contract_id)
    if placement is not None and placement.worker_id == worker.id:
        return []
    return [
        Violation(
            field="contract_id", rule="worker_contract", message="not a contract of this worker known to the registry"
        )
    ]


def _is_party(business_id: uuid.UUID, placement: Placement) -> bool:
    return business_id == placement.employer_id or str(business_id) in placement.agency_ids


async def audit_reads(
    session: AsyncSession, ledger: Ledger, principal: Principal, workers: Sequence[Worker], action: str
) -> None:
    """A read of personal data by anyone but the owner is an audit entry, one per worker."""
    await ledger.append_many(
        session,
        actor=principal.actor,
        action=action,
        record_type="worker",
        record_ids=[w.id for w in workers if not is_owner(principal, w) and w.status == WorkerStatus.active],
    )


async def worker_in_reach(
    session: AsyncSession, principal: Principal, worker_id: uuid.UUID, *, for_update: bool = False
) -> tuple[Worker, View]:
    worker = await session.get(Worker, worker_id, with_for_update=for_update)
    linked = principal.role == Role.employer and await employer_reaches(session, principal.business_id, worker_id)
    view = view_of(principal, worker, linked_employer=linked) if worker is not None else None
    if worker is None or view is None:
        raise NotFound("worker", worker_id)
    return worker, view


async def owned_worker(session: AsyncSession, principal: Principal, worker_id: uuid.UUID) -> Worker:
    """A worker the caller acts for (their agency, or themself); others get 404, never a hint."""
    worker = await session.get(Worker, worker_id, with_for_update=True)
    if worker is None or not is_owner(principal, worker):
        raise NotFound("worker", worker_id)
    return worker


def require_active(worker: Worker) -> None:
    if worker.status != WorkerStatus.active:
        raise ErasedWorker("the worker's personal data was erased; the record is closed")


# --- presentation --------------------------------------------------------------------------


async def details_of(
    session: AsyncSession, worker_ids: Sequence[uuid.UUID]
) -> tuple[dict[uuid.UUID, list[WorkerLanguage]], dict[uuid.UUID, list[WorkerSkill]]]:
    languages: dict[uuid.UUID, list[WorkerLanguage]] = {i: [] for i in worker_ids}
    skills: dict[uuid.UUID, list[WorkerSkill]] = {i: [] for i in worker_ids}
    if not worker_ids:
        return languages, skills
    for row in (
        await session.execute(
            select(WorkerLanguage).where(WorkerLanguage.worker_id.in_(worker_ids)).order_by(WorkerLanguage.preference)
        )
    ).scalars():
        languages[row.worker_id].append(row)
    for row in (
        await session.execute(
            select(WorkerSkill).where(WorkerSkill.worker_id.in_(worker_ids)).order_by(WorkerSkill.occupation)
        )
    ).scalars():
        skills[row.worker_id].append(row)
    return languages, skills


async def shared_with(session: AsyncSession, worker_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[uuid.UUID]]:
    """The employers each worker shares their profile with now (the full view shows them)."""
    sharing: dict[uuid.UUID, list[uuid.UUID]] = {i: [] for i in worker_ids}
    if not worker_ids:
        return sharing
    rows = await session.execute(
        select(WorkerEmployerConsent)
        .where(WorkerEmployerConsent.worker_id.in_(worker_ids))
        .order_by(WorkerEmployerConsent.employer_id)
    )
    for row in rows.scalars():
        sharing[row.worker_id].append(row.employer_id)
    return sharing


def present(
    worker: Worker,
    view: View,
    cipher: FieldCipher,
    languages: list[WorkerLanguage],
    skills: list[WorkerSkill],
    shared_with_employers: Sequence[uuid.UUID] = (),
) -> WorkerPublic:
    """The worker as `view` shows it; the response keeps only the fields of the view (`VIEW_FIELDS`)."""

    def opened(field: str) -> str | None:
        return cipher.open(getattr(worker, f"{field}_sealed"), record=worker.id, field=field)

    public = WorkerPublic(
        id=worker.id,
        status=worker.status,
        view=view,
        sex=worker.sex,
        nationality=worker.nationality,
        languages=[LanguageSkill(language=lang.language, proficiency=lang.proficiency) for lang in languages],
        skills=[
            SkillPublic(
                occupation=s.occupation,
                occupation_title=_title(s.occupation),
                level=s.level,
                years_experience=s.years_experience,
            )
            for s in skills
        ],
        education=worker.education,
        origin_region=worker.origin_region,
        consents=worker.consents,
        agency_organization_id=worker.agency_organization_id,
        currently_placed=worker.currently_placed,
        rehire_eligible=worker.rehire_eligible,
        pseudonym=worker.pseudonym,
        erased_at=worker.erased_at,
        created_at=worker.created_at,
        updated_at=worker.updated_at,
        version=worker.version,
    )
    if worker.status != WorkerStatus.active:
        return public
    birth = opened("date_of_birth")
    public.birth_year = int(birth[:4]) if birth else None
    if view != View.full:
        return public  # nothing of identity or contact is even opened
    public.shared_with_employers = list(shared_with_employers)
    number = opened("document_number")
    phone = opened("phone")
    public.full_name = opened("full_name")
    public.date_of_birth = date.fromisoformat(birth) if birth else None
    if worker.document_kind:
        public.identity_document = IdentityDocumentPublic(
            kind=worker.document_kind, number=number, issuing_country=worker.document_country or ""
        )
    public.phone = phone
    return public


def _title(code: str) -> str:
    found = isco_occupation(code)
    return found.title if found else code


async def presented(session: AsyncSession, worker: Worker, view: View, cipher: FieldCipher) -> WorkerPublic:
    languages, skills = await details_of(session, [worker.id])
    sharing = await shared_with(session, [worker.id]) if view == View.full else {worker.id: []}
    return present(worker, view, cipher, languages[worker.id], skills[worker.id], sharing[worker.id])


async def present_consent(session: AsyncSession, worker: Worker, change: ConsentRecord) -> ConsentState:
    """The purposes the worker consents to now, the employers they share with and the recruiters they are
    considered by, with the change just recorded."""
    sharing = await shared_with(session, [worker.id])
    return ConsentState(
        worker_id=worker.id,
        consents=worker.consents,
        shared_with_employers=sharing[worker.id],
        considered_by_recruiters=sorted(await _given_to(session, worker.id, ConsentPurpose.considered_by_recruiter)),
        change=ConsentPublic.model_validate(change),
    )


# --- rules ---------------------------------------------------------------------------------


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def date_violations(
    field: str, value: date | None, *, earliest: date | None = None, why: str | None = None
) -> list[Violation]:
    """`check_date` for a rule that needs the record (a payment not before the worker's birth), as a violation;
    `why` words it without the record's date (a date of birth is personal data, even in a 422)."""
    if value is None:
        return []
    try:
        check_date(value, earliest=earliest)
    except PydanticCustomError as error:
        return [Violation(field=field, rule=error.type, message=why or error.message())]
    return []


def birth_of(cipher: FieldCipher, worker: Worker) -> date | None:
    """The worker's date of birth (None once erased)."""
    opened = cipher.open(worker.date_of_birth_sealed, record=worker.id, field="date_of_birth")
    return date.fromisoformat(opened) if opened else None


async def _age_violations(
    session: AsyncSession, birth: date, nationality: str | None, skills: list[Skill] | list[WorkerSkill]
) -> list[Violation]:
    # A birth in the future or before 1900 the schema refuses already (PastDate).
    today = utcnow().date()
    if birth.year < today.year - 100:
        return [
            Violation(
                field="date_of_birth", rule="plausible_date", message="the date of birth is more than 100 years ago"
            )
        ]
    minimum = await minimum_age_for(
        session=session, nationality=nationality, occupations=[s.occupation for s in skills]
    )
    if age_on(birth, today) < minimum:
        return [
            Violation(
                field="date_of_birth",
                rule="minimum_age",
                message=f"the worker is under {minimum}, the minimum age of recruitment that applies (IRIS A)",
            )
        ]
    return []


def consent_violations(
    principal: Principal, worker_id: uuid.UUID | None, consent: ConsentGiven, birth: date | None, *, at: str = ""
) -> list[Violation]:
    """Who gave the consent, and how, recorded truthfully: `self_service` is the worker's own login and nothing
    else; an agency acting on the worker's written request names it. `at` prefixes the fields (a list item)."""
    by_the_worker = principal.role == Role.worker and worker_id is not None and principal.worker_id == worker_id
    violations: list[Violation] = []
    if consent.method == ConsentMethod.self_service and not by_the_worker:
        violations.append(
            Violation(
                field=f"{at}method",
                rule="self_service_by_worker_only",
                message="self_service is the worker acting through their own login; an agency records how the "
                "worker gave it (written_request with its request_reference, written_signature, ...)",
            )
        )
    elif by_the_worker and consent.method != ConsentMethod.self_service:
        violations.append(
            Violation(
                field=f"{at}method",
                rule="self_service_required",
                message="a worker acting through their own login gives or withdraws consent by self_service",
            )
        )
    if consent.method == ConsentMethod.written_request and consent.request_reference is None:
        violations.append(
            Violation(
                field=f"{at}request_reference",
                rule="required",
                message="the reference of the worker's written request the agency acts on",
            )
        )
    if consent.given_at is not None and birth is not None:
        violations += date_violations(
            f"{at}given_at", consent.given_at.date(), earliest=birth, why="is before the worker's date of birth"
        )
    return violations


async def sharing_violations(
    session: AsyncSession,
    consents: Sequence[tuple[str, ConsentGiven]],
    *,
    registration_in_force: bool,
    reach: BusinessReach | None,
) -> list[Violation]:
    """Consent to share the profile is given to one employer at a time, named by its business id: one the
    registry knows as an employer, within the reach of the worker's side (`business_reach`: an employer their
    agency recruits for, or one they hold a contract with); any other id, an agency's or another tenant's
    employer included, is refused as an unknown business. Consent to be considered by a recruiter is given
    likewise, to an agency or an employer within the same reach. Given only while the worker consents to
    registration. `consents`: (field prefix, consent) pairs."""
    violations: list[Violation] = []
    named: dict[ConsentPurpose, dict[str, uuid.UUID | None]] = {purpose: {} for purpose in PER_BUSINESS}
    for at, consent in consents:
        per_business = PER_BUSINESS.get(consent.purpose)
        if per_business is not None and consent.business_id is None:
            violations.append(
                Violation(
                    field=f"{at}business_id",
                    rule="required",
                    message=f"the business the consent {consent.purpose.value} is given to (its business id)",
                )
            )
        elif per_business is None and consent.business_id is not None:
            violations.append(
                Violation(
                    field=f"{at}business_id",
                    rule="only_with_data_sharing",
                    message="names a business only with the purposes " + ", ".join(PER_BUSINESS),
                )
            )
        elif per_business is not None:
            named[consent.purpose][f"{at}business_id"] = consent.business_id
        if per_business is not None and not registration_in_force and getattr(consent, "granted", True):
            violations.append(
                Violation(
                    field=f"{at}purpose",
                    rule="consent_required",
                    message=f"{consent.purpose.value} is given only while the worker consents to registration",
                )
            )
    for purpose, (_, _, kind) in PER_BUSINESS.items():
        violations += await unknown_businesses(session, named[purpose], reach=reach, kind=kind)
    return violations


def document_hash(cipher: FieldCipher, document: IdentityDocument) -> str:
    return cipher.blind_index(document.issuing_country, document.kind.value, document.number)


async def _refuse_duplicate(session: AsyncSession, ledger: Ledger, principal: Principal, existing: Worker) -> None:
    """A second registration of a document names the existing worker only to a caller who may read it.

    The attempt stays in the audit chain although nothing else of the request does."""
    existing_id, may_read = existing.id, view_of(principal, existing) is not None  # before the rollback expires it
    await ledger.record_refusal(
        session, actor=principal.actor, action="worker.duplicate_attempt", record_type="worker", record_id=existing_id
    )
    if may_read:
        raise DuplicateWorker(
            "a worker with this identity document is already registered", existing_id=str(existing_id)
        )
    raise AlreadyRegistered("this worker is already registered")


def _language_rows(worker_id: uuid.UUID, languages: list[LanguageSkill]) -> list[WorkerLanguage]:
    return [
        WorkerLanguage(
            worker_id=worker_id,
            language=lang.language,
            proficiency=lang.proficiency,
            proficiency_rank=PROFICIENCY_RANK[lang.proficiency],
            preference=i,
        )
        for i, lang in enumerate(languages)
    ]


def skill_row(worker_id: uuid.UUID, skill: Skill) -> WorkerSkill:
    code = skill.occupation
    return WorkerSkill(
        worker_id=worker_id,
        occupation=code,
        major=code[:1],
        sub_major=code[:2] if len(code) >= 2 else None,
        minor=code[:3] if len(code) >= 3 else None,
        unit=code if len(code) == 4 else None,
        level=skill.level,
        level_rank=SKILL_RANK[skill.level],
        years_experience=skill.years_experience,
    )


def _consent_record(worker_id: uuid.UUID, principal: Principal, consent: ConsentGiven, granted: bool) -> ConsentRecord:
    now = utcnow()
    return ConsentRecord(
        id=uuid7(),
        worker_id=worker_id,
        purpose=consent.purpose,
        granted=granted,
        method=consent.method,
        language=consent.language,
        given_at=consent.given_at or now,
        request_reference=consent.request_reference,
        business_id=consent.business_id,
        recorded_by=principal.actor,
        recorded_at=now,
    )


def _set_consents(worker: Worker, purposes: set[ConsentPurpose]) -> None:
    worker.consents = [p for p in ConsentPurpose if p in purposes]


def _state_fields(worker: Worker, languages: Sequence[str]) -> dict:
    return {
        "version": worker.version,
        "worker_id": worker.id,
        "consents": list(worker.consents),
        "languages": list(languages),
        "agency_id": worker.agency_business_id,
    }


# --- registration and changes --------------------------------------------------------------


async def register_worker(
    *, session: AsyncSession, ledger: Ledger, principal: Principal, cipher: FieldCipher, data: WorkerCreate
) -> tuple[Worker, list[WorkerLanguage], list[WorkerSkill]]:
    """The new worker with its language and skill rows (the response needs no second read)."""
    if principal.organization_id is None:
        raise Forbidden("an agency principal without an organisation cannot own workers")
    violations = await _age_violations(session, data.date_of_birth, data.nationality, data.skills)
    for i, consent in enumerate(data.consents):
        violations += consent_violations(principal, None, consent, data.date_of_birth, at=f"consents.{i}.")
    registration = ConsentPurpose.registration in {c.purpose for c in data.consents}
    violations += await sharing_violations(
        session,
        [(f"consents.{i}.", c) for i, c in enumerate(data.consents)],
        registration_in_force=True,
        reach=BusinessReach.of_agency(principal.business_id),  # a new worker holds no contract yet
    )
    if not registration:
        violations.append(
            Violation(
                field="consents",
                rule="consent_required",
                message="the worker's consent for the purpose registration is required (IRIS F)",
            )
        )
    if violations:
        raise RuleViolations(violations)

    doc_hash = document_hash(cipher, data.identity_document)
    now = utcnow()
    worker_id = uuid7()
    worker = Worker(
        id=worker_id,
        status=WorkerStatus.active,
        agency_organization_id=principal.organization_id,
        agency_business_id=principal.business_id,
        registered_by=principal.actor,
        full_name_sealed=cipher.seal(data.full_name, record=worker_id, field="full_name"),
        date_of_birth_sealed=cipher.seal(data.date_of_birth.isoformat(), record=worker_id, field="date_of_birth"),
        document_number_sealed=cipher.seal(data.identity_document.number, record=worker_id, field="document_number"),
        phone_sealed=cipher.seal(data.phone, record=worker_id, field="phone"),
        document_kind=data.identity_document.kind,
        document_country=data.identity_document.issuing_country,
        document_hash=doc_hash,
        sex=data.sex,
        nationality=data.nationality,
        origin_region=data.origin_region,
        education=data.education,
        created_at=now,
        updated_at=now,
        version=1,
    )
    _set_consents(worker, {c.purpose for c in data.consents})
    languages = _language_rows(worker_id, data.languages)
    skills = [skill_row(worker_id, s) for s in data.skills]
    # One statement both inserts and finds a duplicate, so two agencies registering the same document
    # at once both get the same answer: one record, and an audited 409.
    if not await _insert_unless_registered(session, worker):
        existing = (await session.execute(select(Worker).where(Worker.document_hash == doc_hash))).scalar_one()
        await _refuse_duplicate(session, ledger, principal, existing)
    session.add_all(languages)
    session.add_all(skills)
    records = [_consent_record(worker_id, principal, c, True) for c in data.consents]
    session.add_all(records)
    session.add_all(_tie(r) for r in records if r.purpose in PER_BUSINESS and r.business_id is not None)
    await ledger.record_new(
        session,
        worker,
        actor=principal.actor,
        action="worker.registered",
        record_type="worker",
        changes=_audit_changes(
            worker,
            data.model_dump(
                mode="json", exclude={"full_name", "date_of_birth", "phone", "identity_document"}, exclude_none=True
            ),
        ),
        event=lambda: WorkerRegistered(**_state_fields(worker, [lang.language for lang in data.languages])),
    )
    return worker, languages, skills


async def _insert_unless_registered(session: AsyncSession, worker: Worker) -> bool:
    """Insert the worker row; False when its identity document is already registered.

    The row goes in by one INSERT .. ON CONFLICT DO NOTHING; once it is in, the session adopts the
    object as a stored row (no second INSERT), for the ledger to record it as new."""
    dialect_insert = (
        pg_insert if session.bind is not None and session.bind.dialect.name == "postgresql" else sqlite_insert
    )
    values = {column.name: getattr(worker, column.name) for column in Worker.__table__.columns}
    statement = (
        dialect_insert(Worker.__table__)
        .values(values)
        .on_conflict_do_nothing(index_elements=["document_hash"])
        .returning(Worker.__table__.c.id)
    )
    if (await session.execute(statement)).first() is None:
        return False
    make_transient_to_detached(worker)
    session.add(worker)
    return True


def _audit_changes(worker: Worker, clear: dict) -> dict:
    """Personal fields enter the audit chain as digests of their ciphertext: nothing to guess once erased."""
    sealed = {f: getattr(worker, f"{f}_sealed") for f in SEALED_FIELDS}
    return {**clear, **{f: v for f, v in sealed.items() if v is not None}}


async def update_worker(
    *,
    session: AsyncSession,
    ledger: Ledger,
    principal: Principal,
    cipher: FieldCipher,
    worker_id: uuid.UUID,
    data: WorkerUpdate,
) -> Worker:
    worker = await owned_worker(session, principal, worker_id)
    changes = data.model_dump(exclude_unset=True)
    if principal.role == Role.worker and (not_theirs := sorted(set(changes) - WORKER_SELF_SERVICE_FIELDS)):
        raise Forbidden(
            f"a worker changes their contact, languages, skills and education; the agency changes {', '.join(not_theirs)}"
        )
    nulls = [
        name
        for name, value in changes.items()
        if value is None
        and name in ("full_name", "date_of_birth", "sex", "nationality", "identity_document", "languages")
    ]
    if nulls:
        raise RuleViolations(
            [Violation(field=n, rule="required", message="may be changed, not removed") for n in nulls]
        )
    require_active(worker)
    languages, skills = await details_of(session, [worker.id])
    current_skills = skills[worker.id]

    violations: list[Violation] = []
    if {"date_of_birth", "nationality", "skills"} & set(changes):
        birth = data.date_of_birth or birth_of(cipher, worker)
        violations += await _age_violations(
            session,
            birth,
            data.nationality or worker.nationality,
            data.skills if data.skills is not None else current_skills,
        )
    if violations:
        raise RuleViolations(violations)
    if data.identity_document is not None:
        doc_hash = document_hash(cipher, data.identity_document)
        if doc_hash != worker.document_hash:
            existing = (
                await session.execute(select(Worker).where(Worker.document_hash == doc_hash))
            ).scalar_one_or_none()
            if existing is not None:
                await _refuse_duplicate(session, ledger, principal, existing)
            worker.document_hash = doc_hash
        worker.document_kind = data.identity_document.kind
        worker.document_country = data.identity_document.issuing_country
        worker.document_number_sealed = cipher.seal(
            data.identity_document.number, record=worker.id, field="document_number"
        )
    for field in ("full_name", "phone"):
        if field in changes:
            setattr(worker, f"{field}_sealed", cipher.seal(changes[field], record=worker.id, field=field))
    if "date_of_birth" in changes:
        worker.date_of_birth_sealed = cipher.seal(
            data.date_of_birth.isoformat(), record=worker.id, field="date_of_birth"
        )
    for field in ("sex", "nationality", "origin_region", "education"):
        if field in changes:
            setattr(worker, field, changes[field])
    language_order = [lang.language for lang in languages[worker.id]]
    if data.languages is not None:
        await session.execute(delete(WorkerLanguage).where(WorkerLanguage.worker_id == worker.id))
        session.add_all(_language_rows(worker.id, data.languages))
        language_order = [lang.language for lang in data.languages]
    if data.skills is not None:
        await session.execute(delete(WorkerSkill).where(WorkerSkill.worker_id == worker.id))
        session.add_all(skill_row(worker.id, s) for s in data.skills)
    changed = sorted(changes)
    await ledger.record_change(
        session,
        worker,
        actor=principal.actor,
        action="worker.updated",
        record_type="worker",
        changes={name: _audit_value(worker, name, data) for name in changed},
        event=lambda: WorkerUpdated(**_state_fields(worker, language_order), changed_fields=changed),
    )
    return worker


def _audit_value(worker: Worker, name: str, data: WorkerUpdate) -> object:
    if name == "identity_document":
        return worker.document_number_sealed
    if name in SEALED_FIELDS:
        return getattr(worker, f"{name}_sealed")
    value = getattr(data, name)
    return [v.model_dump(mode="json") for v in value] if isinstance(value, list) else value


async def change_consent(
    *,
    session: AsyncSession,
    ledger: Ledger,
    principal: Principal,
    cipher: FieldCipher,
    worker_id: uuid.UUID,
    data: ConsentChange,
) -> tuple[Worker, ConsentRecord]:
    """Grant or withdraw consent for one purpose; a withdrawal takes effect in this transaction and is emitted.

    Sharing the profile (`data_sharing_with_employer`) is given to and withdrawn from one employer at a time
    (`business_id`); the purpose is in force while the worker shares with at least one. Withdrawing the consent
    to registration withdraws every sharing too, each recorded as its own withdrawal: granting registration
    again shares with no one until the worker consents again, per employer.

    The record says who recorded it and how the worker gave it: the worker's own login (`self_service`), or
    their agency on the worker's word (a written request, by its reference; a signature)."""
    worker = await owned_worker(session, principal, worker_id)
    violations = consent_violations(principal, worker.id, data, birth_of(cipher, worker))
    violations += await sharing_violations(
        session,
        [("", data)],
        registration_in_force=ConsentPurpose.registration in worker.consents,
        reach=await business_reach(session, principal, worker),
    )
    if violations:
        raise RuleViolations(violations)
    require_active(worker)
    languages, _ = await details_of(session, [worker.id])
    record = _consent_record(worker.id, principal, data, data.granted)
    session.add(record)
    purposes = set(worker.consents)
    if data.purpose in PER_BUSINESS and data.business_id is not None:
        given_to = await _given_to(session, worker.id, data.purpose)
        if data.granted and data.business_id not in given_to:
            session.add(_tie(record))
            given_to.add(data.business_id)
        elif not data.granted and data.business_id in given_to:
            await _untie(session, worker.id, data.purpose, [data.business_id])
            given_to.discard(data.business_id)
        (purposes.add if given_to else purposes.discard)(data.purpose)
    else:
        (purposes.add if data.granted else purposes.discard)(data.purpose)
        if data.purpose == ConsentPurpose.registration and not data.granted:
            for purpose in PER_BUSINESS:
                given_to = sorted(await _given_to(session, worker.id, purpose))
                session.add_all(
                    _consent_record(
                        worker.id, principal, data.model_copy(update={"purpose": purpose, "business_id": b}), False
                    )
                    for b in given_to
                )
                await _untie(session, worker.id, purpose, given_to)
                purposes.discard(purpose)
    _set_consents(worker, purposes)
    await ledger.record_change(
        session,
        worker,
        actor=principal.actor,
        action="worker.consent_granted" if data.granted else "worker.consent_withdrawn",
        record_type="worker",
        changes={
            "purpose": data.purpose.value,
            "granted": data.granted,
            "method": data.method.value,
            "language": data.language,
            **({"business_id": str(data.business_id)} if data.business_id else {}),
            **({"request_reference": data.request_reference} if data.request_reference else {}),
        },
        event=partial(_consent_event, worker, [lang.language for lang in languages[worker.id]], data, record),
    )
    return worker, record


def _consent_event(
    worker: Worker, languages: list[str], data: ConsentChange, record: ConsentRecord
) -> WorkerConsentChanged | WorkerUpdated:
    """The change as consumers see it: the purposes in force. Withdrawing the sharing from one employer while
    the worker still shares with another leaves the purposes as they were (the event's rule: a withdrawn purpose
    is not in `consents`): that change is a `WorkerUpdated` of `shared_with_employers`, which names no employer
    (the payload has no field for it); of `considered_by_recruiter`, of `considered_by_recruiters`."""
    state = _state_fields(worker, languages)
    if not data.granted and data.purpose in worker.consents:
        changed = (
            "shared_with_employers"
            if data.purpose == ConsentPurpose.data_sharing_with_employer
            else "considered_by_recruiters"
        )
        return WorkerUpdated(**state, changed_fields=[changed])
    return WorkerConsentChanged(**state, purpose=data.purpose, granted=data.granted, changed_at=record.recorded_at)


def _tie(record: ConsentRecord) -> WorkerEmployerConsent | WorkerRecruiterConsent:
    """The row that puts the worker within the reach of the business a consent is given to."""
    model, key, _ = PER_BUSINESS[record.purpose]
    return model(
        worker_id=record.worker_id,
        **{key: record.business_id},
        consent_record_id=record.id,
        granted_at=record.recorded_at,
    )


async def _given_to(session: AsyncSession, worker_id: uuid.UUID, purpose: ConsentPurpose) -> set[uuid.UUID]:
    model, key, _ = PER_BUSINESS[purpose]
    return set((await session.execute(select(getattr(model, key)).where(model.worker_id == worker_id))).scalars())


async def _untie(
    session: AsyncSession, worker_id: uuid.UUID, purpose: ConsentPurpose, business_ids: Sequence[uuid.UUID]
) -> None:
    if not business_ids:
        return
    model, key, _ = PER_BUSINESS[purpose]
    await session.execute(delete(model).where(model.worker_id == worker_id, getattr(model, key).in_(business_ids)))


async def consent_history(session: AsyncSession, worker_id: uuid.UUID) -> list[ConsentRecord]:
    return list(
        (
            await session.execute(
                select(ConsentRecord).where(ConsentRecord.worker_id == worker_id).order_by(ConsentRecord.id)
            )
        ).scalars()
    )


# --- reading and search --------------------------------------------------------------------


async def read_worker(
    *, session: AsyncSession, ledger: Ledger, principal: Principal, cipher: FieldCipher, worker_id: uuid.UUID
) -> WorkerPublic:
    worker, view = await worker_in_reach(session, principal, worker_id)
    await audit_reads(session, ledger, principal, [worker], "worker.read")
    return await presented(session, worker, view, cipher)


async def search_workers(
    *,
    session: AsyncSession,
    ledger: Ledger,
    principal: Principal,
    cipher: FieldCipher,
    occupation: str | None = None,
    skill_level: SkillLevel | None = None,
    nationality: str | None = None,
    language: str | None = None,
    language_proficiency: Proficiency | None = None,
    available: bool | None = None,
    rehire_eligible: bool | None = None,
    after: uuid.UUID | None = None,
    limit: int = 50,
) -> list[WorkerPublic]:
    """Workers matching every filter, in id order, within the caller's reach (agency: its own; employer: the
    workers sharing their profile with it or holding a contract with it; the operator and auditors: all)."""
    query = select(Worker).order_by(Worker.id).limit(limit)
    if principal.role == Role.agency:
        query = query.where(Worker.agency_organization_id == principal.organization_id)
    elif principal.role == Role.employer:
        query = query.where(Worker.status == WorkerStatus.active, employer_reach(principal.business_id))
    elif principal.role not in READ_ALL_ROLES:
        raise Forbidden("this role does not search workers")
    if occupation or skill_level:
        conditions = [WorkerSkill.worker_id == Worker.id]
        if occupation:
            column = {1: WorkerSkill.major, 2: WorkerSkill.sub_major, 3: WorkerSkill.minor, 4: WorkerSkill.unit}[
                len(occupation)
            ]
            conditions.append(column == occupation)
        if skill_level:
            conditions.append(WorkerSkill.level_rank >= SKILL_RANK[skill_level])
        query = query.where(exists().where(and_(*conditions)))
    if language or language_proficiency:
        conditions = [WorkerLanguage.worker_id == Worker.id]
        if language:
            conditions.append(WorkerLanguage.language == language)
        if language_proficiency:
            conditions.append(WorkerLanguage.proficiency_rank >= PROFICIENCY_RANK[language_proficiency])
        query = query.where(exists().where(and_(*conditions)))
    if nationality:
        query = query.where(Worker.nationality == nationality)
    if available is not None:
        query = query.where(Worker.currently_placed.is_(not available), Worker.status == WorkerStatus.active)
    if rehire_eligible is not None:
        query = query.where(Worker.rehire_eligible.is_(rehire_eligible))
    if after:
        query = query.where(Worker.id > after)
    workers = list((await session.execute(query)).scalars())
    await audit_reads(session, ledger, principal, workers, "worker.searched")
    languages, skills = await details_of(session, [w.id for w in workers])
    # Every worker found is within reach: an employer's through `employer_reach` in the query.
    views = {w.id: view_of(principal, w, linked_employer=True) or View.profile for w in workers}
    full = [w.id for w in workers if views[w.id] == View.full]
    sharing = await shared_with(session, full)
    return [present(w, views[w.id], cipher, languages[w.id], skills[w.id], sharing.get(w.id, ())) for w in workers]

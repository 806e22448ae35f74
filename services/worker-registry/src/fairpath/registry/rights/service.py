"""Export and erasure of a worker's data.

Erasure pseudonymises: personal data (identity, contact, free text the worker or officers
wrote) is removed for good, while the compliance facts (fee findings, grievance outcomes,
placements, consent history) stay attached to the worker's id under a pseudonym. The audit
chain holds only digests (of ciphertexts, for personal fields), so it stays intact and verifiable.

Erasure is the worker's right: the worker asks through their own login, or an admin or compliance officer
acts on the worker's recorded request, whose reference goes to the audit entry (as a digest). An agency
never erases a worker: it would end the worker's record, and its evidence against the agency, on its word.
"""

import secrets
import uuid

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.auth import Principal, Role
from fairpath.common.errors import Forbidden, NotFound, RuleViolations, Violation
from fairpath.common.events.catalogue import WorkerErased
from fairpath.common.ledger import Ledger
from fairpath.common.timeutil import utcnow
from fairpath.registry.checkins.tables import CheckIn
from fairpath.registry.crypto import FieldCipher
from fairpath.registry.fees import service as fees
from fairpath.registry.fees.tables import FeeReport
from fairpath.registry.grievances import service as grievances
from fairpath.registry.grievances.tables import Grievance
from fairpath.registry.placements import service as placements
from fairpath.registry.placements.tables import Placement, RetaliationFinding
from fairpath.registry.rights.schemas import ErasureReceipt, ErasureRequest, RetaliationFindingPublic, WorkerExport
from fairpath.registry.workers import service as workers
from fairpath.registry.workers.schemas import ConsentPublic, View, WorkerStatus
from fairpath.registry.workers.tables import (
    Worker,
    WorkerEmployerConsent,
    WorkerLanguage,
    WorkerRecruiterConsent,
    WorkerSkill,
)

ERASED_FIELDS = [
    "full_name",
    "date_of_birth",
    "identity_document",
    "phone",
    "sex",
    "origin_region",
    "education",
    "languages",
    "skills",
    "fee_evidence",
    "grievance_texts",
]
KEPT_FACTS = ["nationality", "consent_history", "fee_reports", "grievances", "placements", "retaliation_findings"]


async def _subject(session: AsyncSession, principal: Principal, worker_id: uuid.UUID) -> Worker:
    """The worker themself, their agency, or the operator acting on a request (the role is checked before: a
    compliance officer exports or erases, an admin erases); anyone else is answered as for an unknown id."""
    worker = await session.get(Worker, worker_id, with_for_update=True)
    if worker is None:
        raise NotFound("worker", worker_id)
    if workers.is_owner(principal, worker) or principal.role in (Role.admin, Role.compliance_officer):
        return worker
    raise NotFound("worker", worker_id)


async def _of_worker(session: AsyncSession, model: type, column, worker_id: uuid.UUID, order) -> list:  # noqa: ANN001
    return list((await session.execute(select(model).where(column == worker_id).order_by(order))).scalars())


async def export_worker(
    *, session: AsyncSession, ledger: Ledger, principal: Principal, cipher: FieldCipher, worker_id: uuid.UUID
) -> WorkerExport:
    worker = await _subject(session, principal, worker_id)
    if not workers.is_owner(principal, worker):
        await ledger.append(
            session, actor=principal.actor, action="worker.exported", record_type="worker", record_id=worker.id
        )
    fee_rows = await _of_worker(session, FeeReport, FeeReport.worker_id, worker.id, FeeReport.id)
    grievance_rows = await _of_worker(session, Grievance, Grievance.worker_id, worker.id, Grievance.id)
    placement_rows = await _of_worker(session, Placement, Placement.worker_id, worker.id, Placement.contract_id)
    findings = await _of_worker(
        session, RetaliationFinding, RetaliationFinding.worker_id, worker.id, RetaliationFinding.id
    )
    return WorkerExport(
        exported_at=utcnow(),
        worker=await workers.presented(session, worker, View.full, cipher),
        consents=[ConsentPublic.model_validate(c) for c in await workers.consent_history(session, worker.id)],
        fee_reports=[fees.present(f, cipher, with_evidence=True) for f in fee_rows],
        grievances=[
            await grievances.present(session, g, grievances.GrievanceView.full, cipher)
            for g in grievance_rows
            if not grievances.hidden_from_agency(principal, g)
        ],
        placements=[placements.present(p) for p in placement_rows],
        retaliation_findings=[RetaliationFindingPublic.model_validate(f) for f in findings],
    )


async def erase_worker(
    *, session: AsyncSession, ledger: Ledger, principal: Principal, worker_id: uuid.UUID, data: ErasureRequest
) -> ErasureReceipt:
    if principal.role not in (Role.worker, Role.admin, Role.compliance_officer):
        raise Forbidden("the worker erases their data, or the operator on the worker's recorded request")
    worker = await _subject(session, principal, worker_id)
    if principal.role != Role.worker and data.request_reference is None:
        raise RuleViolations(
            [
                Violation(
                    field="request_reference",
                    rule="required",
                    message="the operator erases on the worker's recorded request: give its reference",
                )
            ]
        )
    workers.require_active(worker)
    await session.execute(delete(WorkerLanguage).where(WorkerLanguage.worker_id == worker.id))
    await session.execute(delete(WorkerSkill).where(WorkerSkill.worker_id == worker.id))
    await session.execute(update(FeeReport).where(FeeReport.worker_id == worker.id).values(evidence_sealed=None))
    await session.execute(update(CheckIn).where(CheckIn.worker_id == worker.id).values(note_sealed=None))
    await session.execute(
        update(Grievance)
        .where(Grievance.worker_id == worker.id)
        .values(description_sealed=None, decision_note_sealed=None, remedy_note_sealed=None)
    )
    now = utcnow()
    for field in workers.SEALED_FIELDS:
        setattr(worker, f"{field}_sealed", None)
    worker.document_hash = worker.document_kind = worker.document_country = None
    worker.sex = worker.origin_region = worker.education = None
    worker.consents = []
    await session.execute(delete(WorkerEmployerConsent).where(WorkerEmployerConsent.worker_id == worker.id))
    await session.execute(delete(WorkerRecruiterConsent).where(WorkerRecruiterConsent.worker_id == worker.id))
    worker.status, worker.erased_at = WorkerStatus.erased, now
    worker.pseudonym = f"W-{secrets.token_hex(5).upper()}"
    await ledger.record_change(
        session,
        worker,
        actor=principal.actor,
        action="worker.erased",
        record_type="worker",
        changes={
            "reason": data.reason.value,
            **({"request_reference": data.request_reference} if data.request_reference else {}),
            **{name: None for name in ERASED_FIELDS},
        },
        event=lambda: WorkerErased(version=worker.version, worker_id=worker.id, erased_at=now),
    )
    return ErasureReceipt(
        worker_id=worker.id, pseudonym=worker.pseudonym, erased_at=now, erased=ERASED_FIELDS, kept=KEPT_FACTS
    )

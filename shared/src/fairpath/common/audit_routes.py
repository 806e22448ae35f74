"""`/v1/audit/{service}/...`: records, export, verification, checkpoints, Merkle proofs and legal holds.

Every service mounts this router over its own chain (the gateway too, for its own). Auditors, compliance
officers and admins read; admins and compliance officers sign a checkpoint now and place legal holds.
With FAIRPATH_AUDIT_PUBLIC_CHECKPOINTS the checkpoint list is served without login (it holds no personal data).
"""

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from fairpath.common import audit_retention
from fairpath.common.audit import AuditChain, AuditRecord, MerkleTreeIncomplete
from fairpath.common.audit_checkpoints import (
    Checkpoint,
    CheckpointSigner,
    EmptyChain,
    list_checkpoints,
    sign_checkpoint,
)
from fairpath.common.audit_export import export_lines
from fairpath.common.auth import OPERATOR_ROLES, READ_ALL_ROLES, Principal, require_roles
from fairpath.common.db import ReadSessionDep, WriteSessionDep
from fairpath.common.errors import PROBLEM_RESPONSES, Conflict, NotFound, RuleViolations, Violation, problems
from fairpath.common.timeutil import as_utc

HEX64 = r"^[0-9a-f]{64}$"


class AuditRecordPage(BaseModel):
    items: list[AuditRecord]
    next_cursor: str | None


class AuditVerification(BaseModel):
    service: str
    valid: bool
    entries_checked: int
    head_seq: int
    head_hash: str
    first_broken_seq: int | None
    reason: str | None
    checkpoints_checked: int = 0


class SignedCheckpoint(BaseModel):
    """A signed checkpoint: its signature covers the text form in docs/audit-formats.md."""

    service: str
    tree_size: int
    root_hash: str = Field(pattern=HEX64)
    signed_at: str = Field(description="UTC, YYYY-MM-DDTHH:MM:SS.ffffffZ, as signed")
    key_id: str = Field(pattern=HEX64, description="SHA-256 of the raw 32-byte Ed25519 public key, hex")
    signature: str = Field(description="Ed25519 signature of the checkpoint text, standard base64")


class CheckpointKey(BaseModel):
    key_id: str
    public_key: str = Field(description="raw 32-byte Ed25519 public key, standard base64")
    first_used_at: str


class CheckpointPage(BaseModel):
    service: str
    keys: list[CheckpointKey]
    items: list[SignedCheckpoint]
    next_cursor: str | None


class InclusionProof(BaseModel):
    service: str
    entry: int = Field(description="the entry's seq; its leaf index is entry - 1")
    tree_size: int
    leaf_hash: str
    root_hash: str
    audit_path: list[str]


class ConsistencyProof(BaseModel):
    service: str
    first: int
    second: int
    first_root: str
    second_root: str
    proof: list[str]


class LegalHoldRequest(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"business_id": "01934c8e-7a2b-7c3d-9e4f-5a6b7c8d9e0f"}]})

    business_id: uuid.UUID = Field(description="the business whose audit entries are kept past their retention")


class LegalHold(BaseModel):
    business_id: str
    placed_by: str
    placed_at: datetime


class LegalHoldList(BaseModel):
    items: list[LegalHold]
    next_cursor: str | None = None


class ChainEmpty(Conflict):
    name = "audit_chain_empty"
    description = "the audit chain has no entries yet: there is no tree to sign"


class TreeDamaged(Conflict):
    name = "audit_tree_damaged"
    description = "a node of the stored Merkle tree is missing (rows removed from the database): see /verify"


AuditReader = Annotated[Principal, Depends(require_roles(*READ_ALL_ROLES))]
AuditOperator = Annotated[Principal, Depends(require_roles(*OPERATOR_ROLES))]


def _chain(request: Request) -> AuditChain:
    return request.app.state.ledger.audit


def _checkpoint(c: Checkpoint) -> SignedCheckpoint:
    return SignedCheckpoint(**c.as_json())


def audit_router(service: str, *, public_checkpoints: bool = False) -> APIRouter:
    """The audit routes of one service's chain."""
    router = APIRouter(prefix=f"/v1/audit/{service}", tags=["audit"], responses=PROBLEM_RESPONSES)

    @router.get("/records", response_model=AuditRecordPage)
    async def list_audit_records(
        request: Request,
        session: ReadSessionDep,
        _: AuditReader,
        record_id: Annotated[str | None, Query(max_length=64)] = None,
        record_type: Annotated[str | None, Query(max_length=60)] = None,
        actor: Annotated[str | None, Query(max_length=200)] = None,
        action: Annotated[str | None, Query(max_length=100)] = None,
        since: Annotated[datetime | None, Query(description="entries at or after this time")] = None,
        until: Annotated[datetime | None, Query(description="entries before this time")] = None,
        cursor: Annotated[str | None, Query(pattern=r"^\d{1,18}$", description="seq to continue after")] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> AuditRecordPage:
        violations = [
            Violation(field=name, rule="time_zone", message="give a time zone, e.g. 2027-03-01T09:00:00Z")
            for name, value in (("since", since), ("until", until))
            if value is not None and value.tzinfo is None
        ]
        if not violations and since and until and until <= since:
            violations.append(Violation(field="until", rule="after_since", message="until must be after since"))
        if violations:
            raise RuleViolations(violations)
        log = _chain(request)
        entry = log.entry
        query = select(entry).order_by(entry.c.seq).limit(limit + 1)
        for column, value in (
            (entry.c.record_id, record_id),
            (entry.c.record_type, record_type),
            (entry.c.actor, actor),
            (entry.c.action, action),
        ):
            if value is not None:
                query = query.where(column == value)
        if since is not None:
            query = query.where(entry.c.occurred_at >= since)
        if until is not None:
            query = query.where(entry.c.occurred_at < until)
        if cursor:
            query = query.where(entry.c.seq > int(cursor))
        rows = (await session.execute(query)).mappings().all()
        items = [AuditRecord.model_validate({**dict(r), "occurred_at": as_utc(r["occurred_at"])}) for r in rows[:limit]]
        return AuditRecordPage(items=items, next_cursor=str(items[-1].seq) if len(rows) > limit else None)

    @router.get(
        "/export",
        response_class=StreamingResponse,
        responses={200: {"content": {"application/x-ndjson": {}}, "description": "JSON lines (docs/audit-formats.md)"}},
    )
    async def export_audit_chain(request: Request, _: AuditReader) -> StreamingResponse:
        """The whole chain as JSON lines: a header, then each entry with its canonical bytes (or its tombstone
        if pruned), so a verifier hashes what it is given."""
        lines = export_lines(request.app.state.database, _chain(request), service)
        return StreamingResponse(
            lines,
            media_type="application/x-ndjson",
            headers={"Content-Disposition": f'attachment; filename="audit-{service}.jsonl"'},
        )

    @router.get("/verify", response_model=AuditVerification)
    async def verify_audit_chain(request: Request, session: ReadSessionDep, _: AuditReader) -> AuditVerification:
        result = await _chain(request).verify(session)
        return AuditVerification(service=service, **result.__dict__)

    checkpoint_readers: list[Any] = [] if public_checkpoints else [Depends(require_roles(*READ_ALL_ROLES))]

    @router.get(
        "/checkpoints",
        response_model=CheckpointPage,
        dependencies=checkpoint_readers,
        responses=problems(public=public_checkpoints),
    )
    async def list_audit_checkpoints(
        request: Request,
        session: ReadSessionDep,
        cursor: Annotated[str | None, Query(pattern=r"^\d{1,18}$", description="tree size to continue after")] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 1000,
    ) -> CheckpointPage:
        """Signed checkpoints by tree size, with every public key that signed one (keep a copy: it is what
        `./fairpath audit verify --checkpoints` reads)."""
        items, keys, next_size = await list_checkpoints(
            session, _chain(request), service, after=int(cursor or 0), limit=limit
        )
        return CheckpointPage(
            service=service,
            keys=[CheckpointKey(**k) for k in keys],
            items=[_checkpoint(c) for c in items],
            next_cursor=None if next_size is None else str(next_size),
        )

    @router.post("/checkpoints", response_model=SignedCheckpoint, responses=problems(ChainEmpty, TreeDamaged))
    async def sign_audit_checkpoint(request: Request, _: AuditOperator) -> SignedCheckpoint:
        """The checkpoint of the tree at the chain's head: signed now, or the one this key already signed at
        that size (a tree is signed once per key)."""
        signer: CheckpointSigner = request.app.state.audit_signer
        try:
            checkpoint, _new = await sign_checkpoint(request.app.state.database, _chain(request), signer)
        except EmptyChain as exc:
            raise ChainEmpty(str(exc)) from None
        except MerkleTreeIncomplete as exc:
            raise TreeDamaged(str(exc)) from None
        return _checkpoint(checkpoint)

    @router.get("/proofs/inclusion", response_model=InclusionProof, responses=problems(TreeDamaged))
    async def audit_inclusion_proof(
        request: Request,
        session: ReadSessionDep,
        _: AuditReader,
        entry: Annotated[int, Query(ge=1, le=10**15, description="the entry's seq")],
        tree_size: Annotated[int | None, Query(ge=1, le=10**15, description="default: the chain's head")] = None,
    ) -> InclusionProof:
        """The audit path from entry N's leaf to the root of the tree of size M (RFC 9162 2.1.3)."""
        log = _chain(request)
        head, _ = await log.head_of(session)
        size = head if tree_size is None else tree_size
        _check_sizes(("tree_size", size, head), ("entry", entry, size))
        try:
            leaf, root, path = await log.inclusion_proof(session, entry - 1, size)
        except MerkleTreeIncomplete as exc:
            raise TreeDamaged(str(exc)) from None
        return InclusionProof(
            service=service,
            entry=entry,
            tree_size=size,
            leaf_hash=leaf.hex(),
            root_hash=root.hex(),
            audit_path=[p.hex() for p in path],
        )

    @router.get("/proofs/consistency", response_model=ConsistencyProof, responses=problems(TreeDamaged))
    async def audit_consistency_proof(
        request: Request,
        session: ReadSessionDep,
        _: AuditReader,
        first: Annotated[int, Query(ge=1, le=10**15, description="the earlier tree size")],
        second: Annotated[int | None, Query(ge=1, le=10**15, description="default: the chain's head")] = None,
    ) -> ConsistencyProof:
        """The proof that the tree of size M is a prefix of the tree of size N (RFC 9162 2.1.4)."""
        log = _chain(request)
        head, _ = await log.head_of(session)
        later = head if second is None else second
        _check_sizes(("second", later, head), ("first", first, later))
        try:
            first_root, second_root, proof = await log.consistency_proof(session, first, later)
        except MerkleTreeIncomplete as exc:
            raise TreeDamaged(str(exc)) from None
        return ConsistencyProof(
            service=service,
            first=first,
            second=later,
            first_root=first_root.hex(),
            second_root=second_root.hex(),
            proof=[p.hex() for p in proof],
        )

    @router.get("/legal-holds", response_model=LegalHoldList)
    async def list_legal_holds(request: Request, session: ReadSessionDep, _: AuditReader) -> LegalHoldList:
        """Businesses whose audit entries are kept past their retention."""
        rows = await audit_retention.legal_holds(session, _chain(request))
        return LegalHoldList(items=[LegalHold(**r) for r in rows])

    @router.post(
        "/legal-holds",
        response_model=LegalHold,
        status_code=201,
        responses={200: {"model": LegalHold, "description": "The business was already held: the hold as it stands"}},
    )
    async def place_legal_hold(
        request: Request, response: Response, body: LegalHoldRequest, session: WriteSessionDep, caller: AuditOperator
    ) -> LegalHold:
        """Keep every audit entry about the business whatever its age: the business's own, and those of the records
        of this service that belong to it (its licences, contracts, fee reports, ...); 201 when placed, 200 if it was
        already held."""
        log = _chain(request)
        business_id = str(body.business_id)
        if not await audit_retention.place_legal_hold(session, log, business_id, caller.actor):
            response.status_code = 200
        held = next(r for r in await audit_retention.legal_holds(session, log) if r["business_id"] == business_id)
        return LegalHold(**held)

    @router.delete("/legal-holds/{business_id}", status_code=204, responses=problems(NotFound))
    async def lift_legal_hold(
        request: Request, business_id: uuid.UUID, session: WriteSessionDep, caller: AuditOperator
    ) -> Response:
        if not await audit_retention.lift_legal_hold(session, _chain(request), str(business_id), caller.actor):
            raise NotFound("legal hold", business_id)
        return Response(status_code=204)

    return router


def _check_sizes(*bounds: tuple[str, int, int]) -> None:
    """Each (field, value, limit): value may not pass limit (the tree's head, or the tree the entry is in)."""
    violations = [
        Violation(field=name, rule="within_tree", message=f"must be at most {limit}")
        for name, value, limit in bounds
        if value > limit
    ]
    if violations:
        raise RuleViolations(violations)

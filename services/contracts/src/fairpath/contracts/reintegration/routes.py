"""HTTP routes of return and reintegration: thin, the rules live in service.py."""

import uuid

from fastapi import APIRouter, status

from fairpath.common.errors import PROBLEM_RESPONSES, NotFound, problems
from fairpath.contracts.deps import LedgerDep, WriteSessionDep
from fairpath.contracts.reintegration import service
from fairpath.contracts.reintegration.auth import ReturnRecorder, SeasonInviter
from fairpath.contracts.reintegration.schemas import InvitationIn, InvitationPublic, ReturnIn, ReturnPublic
from fairpath.contracts.reintegration.service import (
    AlreadyInvited,
    ContractNotEnded,
    NotEligibleForRehire,
    ReturnAlreadyRecorded,
)

returns_router = APIRouter(prefix="/v1/contracts", tags=["contracts"], responses=PROBLEM_RESPONSES)
invitations_router = APIRouter(prefix="/v1/job-orders", tags=["job orders"], responses=PROBLEM_RESPONSES)


@returns_router.post(
    "/{contract_id}/return",
    response_model=ReturnPublic,
    summary="The return journey at the contract's end: recorded by the employer or agency (at the employer's "
    "cost; one the worker paid is a finding), confirmed by the worker from their own login",
    responses=problems(NotFound, ContractNotEnded, ReturnAlreadyRecorded),
)
async def record_return(
    contract_id: uuid.UUID, body: ReturnIn, session: WriteSessionDep, ledger: LedgerDep, principal: ReturnRecorder
) -> ReturnPublic:
    return await service.record_return(
        session=session, ledger=ledger, principal=principal, contract_id=contract_id, given=body
    )


@invitations_router.post(
    "/{job_order_id}/invitations",
    status_code=status.HTTP_201_CREATED,
    response_model=InvitationPublic,
    summary="Invite a worker back for the next season: their seasonal contract completed in good standing "
    "and they confirmed their return",
    responses=problems(NotFound, NotEligibleForRehire, AlreadyInvited),
)
async def invite_to_next_season(
    job_order_id: uuid.UUID, body: InvitationIn, session: WriteSessionDep, ledger: LedgerDep, principal: SeasonInviter
) -> InvitationPublic:
    invitation = await service.invite_to_next_season(
        session=session, ledger=ledger, principal=principal, job_order_id=job_order_id, given=body
    )
    return InvitationPublic.model_validate(invitation, from_attributes=True)

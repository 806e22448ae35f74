"""HTTP route of the public check of a contract document: no login (the gateway forwards it without
credentials, rate limited per client address), no principal asked."""

from fastapi import APIRouter

from fairpath.common.errors import RuleViolations, problems
from fairpath.contracts.deps import ReadSessionDep
from fairpath.contracts.verification import service
from fairpath.contracts.verification.schemas import EXAMPLE, ContractVerification

router = APIRouter(prefix="/v1/verify/contracts", tags=["documents"])


@router.get(
    "/{code}",
    response_model=ContractVerification,
    summary="Public: is the document with this code the signed version of a contract in force?",
    description="The code is printed on every contract document and in its QR code (`7KQ2-M9XD-4RTH-W`); it is "
    "accepted with or without dashes, in any case, O read as 0 and I or L as 1. No login: the answer names "
    "nobody (no party, worker, business or pay), only the version's status, number, SHA-256 and dates, and a "
    "verdict. A code no document carries, or that cannot be a code, is 404.",
    responses={200: {"content": {"application/json": {"example": EXAMPLE}}}}
    # FastAPI documents a 422 for any route with a parameter: named here as the validation problem it would be.
    | problems(service.UnknownCode, RuleViolations, public=True),
)
async def verify_contract(code: str, session: ReadSessionDep) -> ContractVerification:
    return await service.verify(session, code)

"""HTTP routes of contract documents."""

from fastapi import APIRouter

from fairpath.common.errors import PROBLEM_RESPONSES

router = APIRouter(prefix="/v1/contracts", tags=["documents"], responses=PROBLEM_RESPONSES)

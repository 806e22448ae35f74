"""API model of the public check of a contract document: what a worker, an inspector or a border officer needs
to tell whether the paper in front of them is the version that was signed, and nothing that names anyone."""

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from fairpath.contracts.contracts.tables import ContractState


class Verdict(StrEnum):
    """What the paper is worth now, in one word (the first that applies, in this order)."""

    terminated = "terminated"  # the contract was ended early: whatever the paper says, it no longer binds
    completed = "completed"  # the contract ran its course
    superseded = "superseded"  # a later version replaced this one before anything was signed
    not_signed = "not_signed"  # the current version, but nobody has signed it (a draft, or issued and waiting)
    disputed = "disputed"  # the signed version, but the terms found on arrival were less favourable
    current_signed = "current_signed"  # the signed version of a contract in force: this is the contract


EXPLANATIONS = {
    Verdict.terminated: "The contract was terminated: this document no longer binds anyone.",
    Verdict.completed: "The contract was completed: this document no longer binds anyone.",
    Verdict.superseded: "This version was replaced by a later one: it is not the contract.",
    Verdict.not_signed: "This version has not been signed (yet): it is not a signed contract.",
    Verdict.disputed: "This is the signed version, but the terms found on arrival differ from it: "
    "a substitution finding is under review.",
    Verdict.current_signed: "This is the signed version of a contract in force.",
}

EXAMPLE = {
    "code": "7KQ2-M9XD-4RTH-W",
    "verdict": "current_signed",
    "explanation": EXPLANATIONS[Verdict.current_signed],
    "status": "active",
    "version": 2,
    "current": True,
    "signed": True,
    "content_hash": "0849e1396ba245d0980f98f8c0ff576f569a173a856198ba110fa8194e2f1871",
    "issued_at": "2026-11-02T09:14:00Z",
    "signed_at": "2026-11-05T16:40:00Z",
    "superseded_at": None,
}


class ContractVerification(BaseModel):
    """One contract version as its printed code finds it. No party, worker, business, place or pay: the paper
    shows those, and this says only whether that paper is the one that was signed and whether it still binds."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                EXAMPLE,
                EXAMPLE
                | {
                    "verdict": "superseded",
                    "explanation": EXPLANATIONS[Verdict.superseded],
                    "version": 1,
                    "current": False,
                    "signed": False,
                    "signed_at": None,
                    "superseded_at": "2026-11-03T08:00:00Z",
                },
            ]
        }
    )

    code: str = Field(description="the version's verification code, as printed (groups of four)")
    verdict: Verdict = Field(description="what the document is worth now, in one word")
    explanation: str = Field(description="the verdict in a sentence, in English")
    status: ContractState = Field(description="the contract's status now")
    version: int = Field(description="the number of the version the code was printed on")
    current: bool = Field(description="this version is the contract's current one (no later version replaced it)")
    signed: bool = Field(description="this version is the one the worker signed")
    content_hash: str = Field(
        description="SHA-256 of the version's terms (RFC 8785 canonical JSON), as printed on the document"
    )
    issued_at: datetime | None = Field(description="when this version was issued to the worker (null: never)")
    signed_at: datetime | None = Field(description="when the worker signed this version (null: not signed)")
    superseded_at: datetime | None = Field(description="when a later version replaced this one (null: not replaced)")

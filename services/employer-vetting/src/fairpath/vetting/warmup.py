"""What vetting's write paths load on first use, loaded before the service reports ready (after
fairpath.common.warmup's common warming; the screening's matching warms itself, see app._start_matching)."""

from fastapi import FastAPI

from fairpath.vetting.assessments.questions import question_set


async def warm_question_set(_: FastAPI) -> None:
    """The self-assessment's questions, which an assessment is checked against."""
    question_set()


WARMS = (warm_question_set,)

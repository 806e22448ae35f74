"""The shipped IRIS-derived question set, versioned data loaded once."""

import json
from functools import cache
from pathlib import Path

from pydantic import BaseModel

QUESTION_FILE = Path(__file__).with_name("iris-questions-v1.json")


class Question(BaseModel):
    id: str
    principle: str
    text: str


class QuestionSet(BaseModel):
    version: str
    label: str
    questions: list[Question]

    def by_id(self) -> dict[str, Question]:
        return {q.id: q for q in self.questions}


@cache
def question_set() -> QuestionSet:
    return QuestionSet.model_validate(json.loads(QUESTION_FILE.read_text()))

"""Cursor pages: `{"items": [...], "next_cursor": "..." | null}`, keyed on time-ordered UUIDv7 ids."""

import base64
import uuid
from typing import Annotated, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel

from fairpath.common.errors import RuleViolations, Violation

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None

    @classmethod
    def of(cls, items: list[T], *, more: bool, key: str = "id") -> "Page[T]":
        """A page of items in id order. `more`: rows remain after them (fetch one row over the limit to know)."""
        return cls(items=items, next_cursor=encode_cursor(getattr(items[-1], key)) if more and items else None)


def encode_cursor(last_id: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(last_id.bytes).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> uuid.UUID | None:
    if not cursor:
        return None
    try:
        return uuid.UUID(bytes=base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError):
        raise RuleViolations(
            [Violation(field="cursor", rule="cursor", message="not a cursor this API returned")]
        ) from None


CursorParam = Annotated[str | None, Query(max_length=64, description="next_cursor from the previous page")]
LimitParam = Annotated[int, Query(ge=1, le=200, description="items per page")]

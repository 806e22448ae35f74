"""RFC 8785 canonical JSON and the digests built on it."""

import hashlib
import hmac
from datetime import datetime
from typing import Any
from uuid import UUID

import rfc8785


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "model_dump"):
        return _plain(value.model_dump(mode="json"))
    if hasattr(value, "value") and not isinstance(value, bool | int | float | str):
        return value.value  # enums
    return value


def canonical_json(value: Any) -> bytes:
    return rfc8785.dumps(_plain(value))


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def keyed_digest(key: bytes, value: Any) -> str:
    """HMAC-SHA256 of a value's canonical JSON: proves what a value was without revealing it."""
    return hmac.new(key, canonical_json(value), hashlib.sha256).hexdigest()

"""Sealing the worker's personal data inside stored contract versions (Fernet: AES-128-CBC with HMAC-SHA256)."""

import base64
import hashlib
import json
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken

from fairpath.common.canonical import canonical_json


@lru_cache(maxsize=8)
def _fernet(secret: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(b"fairpath-contracts-personal:" + secret.encode()).digest()))


def seal(secret: str, data: dict) -> str:
    return _fernet(secret).encrypt(canonical_json(data)).decode()


def unseal(secret: str, token: str) -> dict:
    try:
        return json.loads(_fernet(secret).decrypt(token.encode()))
    except InvalidToken:
        raise RuntimeError("the worker's personal data cannot be unsealed with this key") from None

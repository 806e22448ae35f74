"""The secrets accounts hand out, and how they are kept.

- API keys and refresh tokens: 256 random bits, kept as SHA-256 digests (nothing to guess offline).
- One-time activation codes and recovery codes: shorter, to be typed, so kept as HMAC-SHA256 digests under a key
  derived from the token secret: the database alone does not let anyone try codes offline.
- TOTP secrets: they must be read back to check a code, so they are sealed with AES-256-GCM, bound to their user.
"""

import base64
import binascii
import hashlib
import hmac
import os
import secrets
import uuid

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

API_KEY_PREFIX = "fp_"
REFRESH_TOKEN_PREFIX = "fpr_"
# Shown in listings: enough to recognise a key, far too little to use it.
SHOWN_PREFIX_LENGTH = 11
# Crockford's base32 alphabet: no I, L, O or U, so a code read aloud or copied by hand survives.
_TYPEABLE = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_NONCE_BYTES = 12


def new_api_key() -> str:
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


def new_refresh_token() -> str:
    return REFRESH_TOKEN_PREFIX + secrets.token_urlsafe(32)


def shown_prefix(api_key: str) -> str:
    return api_key[:SHOWN_PREFIX_LENGTH]


def token_digest(value: str) -> str:
    """SHA-256 of a long random credential (an API key, a refresh token)."""
    return hashlib.sha256(value.encode()).hexdigest()


def _typeable(length: int, group: int) -> str:
    chars = "".join(secrets.choice(_TYPEABLE) for _ in range(length))
    return "-".join(chars[i : i + group] for i in range(0, length, group))


def new_activation_code() -> str:
    """80 random bits, as XXXX-XXXX-XXXX-XXXX."""
    return _typeable(16, 4)


def new_recovery_code() -> str:
    """50 random bits, as XXXXX-XXXXX."""
    return _typeable(10, 5)


def normalise_code(code: str) -> str:
    """What a person typed, as it was handed out: case, spaces and dashes do not matter."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


class CodeDigests:
    """Keyed digests of typed codes, one purpose apart from another."""

    def __init__(self, token_secret: str) -> None:
        self._key = hmac.new(token_secret.encode(), b"fairpath one-time codes", hashlib.sha256).digest()

    def digest(self, purpose: str, code: str) -> str:
        return hmac.new(self._key, f"{purpose}|{normalise_code(code)}".encode(), hashlib.sha256).hexdigest()

    def matches(self, purpose: str, code: str, stored: str | None) -> bool:
        return stored is not None and hmac.compare_digest(self.digest(purpose, code), stored)


class UnreadableSecret(RuntimeError):
    """A sealed TOTP secret did not open: another key, or it was moved to another user."""


class SecretSealer:
    """Seals TOTP secrets at rest (AES-256-GCM; the user id is the associated data)."""

    def __init__(self, key_text: str) -> None:
        self._aead = AESGCM(hashlib.sha256(b"fairpath totp|" + key_text.encode()).digest())

    def seal(self, secret: str, user_id: uuid.UUID) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, secret.encode(), user_id.bytes)
        return base64.urlsafe_b64encode(nonce + sealed).decode()

    def open(self, sealed: str, user_id: uuid.UUID) -> str:
        try:
            blob = base64.urlsafe_b64decode(sealed)
            return self._aead.decrypt(blob[:_NONCE_BYTES], blob[_NONCE_BYTES:], user_id.bytes).decode()
        except (InvalidTag, ValueError, binascii.Error):
            raise UnreadableSecret("a TOTP secret does not open with FAIRPATH_GATEWAY_TOTP_KEY") from None

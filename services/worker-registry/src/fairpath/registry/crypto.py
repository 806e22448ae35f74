"""Field-level authenticated encryption of personal data (IRIS F), and keyed hashes to find duplicates.

Each value is sealed with AES-256-GCM under the active key and stored as
`<key id>:<base64url(nonce || ciphertext || tag)>`, so a value names the key that opens
it and keys rotate without downtime: a new key goes first in the key ring, old ones
keep decrypting until `reencrypt` has moved their values. The associated data binds a
value to its record and field, so a ciphertext copied into another row does not open.
"""

import base64
import binascii
import hashlib
import hmac
import os
import re
import unicodedata
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_NONCE_BYTES = 12
_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


class KeyRingError(ValueError):
    """The configured keys cannot be used."""


class UndecryptableValue(RuntimeError):
    """A stored value did not open: an unknown key id, or it was altered or moved."""


def _b64decode(text: str) -> bytes:
    text = text.strip()
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise KeyRingError("a key is not base64") from None


def parse_key_ring(spec: str) -> list[tuple[str, bytes]]:
    """`id:base64key,id:base64key` → [(id, key)], the active key first."""
    ring: list[tuple[str, bytes]] = []
    for part in (p.strip() for p in spec.split(",") if p.strip()):
        key_id, sep, encoded = part.partition(":")
        if not sep or not _KEY_ID.match(key_id):
            raise KeyRingError("each key is written id:base64key")
        key = _b64decode(encoded.replace("+", "-").replace("/", "_"))
        if len(key) != 32:
            raise KeyRingError(f"key {key_id} is {len(key)} bytes; AES-256 needs 32")
        if any(existing == key_id for existing, _ in ring):
            raise KeyRingError(f"key id {key_id} appears twice")
        ring.append((key_id, key))
    if not ring:
        raise KeyRingError("no encryption key configured")
    return ring


@dataclass(frozen=True)
class Sealed:
    key_id: str
    value: str


class FieldCipher:
    """Seals and opens single field values; one per process, built from the settings."""

    def __init__(self, key_ring: str, hash_key: str) -> None:
        ring = parse_key_ring(key_ring)
        self.active_key_id = ring[0][0]
        self._keys = {key_id: AESGCM(key) for key_id, key in ring}
        self._hash_key = hash_key.encode()

    @property
    def rotating(self) -> bool:
        """More than one key: values under the older ones are still to be moved."""
        return len(self._keys) > 1

    @staticmethod
    def _aad(record: str, field: str) -> bytes:
        return f"{record}|{field}".encode()

    def seal(self, plaintext: str | None, *, record: object, field: str) -> str | None:
        if plaintext is None:
            return None
        nonce = os.urandom(_NONCE_BYTES)
        ciphertext = self._keys[self.active_key_id].encrypt(nonce, plaintext.encode(), self._aad(str(record), field))
        return f"{self.active_key_id}:{base64.urlsafe_b64encode(nonce + ciphertext).decode().rstrip('=')}"

    def open(self, stored: str | None, *, record: object, field: str) -> str | None:
        if stored is None:
            return None
        key_id, _, encoded = stored.partition(":")
        aead = self._keys.get(key_id)
        if aead is None:
            raise UndecryptableValue(f"no key {key_id} in the key ring")
        try:
            blob = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
            return aead.decrypt(blob[:_NONCE_BYTES], blob[_NONCE_BYTES:], self._aad(str(record), field)).decode()
        except (InvalidTag, ValueError, binascii.Error):
            raise UndecryptableValue(f"{field} of {record} does not open") from None

    @staticmethod
    def key_id_of(stored: str | None) -> str | None:
        return stored.partition(":")[0] if stored else None

    def needs_reencryption(self, stored: str | None) -> bool:
        return stored is not None and self.key_id_of(stored) != self.active_key_id

    def reseal(self, stored: str | None, *, record: object, field: str) -> str | None:
        """The same value under the active key."""
        return self.seal(self.open(stored, record=record, field=field), record=record, field=field)

    def blind_index(self, *parts: str) -> str:
        """A keyed hash of normalised parts: equal inputs match, the input cannot be read back or guessed offline."""
        normalised = "|".join(normalise_identifier(p) for p in parts)
        return hmac.new(self._hash_key, normalised.encode(), hashlib.sha256).hexdigest()


def normalise_identifier(value: str) -> str:
    """Upper case, compatibility-normalised, without spaces, dots and dashes: `ab 12-34` = `AB1234`."""
    folded = unicodedata.normalize("NFKC", value).upper()
    return "".join(ch for ch in folded if ch.isalnum())


def mask(value: str | None, visible: int = 4) -> str | None:
    """`P1234567` → `****4567`: enough to recognise, not enough to use."""
    if value is None:
        return None
    shown = value[-visible:] if len(value) > visible * 2 else ""
    return "*" * (len(value) - len(shown)) + shown

"""Signed checkpoints of a service's audit tree: tree size, root hash, time, signed with the service's Ed25519 key.

The signed text (docs/audit-formats.md), UTF-8, each line ending in a line feed:

    fairpath-audit-checkpoint/v1
    <service>
    <tree size, decimal>
    <root hash, 64 lowercase hex>
    <signed at, UTC, YYYY-MM-DDTHH:MM:SS.ffffffZ>
    <key id, 64 lowercase hex: SHA-256 of the raw 32-byte public key>

The signature is Ed25519 over those bytes, in standard base64. Keys are named by key id, so a service may
rotate its key: older checkpoints keep naming the key that signed them, and its public key stays listed.
"""

import base64
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.audit import AuditChain
from fairpath.common.db import Database
from fairpath.common.timeutil import as_utc, utcnow

CHECKPOINT_FORMAT = "fairpath-audit-checkpoint/v1"


def format_time(moment: datetime) -> str:
    return as_utc(moment).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def key_id_of(public_key: bytes) -> str:
    return hashlib.sha256(public_key).hexdigest()


def checkpoint_text(*, service: str, tree_size: int, root_hash: str, signed_at: str, key_id: str) -> str:
    """The exact text a checkpoint's signature covers (`signed_at` already formatted)."""
    return f"{CHECKPOINT_FORMAT}\n{service}\n{tree_size}\n{root_hash}\n{signed_at}\n{key_id}\n"


@dataclass(frozen=True)
class Checkpoint:
    service: str
    tree_size: int
    root_hash: str
    signed_at: str
    key_id: str
    signature: str

    def text(self) -> str:
        return checkpoint_text(
            service=self.service,
            tree_size=self.tree_size,
            root_hash=self.root_hash,
            signed_at=self.signed_at,
            key_id=self.key_id,
        )

    def as_json(self) -> dict[str, Any]:
        return self.__dict__.copy()

    @classmethod
    def from_row(cls, service: str, row: Any) -> "Checkpoint":
        return cls(
            service=service,
            tree_size=row.tree_size,
            root_hash=row.root_hash,
            signed_at=format_time(row.signed_at),
            key_id=row.key_id,
            signature=row.signature,
        )


def signature_holds(checkpoint: Checkpoint, public_key_b64: str) -> bool:
    """Does the checkpoint's signature verify under this public key (raw 32 bytes, base64), and is it the key
    the checkpoint names?"""
    try:
        raw = base64.b64decode(public_key_b64, validate=True)
        if key_id_of(raw) != checkpoint.key_id:
            return False
        Ed25519PublicKey.from_public_bytes(raw).verify(
            base64.b64decode(checkpoint.signature, validate=True), checkpoint.text().encode()
        )
    except (InvalidSignature, ValueError):
        return False
    return True


class CheckpointSigner:
    """A service's checkpoint key, loaded once from its PEM setting."""

    def __init__(self, service: str, private_pem: str) -> None:
        key = serialization.load_pem_private_key(private_pem.encode(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("the audit signing key must be an Ed25519 private key (PEM)")
        self.service = service
        self._key = key
        raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self.public_key = base64.b64encode(raw).decode()
        self.key_id = key_id_of(raw)

    def sign(self, tree_size: int, root_hash: str, signed_at: datetime) -> Checkpoint:
        unsigned = Checkpoint(self.service, tree_size, root_hash, format_time(signed_at), self.key_id, "")
        signature = base64.b64encode(self._key.sign(unsigned.text().encode())).decode()
        return Checkpoint(self.service, tree_size, root_hash, unsigned.signed_at, self.key_id, signature)


class EmptyChain(Exception):
    """There is nothing to sign yet."""


async def sign_checkpoint(database: Database, chain: AuditChain, signer: CheckpointSigner) -> tuple[Checkpoint, bool]:
    """Sign the tree at the chain's head now; (checkpoint, True) if new, or this key's checkpoint of that size
    if there is one already (the tree has not grown, or another replica signed it a moment ago)."""
    tables = chain.proof
    async with database.session(read_only=True) as session:
        size, _ = await chain.head_of(session)
        if size == 0:
            raise EmptyChain("the audit chain has no entries yet")
        existing = await _checkpoint_at(session, chain, size, signer.key_id)
        if existing is not None:
            return Checkpoint.from_row(signer.service, existing), False
        root = (await chain.root(session, size)).hex()
    checkpoint = signer.sign(size, root, utcnow())
    try:
        async with database.session() as session:
            known = await session.execute(
                select(tables.signing_key.c.key_id).where(tables.signing_key.c.key_id == signer.key_id)
            )
            if known.first() is None:
                await session.execute(
                    insert(tables.signing_key).values(
                        key_id=signer.key_id, public_key=signer.public_key, first_used_at=utcnow()
                    )
                )
            await session.execute(
                insert(tables.checkpoint).values(
                    tree_size=size,
                    key_id=signer.key_id,
                    root_hash=root,
                    signed_at=datetime.strptime(checkpoint.signed_at, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC),
                    signature=checkpoint.signature,
                )
            )
    except IntegrityError:  # another replica signed the same size (or registered the key) first
        async with database.session(read_only=True) as session:
            existing = await _checkpoint_at(session, chain, size, signer.key_id)
        if existing is None:
            raise
        return Checkpoint.from_row(signer.service, existing), False
    return checkpoint, True


async def _checkpoint_at(session: AsyncSession, chain: AuditChain, size: int, key_id: str) -> Any:
    table = chain.proof.checkpoint
    return (
        await session.execute(select(table).where(table.c.tree_size == size, table.c.key_id == key_id))
    ).one_or_none()


async def list_checkpoints(
    session: AsyncSession, chain: AuditChain, service: str, *, after: int = 0, limit: int = 100
) -> tuple[list[Checkpoint], list[dict[str, str]], int | None]:
    """Checkpoints by tree size (after a cursor), every public key that signed any, and the next cursor."""
    table, keys = chain.proof.checkpoint, chain.proof.signing_key
    rows = (
        await session.execute(
            select(table).where(table.c.tree_size > after).order_by(table.c.tree_size, table.c.key_id).limit(limit + 1)
        )
    ).all()
    more = len(rows) > limit
    items = [Checkpoint.from_row(service, r) for r in rows[:limit]]
    public = [
        {"key_id": r.key_id, "public_key": r.public_key, "first_used_at": format_time(r.first_used_at)}
        for r in (await session.execute(select(keys).order_by(keys.c.first_used_at))).all()
    ]
    return items, public, (items[-1].tree_size if more else None)

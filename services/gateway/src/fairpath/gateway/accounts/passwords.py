"""Passwords hashed with Argon2id (argon2-cffi), off the event loop.

A hash takes a tenth of a second of CPU by design; run on the event loop, sixteen sign-ins at once stall every
other request for seconds. So each hash and check runs in a worker thread, and no more of them at once than
the settings allow, so the loop and the rest of the machine keep answering. The parameters travel in the hash
(`$argon2id$v=19$m=65536,t=3,p=4$...`): a hash made with other ones is redone at the next sign-in.
"""

import asyncio
import os

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError


class Passwords:
    def __init__(self, *, time_cost: int, memory_kib: int, parallelism: int, concurrency: int | None = None) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID
        )
        self.concurrency = concurrency or max(1, (os.cpu_count() or 2) - 1)
        self._slots = asyncio.Semaphore(self.concurrency)
        self._dummy: str | None = None

    @property
    def parameters(self) -> str:
        """How new hashes are made, as the hash itself says it (`m=65536,t=3,p=4`)."""
        p = self._hasher
        return f"m={p.memory_cost},t={p.time_cost},p={p.parallelism}"

    def _hash_now(self, password: str) -> str:
        """In the calling thread: the launcher and the tests call it outside an event loop."""
        return self._hasher.hash(password)

    def _verify_now(self, stored: str, password: str) -> bool:
        try:
            return self._hasher.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    async def hash(self, password: str) -> str:
        async with self._slots:
            return await asyncio.to_thread(self._hash_now, password)

    async def verify(self, stored: str | None, password: str) -> bool:
        """Whether the password matches; a missing hash (an unknown user, a pending activation) is checked
        against a dummy one, so the answer takes as long either way."""
        if stored is None:
            if self._dummy is None:
                self._dummy = await self.hash("an unknown user's password")
            async with self._slots:
                await asyncio.to_thread(self._verify_now, self._dummy, password)
            return False
        async with self._slots:
            return await asyncio.to_thread(self._verify_now, stored, password)

    def needs_rehash(self, stored: str) -> bool:
        try:
            return self._hasher.check_needs_rehash(stored)
        except (InvalidHashError, ValueError):
            return True

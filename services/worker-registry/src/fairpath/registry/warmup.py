"""What the registry's write paths load on first use, loaded before the service reports ready
(after fairpath.common.warmup's common warming)."""

from fastapi import FastAPI

from fairpath.registry.crypto import FieldCipher

_RECORD, _FIELD = "warm-up", "warm-up"


async def warm_personal_data_cipher(app: FastAPI) -> None:
    """Seals, opens and blind-indexes a throwaway value: the cipher's keys and the cryptography backend ready."""
    cipher: FieldCipher = app.state.cipher
    cipher.open(cipher.seal("warm-up", record=_RECORD, field=_FIELD), record=_RECORD, field=_FIELD)
    cipher.blind_index("warm-up")


WARMS = (warm_personal_data_cipher,)

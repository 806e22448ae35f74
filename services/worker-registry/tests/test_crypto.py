"""Field encryption: each value names its key, keys rotate without downtime, altered or moved values do not open."""

import base64
import os
import uuid

import pytest
from sqlalchemy import select

from fairpath.common.config import CommonSettings, InsecureSettingsError
from fairpath.registry.config import RegistrySettings
from fairpath.registry.crypto import FieldCipher, KeyRingError, UndecryptableValue, mask, normalise_identifier
from fairpath.registry.rotation import reseal_batch
from fairpath.registry.workers.tables import Worker

from .conftest import TEST_HASH_KEY, TEST_KEY_RING, new_agency, register


def key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def test_a_new_key_encrypts_and_the_old_one_still_opens_old_values():
    old_key, new_key = key(), key()
    before = FieldCipher(f"k1:{old_key}", "h")
    sealed = before.seal("PA1234567", record="w1", field="document_number")
    assert sealed.startswith("k1:") and "PA1234567" not in sealed
    after = FieldCipher(f"k2:{new_key},k1:{old_key}", "h")
    assert after.open(sealed, record="w1", field="document_number") == "PA1234567"
    assert after.needs_reencryption(sealed)
    moved = after.reseal(sealed, record="w1", field="document_number")
    assert moved.startswith("k2:") and not after.needs_reencryption(moved)
    with pytest.raises(UndecryptableValue):
        FieldCipher(f"k3:{key()}", "h").open(moved, record="w1", field="document_number")


def test_a_value_moved_to_another_record_or_field_or_altered_does_not_open():
    cipher = FieldCipher(f"k1:{key()}", "h")
    sealed = cipher.seal("+9779812345678", record="w1", field="phone")
    for record, field in (("w2", "phone"), ("w1", "full_name")):
        with pytest.raises(UndecryptableValue):
            cipher.open(sealed, record=record, field=field)
    tampered = sealed[:-2] + ("A" if sealed[-2] != "A" else "B") + sealed[-1]
    with pytest.raises(UndecryptableValue):
        cipher.open(tampered, record="w1", field="phone")


def test_identical_values_seal_differently_but_hash_alike():
    cipher = FieldCipher(f"k1:{key()}", "h")
    assert cipher.seal("x", record="w", field="f") != cipher.seal("x", record="w", field="f")
    assert cipher.blind_index("NP", "passport", "pa 123-4567") == cipher.blind_index("NP", "passport", "PA1234567")
    assert FieldCipher(f"k1:{key()}", "other").blind_index("NP", "passport", "PA1234567") != cipher.blind_index(
        "NP", "passport", "PA1234567"
    )
    assert normalise_identifier("ab.12-3 4") == "AB1234"


@pytest.mark.parametrize(
    "ring",
    ["", "k1", "k1:c2hvcnQ=", f"k1:{key()},k1:{key()}", f"bad id:{key()}"],
    ids=["empty", "no_key", "short_key", "one_id_twice", "bad_id"],
)
def test_unusable_key_rings_are_refused(ring):
    with pytest.raises(KeyRingError):
        FieldCipher(ring, "h")


def test_keys_are_generated_in_development_and_required_elsewhere(tmp_path):
    dev = CommonSettings(env="development", var_dir=tmp_path, principal_public_key="x", audit_digest_key="y")
    first = RegistrySettings(common=dev)
    assert first.encryption_keys.startswith("dev1:") and first.hash_key
    assert RegistrySettings(common=dev).encryption_keys == first.encryption_keys, "generated once, then reused"
    FieldCipher(first.encryption_keys, first.hash_key)
    prod = CommonSettings(env="production", var_dir=tmp_path, principal_public_key="x", audit_digest_key="y")
    with pytest.raises(InsecureSettingsError):
        RegistrySettings(common=prod, database_url="sqlite+aiosqlite:///x.db")


def test_masking_keeps_only_the_tail():
    assert mask("PA1234567") == "*****4567" and mask("+9779812345678", visible=2) == "************78"
    assert mask("1234") == "****" and mask(None) is None


async def test_rotation_moves_stored_values_to_the_new_key_and_they_still_open(registry, registry_app, minter):
    agency = new_agency()
    created = await register(registry, minter, agency)
    new_key = key()
    rotated = FieldCipher(f"k2027:{new_key},{TEST_KEY_RING}", TEST_HASH_KEY)
    assert rotated.rotating and not FieldCipher(TEST_KEY_RING, TEST_HASH_KEY).rotating
    while await reseal_batch(registry_app.state.database, rotated, batch=200):
        pass
    async with registry_app.state.database.session(read_only=True) as s:
        worker = await s.get(Worker, uuid.UUID(created["id"]))
        stale = (await s.execute(select(Worker.id).where(~Worker.full_name_sealed.startswith("k2027:")))).first()
    assert stale is None
    assert rotated.open(worker.full_name_sealed, record=worker.id, field="full_name") == "Sita Gurung"
    assert (
        rotated.open(worker.document_number_sealed, record=worker.id, field="document_number")
        == created["identity_document"]["number"]
    )
    # And back under the app's own key, which the other tests' app opens.
    back = FieldCipher(f"{TEST_KEY_RING},k2027:{new_key}", TEST_HASH_KEY)
    while await reseal_batch(registry_app.state.database, back, batch=200):
        pass
    got = await registry.get(f"/v1/workers/{created['id']}", headers=minter.headers(agency))
    assert got.json()["full_name"] == "Sita Gurung"

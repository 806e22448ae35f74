"""RFC 9162 Merkle hashing and proofs against the Certificate Transparency reference vectors
(transparency-dev/merkle testonly/constants.go and proof/verify_test.go, the RFC 6962 / 9162 test data)."""

import hashlib

import pytest

from fairpath.common import merkle

LEAVES = [bytes.fromhex(h) for h in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f")]  # fmt: skip
ROOTS = {
    0: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    1: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    2: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    3: "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    4: "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    5: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    6: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    7: "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    8: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
}
# (leaf index, tree size, audit path)
INCLUSION = [
    (0, 1, []),
    (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]  # fmt: skip
# (first size, second size, proof)
CONSISTENCY = [
    (1, 1, []),
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
    (6, 7, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
]  # fmt: skip

TREE = merkle.MemoryTree(merkle.leaf_hash(leaf) for leaf in LEAVES)


def hexes(values: list[bytes]) -> list[str]:
    return [v.hex() for v in values]


def test_leaf_and_node_hashes_carry_the_rfc_9162_domain_prefixes():
    assert merkle.leaf_hash(b"x") == hashlib.sha256(b"\x00x").digest()
    assert merkle.node_hash(b"l", b"r") == hashlib.sha256(b"\x01lr").digest()
    assert merkle.EMPTY_ROOT.hex() == ROOTS[0]


@pytest.mark.parametrize("size", sorted(ROOTS))
def test_root_of_every_prefix_matches_the_reference_vectors(size):
    assert TREE.root(size).hex() == ROOTS[size]


@pytest.mark.parametrize(("index", "size", "path"), INCLUSION)
def test_inclusion_proofs_match_the_reference_vectors_and_verify(index, size, path):
    assert hexes(TREE.inclusion_proof(index, size)) == path
    leaf = merkle.leaf_hash(LEAVES[index])
    proof = [bytes.fromhex(p) for p in path]
    assert merkle.verify_inclusion(index, size, leaf, proof, bytes.fromhex(ROOTS[size]))


@pytest.mark.parametrize(("first", "second", "path"), CONSISTENCY)
def test_consistency_proofs_match_the_reference_vectors_and_verify(first, second, path):
    assert hexes(TREE.consistency_proof(first, second)) == path
    proof = [bytes.fromhex(p) for p in path]
    assert merkle.verify_consistency(first, second, bytes.fromhex(ROOTS[first]), bytes.fromhex(ROOTS[second]), proof)


def test_an_inclusion_proof_does_not_verify_for_another_leaf_index_size_root_or_a_changed_path():
    index, size, path = INCLUSION[2]
    leaf, root = merkle.leaf_hash(LEAVES[index]), bytes.fromhex(ROOTS[size])
    proof = [bytes.fromhex(p) for p in path]
    flipped = [bytes([proof[0][0] ^ 8]) + proof[0][1:], *proof[1:]]
    for args in (
        (index - 1, size, leaf, proof, root),
        (index + 1, size, leaf, proof, root),
        (index, size * 2, leaf, proof, root),
        (index, size // 2, leaf, proof, root),
        (index, size, merkle.leaf_hash(b"wrong"), proof, root),
        (index, size, leaf, proof, merkle.EMPTY_ROOT),
        (index, size, leaf, [*proof, root], root),
        (index, size, leaf, [root, *proof], root),
        (index, size, leaf, proof[:-1], root),
        (index, size, leaf, flipped, root),
    ):
        assert not merkle.verify_inclusion(*args)


def test_a_consistency_proof_does_not_verify_for_other_sizes_roots_or_a_changed_proof():
    first, second, path = CONSISTENCY[2]
    r1, r2 = bytes.fromhex(ROOTS[first]), bytes.fromhex(ROOTS[second])
    proof = [bytes.fromhex(p) for p in path]
    flipped = [proof[0], bytes([proof[1][0] ^ 16]) + proof[1][1:], *proof[2:]]
    for args in (
        (first - 1, second, r1, r2, proof),
        (first + 1, second, r1, r2, proof),
        (first, second * 2, r1, r2, proof),
        (first, second, r2, r1, proof),
        (first, second, r1, merkle.EMPTY_ROOT, proof),
        (first, second, r1, r2, []),
        (first, second, r1, r2, [*proof, r1]),
        (first, second, r1, r2, [proof[0], *proof]),
        (first, second, r1, r2, proof[:-1]),
        (first, second, r1, r2, flipped),
        (second, first, r2, r1, proof),
    ):
        assert not merkle.verify_consistency(*args)


def test_proofs_from_stored_subtrees_agree_with_the_definition_for_every_size_up_to_70():
    leaves = [merkle.leaf_hash(i.to_bytes(2, "big")) for i in range(70)]

    def mth(hashes: list[bytes]) -> bytes:  # RFC 9162 2.1.1, literally
        if not hashes:
            return merkle.EMPTY_ROOT
        if len(hashes) == 1:
            return hashes[0]
        k = 1 << ((len(hashes) - 1).bit_length() - 1)
        return merkle.node_hash(mth(hashes[:k]), mth(hashes[k:]))

    tree, compact = merkle.MemoryTree(leaves), merkle.CompactRange()
    for size in range(1, 71):
        compact.append(leaves[size - 1])
        root = mth(leaves[:size])
        assert tree.root(size) == root == compact.root()
        for index in range(size):
            assert merkle.verify_inclusion(index, size, leaves[index], tree.inclusion_proof(index, size), root)
        for first in range(1, size + 1):
            proof = tree.consistency_proof(first, size)
            assert merkle.verify_consistency(first, size, mth(leaves[:first]), root, proof)

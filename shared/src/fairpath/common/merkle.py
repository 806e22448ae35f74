"""Merkle trees with RFC 9162 (Certificate Transparency 2.0) hashing, and their proofs.

    leaf hash  = SHA-256(0x00 || leaf bytes)
    node hash  = SHA-256(0x01 || left || right)
    empty tree = SHA-256("")

MTH(D[0:n]) splits at k, the largest power of two below n (RFC 9162 2.1.1). The proofs are
RFC 9162's PATH (2.1.3.1) and SUBPROOF (2.1.4.1); the verifiers are its algorithms 2.1.3.2 and 2.1.4.2.

Storage-agnostic: a tree is read through its complete subtrees, keyed (level, index) (the subtree of
2^level leaves starting at leaf index * 2^level). Every hash a proof needs is a range of leaves whose width
is at most its start's alignment, so it is a few complete subtrees: `proof_keys` names all of them up front,
and a store reads them at once (one query), then `range_hash` folds them. O(log n) reads, never the leaves.
"""

import hashlib
from collections.abc import Iterable, Mapping, Sequence

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = hashlib.sha256(b"").digest()
_sha256 = hashlib.sha256

NodeKey = tuple[int, int]  # (level, index)
LeafRange = tuple[int, int]  # [start, end) in leaf indexes


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def _split(width: int) -> int:
    """The largest power of two smaller than width (width > 1)."""
    return 1 << ((width - 1).bit_length() - 1)


def inclusion_ranges(index: int, size: int) -> list[LeafRange]:
    """The subtrees whose hashes make PATH(index, D[0:size]), in proof order (nearest the leaf first)."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of size {size}")
    ranges: list[LeafRange] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = _split(hi - lo)
        if index - lo < k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo += k
    return ranges[::-1]


def consistency_ranges(first: int, second: int) -> list[LeafRange]:
    """The subtrees whose hashes make PROOF(first, D[0:second]) = SUBPROOF(first, D[0:second], true)."""
    if not 0 < first <= second:
        raise ValueError(f"no consistency proof from a tree of size {first} to one of size {second}")
    ranges: list[LeafRange] = []
    lo, hi, m, whole = 0, second, first, True
    while True:
        width = hi - lo
        if m == width:
            if not whole:
                ranges.append((lo, hi))
            break
        k = _split(width)
        if m <= k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo, m, whole = lo + k, m - k, False
    return ranges[::-1]


def subtree_keys(start: int, end: int) -> list[NodeKey]:
    """The complete subtrees that tile [start, end), left to right (largest first)."""
    keys: list[NodeKey] = []
    while start < end:
        level = (start & -start).bit_length() - 1 if start else (end - start).bit_length() - 1
        while start + (1 << level) > end:
            level -= 1
        keys.append((level, start >> level))
        start += 1 << level
    return keys


def range_hash(start: int, end: int, nodes: Mapping[NodeKey, bytes]) -> bytes:
    """MTH(D[start:end]) from its complete subtrees (a range as proofs and roots use: width at most
    start's alignment, so the tiles shrink from left to right and fold from the right)."""
    if start == end:
        return EMPTY_ROOT
    tiles = [nodes[key] for key in subtree_keys(start, end)]
    digest = tiles[-1]
    for tile in reversed(tiles[:-1]):
        digest = node_hash(tile, digest)
    return digest


def proof_keys(ranges: Iterable[LeafRange]) -> set[NodeKey]:
    """Every complete subtree the given ranges need: read them at once."""
    return {key for start, end in ranges for key in subtree_keys(start, end)}


def completed_nodes(index: int, leaf: bytes, known: Mapping[NodeKey, bytes]) -> list[tuple[NodeKey, bytes]]:
    """The complete subtrees a new leaf at `index` finishes: the leaf, then each parent whose left sibling
    (looked up in `known`: the tree's right edge) is there. `known` must hold the tree's frontier."""
    made = [((0, index), leaf)]
    level, position, digest = 0, index, leaf
    while position & 1:
        digest = node_hash(known[(level, position - 1)], digest)
        level, position = level + 1, position >> 1
        made.append(((level, position), digest))
    return made


def frontier_keys(size: int) -> list[NodeKey]:
    """The tree's right edge at this size: the complete subtrees a new leaf may need as left siblings."""
    return subtree_keys(0, size)


class CompactRange:
    """The root of a growing tree in O(log n) memory: a leaf at a time, as a verifier reads an export."""

    def __init__(self) -> None:
        self.size = 0
        self._stack: list[tuple[int, bytes]] = []  # (level, hash), levels strictly decreasing

    def append(self, leaf: bytes) -> None:
        stack, level = self._stack, 0
        while stack and stack[-1][0] == level:  # node_hash inlined: this runs once per entry a verifier reads
            leaf = _sha256(NODE_PREFIX + stack.pop()[1] + leaf).digest()
            level += 1
        stack.append((level, leaf))
        self.size += 1

    def root(self) -> bytes:
        if not self._stack:
            return EMPTY_ROOT
        digest = self._stack[-1][1]
        for _, tile in reversed(self._stack[:-1]):
            digest = node_hash(tile, digest)
        return digest


class MemoryTree:
    """A whole tree in memory (tests, benchmarks): every complete subtree kept, proofs as a store serves them."""

    def __init__(self, leaves: Iterable[bytes] = ()) -> None:
        self.nodes: dict[NodeKey, bytes] = {}
        self.size = 0
        for leaf in leaves:
            self.append(leaf)

    def append(self, leaf: bytes) -> None:
        self.nodes.update(completed_nodes(self.size, leaf, self.nodes))
        self.size += 1

    def root(self, size: int | None = None) -> bytes:
        return range_hash(0, self.size if size is None else size, self.nodes)

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        return [range_hash(lo, hi, self.nodes) for lo, hi in inclusion_ranges(index, size)]

    def consistency_proof(self, first: int, second: int) -> list[bytes]:
        return [range_hash(lo, hi, self.nodes) for lo, hi in consistency_ranges(first, second)]


def root_from_inclusion_proof(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes | None:
    """RFC 9162 2.1.3.2: the root the proof leads to from this leaf hash, or None if the proof cannot be one
    for this index and size (then it verifies nothing)."""
    if not 0 <= index < size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if len(p) != 32 or sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return r if sn == 0 else None


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes) -> bool:
    """Is the leaf hash at `index` in the tree of `size` leaves whose root is `root`?"""
    return len(root) == 32 and root_from_inclusion_proof(index, size, leaf, proof) == root


def verify_consistency(first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]) -> bool:
    """RFC 9162 2.1.4.2: is the tree of `first` leaves (first_root) a prefix of the tree of `second` leaves?"""
    if first > second or first < 0:
        return False
    if first == second:
        return first_root == second_root and not proof
    if first == 0:
        return not proof
    if not proof or any(len(p) != 32 for p in proof):
        return False
    path = list(proof)
    if first & (first - 1) == 0:  # a power of two: the first tree is a subtree the proof leaves out
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == first_root and sr == second_root

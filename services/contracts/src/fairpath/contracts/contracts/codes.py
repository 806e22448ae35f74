"""Verification codes: one per contract version, printed on its document (and in its QR code).

Random, 65 bits from `secrets` (13 characters of Crockford's base32, which has no I, L, O or U), so that a code
cannot be guessed; shown in groups of four (`7KQ2-M9XD-4RTH-W`) and read back with or without the dashes, in
any case, an O taken for 0 and an I or L for 1, as a person copying it from paper may type it.
"""

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 13  # 13 x 5 = 65 bits
_CONFUSED = str.maketrans({"O": "0", "I": "1", "L": "1"})
_VALID = re.compile(f"[{ALPHABET}]{{{LENGTH}}}")
# What may stand between characters as typed: dashes and spaces.
_SEPARATORS = re.compile(r"[\s\-]+")


def new_code() -> str:
    """A fresh code, as stored (13 characters, no dashes)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def grouped(code: str) -> str:
    """A stored code as printed: groups of four, `7KQ2-M9XD-4RTH-W`."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalised(typed: str) -> str | None:
    """A code as stored, from what someone typed; None when it cannot be a code (too long, short or foreign)."""
    if len(typed) > 2 * LENGTH:
        return None
    code = _SEPARATORS.sub("", typed).upper().translate(_CONFUSED)
    return code if _VALID.fullmatch(code) else None

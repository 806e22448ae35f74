"""Time-based one-time passwords (RFC 6238, pyotp): six digits, 30-second steps, one step of drift allowed.

The steps follow the real time, never the movable clock of `fairpath.common.clock`: the person's phone
does not know that an operator moved the system's date.
"""

import hmac
import time

import pyotp

ISSUER_NAME = "Fairpath"
STEP_SECONDS = 30
# A code of the step before or after this one is still accepted (a phone a little fast or slow).
DRIFT_STEPS = 1


def new_secret() -> str:
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, username: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER_NAME)


def matching_step(secret: str, code: str, *, now: float | None = None) -> int | None:
    """The time step the code belongs to, or None when it matches none near now."""
    digits = "".join(ch for ch in code if not ch.isspace())
    if len(digits) != 6 or not digits.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = int(time.time() if now is None else now) // STEP_SECONDS
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), digits):
            return step
    return None

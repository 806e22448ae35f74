"""Rate limits (requests per client address, API key and user) and the throttle on failed sign-ins, counted
with the `limits` package in memory or in a store every replica shares.

A request spends one unit of every window of each limit that applies; the tightest window's usage goes back in
the RateLimit-* headers, and a spent window is answered 429 with Retry-After. A store that fails lets requests
through (logged), but never a sign-in: that is refused with a 503 until the store answers again.
"""

import hashlib
import logging
import math
import time
from dataclasses import dataclass, field

from limits import RateLimitItem, parse_many
from limits.aio.strategies import STRATEGIES, MovingWindowRateLimiter, RateLimiter
from limits.errors import ConfigurationError
from limits.storage import storage_from_string
from starlette.types import Scope

from fairpath.common.errors import DomainError, ServiceUnavailable

log = logging.getLogger("fairpath.gateway.limits")

# The request's rate-limit usage, kept in its ASGI scope for the middleware to write the headers from.
USAGE_KEY = "fairpath.rate_limit"


class Throttled(DomainError):
    """A 429 with the seconds to wait (`Retry-After`)."""

    status, name, title = 429, "too_many_requests", "Too many requests"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class RateLimited(Throttled):
    description = (
        "too many requests from this client address, API key or user: wait `Retry-After` seconds "
        "(the `RateLimit-*` headers of every answer say how many are left)"
    )


class TooManyFailedSignIns(Throttled):
    name, title = "too_many_failed_sign_ins", "Too many failed sign-ins"
    description = (
        "too many wrong passwords or codes for this account or from this address: signing in is refused, "
        "even with the right password, for `Retry-After` seconds"
    )


@dataclass(frozen=True)
class Usage:
    """One window of a limit after this request: its size, what is left, and when it frees up."""

    limit: int
    remaining: int
    reset_after: int
    exceeded: bool = False


@dataclass
class RequestUsage:
    """The tightest window any limit of this request has left."""

    tightest: Usage | None = None

    def note(self, usage: Usage | None) -> None:
        if usage is None or (self.tightest is not None and self.tightest.exceeded):
            return
        if self.tightest is None or usage.exceeded or usage.remaining < self.tightest.remaining:
            self.tightest = usage


def _seconds_until(moment: float) -> int:
    return max(0, math.ceil(moment - time.time()))


def _async_storage(url: str):  # noqa: ANN202 - one of limits' async storages
    scheme = url.partition("://")[0]
    try:
        return storage_from_string(url if scheme.startswith("async+") else f"async+{url}")
    except ConfigurationError as exc:
        raise ValueError(f"rate limit storage {scheme}:// is not usable here: {exc}") from None


@dataclass
class RateLimits:
    limiter: RateLimiter
    windows: dict[str, list[RateLimitItem]] = field(default_factory=dict)

    @classmethod
    def create(
        cls, *, storage_url: str, strategy: str, per_address: str, per_api_key: str, per_user: str
    ) -> "RateLimits":
        storage = _async_storage(storage_url)
        windows = {"address": parse_many(per_address), "key": parse_many(per_api_key), "user": parse_many(per_user)}
        return cls(limiter=STRATEGIES[strategy](storage), windows=windows)

    async def spend(self, kind: str, identifier: str) -> Usage | None:
        """One request against each window of the kind's limit: the usage of the tightest, or of the one spent."""
        tightest: Usage | None = None
        try:
            for item in self.windows[kind]:
                allowed = await self.limiter.hit(item, kind, identifier)
                stats = await self.limiter.get_window_stats(item, kind, identifier)
                usage = Usage(item.amount, stats.remaining, _seconds_until(stats.reset_time), exceeded=not allowed)
                if not allowed:
                    return usage
                if tightest is None or usage.remaining < tightest.remaining:
                    tightest = usage
        except Exception as exc:  # noqa: BLE001 - a store that fails must not stop the API: let the request through
            log.warning("rate limit store unavailable", extra={"error": type(exc).__name__})
        return tightest

    async def charge_public(self, scope: Scope, kind: str, limit: str, address: str) -> None:
        """A public path's own limit per client address (`limit`, in the `limits` notation, counted apart from
        the general one under `kind`): 429 once one of its windows is spent. No caller to charge otherwise."""
        if kind not in self.windows:
            self.windows[kind] = parse_many(limit)
        spent = await self.spend(kind, address)
        usage: RequestUsage | None = scope.get(USAGE_KEY)
        if usage is not None:
            usage.note(spent)
        if spent is not None and spent.exceeded:
            wait = max(1, spent.reset_after)
            raise RateLimited(
                f"this address made more than {spent.limit} requests to this public path in the window: "
                f"try again in {wait} s",
                retry_after=wait,
            )

    async def charge_caller(self, scope: Scope, *, api_key_id: object | None, user_id: object | None) -> None:
        """The authenticated caller's limits: per API key (when it used one) and per user; 429 once one is spent."""
        usage: RequestUsage | None = scope.get(USAGE_KEY)
        for kind, identifier in (("key", api_key_id), ("user", user_id)):
            if identifier is None:
                continue
            spent = await self.spend(kind, str(identifier))
            if usage is not None:
                usage.note(spent)
            if spent is not None and spent.exceeded:
                whose = "API key" if kind == "key" else "user"
                raise RateLimited(
                    f"this {whose} made more than {spent.limit} requests in the window: "
                    f"try again in {max(1, spent.reset_after)} s",
                    retry_after=max(1, spent.reset_after),
                )


def _digest(text: str) -> str:
    """Usernames never reach the store as they are (a shared store is not where personal data goes)."""
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class SignInFailures:
    """Sign-in attempts counted per account, failed ones per client address, in moving windows. An attempt takes
    its account's unit before the password is checked (so a burst of guesses at once is counted too) and the
    right credentials give the account's units back; once either window is spent, every attempt is refused
    before the password is checked, the right one too, until the oldest failure leaves the window."""

    def __init__(self, *, storage_url: str, per_account: str, per_address: str) -> None:
        storage = _async_storage(storage_url)
        try:
            self.limiter: RateLimiter = MovingWindowRateLimiter(storage)
        except NotImplementedError:  # a store without moving windows (memcached)
            self.limiter = STRATEGIES["fixed-window"](storage)
        self.per_account = parse_many(per_account)
        self.per_address = parse_many(per_address)

    async def _refuse(self, item: RateLimitItem, *identifiers: str) -> None:
        stats = await self.limiter.get_window_stats(item, *identifiers)
        wait = max(1, _seconds_until(stats.reset_time))
        raise TooManyFailedSignIns(
            f"too many failed sign-ins for this account or from this address: try again in {wait} s",
            retry_after=wait,
        )

    async def attempt(self, account: str, address: str) -> None:
        """Before the credentials are checked: 429 when the account or the address has no attempt left."""
        account_key = ("sign-in", "account", _digest(account))
        try:
            for item in self.per_address:
                if not await self.limiter.test(item, "sign-in", "address", address):
                    await self._refuse(item, "sign-in", "address", address)
            for item in self.per_account:
                if not await self.limiter.hit(item, *account_key):
                    await self._refuse(item, *account_key)
        except TooManyFailedSignIns:
            raise
        except Exception as exc:  # noqa: BLE001 - without its counts no password is checked: refuse, say why
            log.warning("sign-in throttle store unavailable", extra={"error": type(exc).__name__})
            raise ServiceUnavailable("signing in is unavailable for a moment: try again shortly") from None

    async def failed(self, address: str) -> None:
        """Wrong credentials: the address's unit too (the account's was taken by the attempt)."""
        try:
            for item in self.per_address:
                await self.limiter.hit(item, "sign-in", "address", address)
        except Exception as exc:  # noqa: BLE001 - the failure itself is still answered
            log.warning("sign-in throttle store unavailable", extra={"error": type(exc).__name__})

    async def succeeded(self, account: str) -> None:
        """The right credentials give the account its attempts back (never the address)."""
        try:
            for item in self.per_account:
                await self.limiter.clear(item, "sign-in", "account", _digest(account))
        except Exception as exc:  # noqa: BLE001 - the sign-in stands
            log.warning("sign-in throttle store unavailable", extra={"error": type(exc).__name__})

"""What the accounts code needs besides a database session, made once per process from the settings: the
password hasher, the token issuer, the code digests, the TOTP sealer and the single sign-on keys."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

import httpx
from fastapi import Depends, Request

from fairpath.gateway.accounts.codes import CodeDigests, SecretSealer
from fairpath.gateway.accounts.passwords import Passwords
from fairpath.gateway.accounts.sso import SsoKeys
from fairpath.gateway.accounts.tokens import AccessTokens
from fairpath.gateway.config import GatewaySettings


@dataclass
class Accounts:
    passwords: Passwords
    tokens: AccessTokens
    codes: CodeDigests
    sealer: SecretSealer
    sso_keys: SsoKeys
    refresh_ttl: timedelta
    activation_ttl: timedelta
    production: bool

    @classmethod
    def from_settings(cls, settings: GatewaySettings, http: httpx.AsyncClient | None = None) -> "Accounts":
        return cls(
            passwords=Passwords(
                time_cost=settings.password_hash_time_cost,
                memory_kib=settings.password_hash_memory_kib,
                parallelism=settings.password_hash_parallelism,
                concurrency=settings.password_hash_concurrency,
            ),
            tokens=AccessTokens(
                secret=settings.token_secret,
                algorithm=settings.token_algorithm,
                issuer=settings.token_issuer,
                ttl_seconds=settings.access_token_ttl_seconds,
            ),
            codes=CodeDigests(settings.token_secret),
            sealer=SecretSealer(settings.totp_key),
            sso_keys=SsoKeys(http or httpx.AsyncClient(follow_redirects=False)),
            refresh_ttl=timedelta(seconds=settings.refresh_token_ttl_seconds),
            activation_ttl=timedelta(seconds=settings.activation_code_ttl_seconds),
            production=settings.common.is_production,
        )

    async def close(self) -> None:
        await self.sso_keys.client.aclose()


def _accounts(request: Request) -> Accounts:
    return request.app.state.accounts


AccountsDep = Annotated[Accounts, Depends(_accounts)]

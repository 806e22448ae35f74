"""Settings of the gateway (prefix FAIRPATH_GATEWAY_)."""

import ipaddress
from pathlib import Path
from typing import Any, ClassVar, Literal

from limits import parse_many
from pydantic import Field, create_model, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from fairpath.common import secrets
from fairpath.common.config import InsecureSettingsError, ServiceSettings
from fairpath.common.services import DOMAIN_SERVICES, GATEWAY, ServiceSpec


def upstream_urls_field(service: ServiceSpec) -> str:
    """The setting that lists a domain service's replicas: `vetting_urls`, `contracts_urls`, ..."""
    return f"{service.name}_urls"


def upstream_urls_env(service: ServiceSpec) -> str:
    """Its environment variable: FAIRPATH_GATEWAY_VETTING_URLS, FAIRPATH_GATEWAY_CONTRACTS_URLS, ..."""
    return f"{GATEWAY.settings_prefix}{upstream_urls_field(service).upper()}"


_MIN_SECRET_BYTES = 32
# OWASP's floor for Argon2id (19 MiB, t=2, p=1); the default is RFC 9106's second recommendation (64 MiB, t=3, p=4).
_OWASP_MIN_MEMORY_KIB = 19456

# One setting per domain service in fairpath.common.services, each the comma-separated base URLs of
# its replicas, by default the service on this machine at its own port. Built from the list so that a
# service added there is routed to without another line here.
_UpstreamSettings: Any = create_model(
    "_UpstreamSettings",
    __base__=ServiceSettings,
    **{upstream_urls_field(spec): (str, f"http://127.0.0.1:{spec.port}") for spec in DOMAIN_SERVICES},
)


class GatewaySettings(_UpstreamSettings):
    model_config = SettingsConfigDict(env_prefix=GATEWAY.settings_prefix, extra="ignore")
    service_name: ClassVar[str] = GATEWAY.name
    default_port: ClassVar[int] = GATEWAY.port

    # Ed25519 private key (PEM) that signs the principal forwarded to services.
    principal_signing_key: str = ""
    principal_ttl_seconds: int = Field(default=60, ge=5, le=900)

    # People's access tokens (`POST /v1/auth/token`): short-lived JWTs signed with this secret, then renewed with
    # a refresh token that rotates on every use and dies with its session.
    token_secret: str = ""
    token_algorithm: Literal["HS256", "HS384", "HS512"] = "HS256"
    token_issuer: str = Field(default="fairpath-gateway", min_length=1, max_length=200)
    access_token_ttl_seconds: int = Field(default=900, ge=60, le=3600)
    refresh_token_ttl_seconds: int = Field(default=14 * 86400, ge=3600, le=90 * 86400)
    # A one-time activation or reset code is good for this long.
    activation_code_ttl_seconds: int = Field(default=7 * 86400, ge=600, le=30 * 86400)
    # AES-256-GCM key (any text of at least 32 bytes; a key is derived from it) that seals TOTP secrets at rest.
    totp_key: str = ""

    # Argon2id parameters for new password hashes; a hash made with other ones is redone at the next sign-in.
    password_hash_time_cost: int = Field(default=3, ge=1, le=20)
    password_hash_memory_kib: int = Field(default=65536, ge=1024, le=1048576)
    password_hash_parallelism: int = Field(default=4, ge=1, le=16)
    # How many hashes run at once (in worker threads, so the event loop keeps answering); default: cores - 1.
    password_hash_concurrency: int | None = Field(default=None, ge=1, le=64)

    upstream_connect_timeout: float = 3.0
    # Each read a compliance dossier is made of (they run at once): past it, that part is marked missing.
    dossier_read_timeout: float = Field(default=10.0, gt=0, le=300)
    # Long enough for a watchlist import, which answers when the whole list is loaded.
    upstream_read_timeout: float = 300.0

    # Requests allowed per client address, per API key and per user, in the `limits` package's notation
    # ("20/second;600/minute": every window counts); past one, 429 with Retry-After. Raised for benchmarks.
    rate_limit_per_address: str = "50/second;3000/minute"
    rate_limit_per_api_key: str = "20/second;600/minute"
    rate_limit_per_user: str = "20/second;600/minute"
    # Requests per client address to the public, login-free check of a contract document
    # (GET /v1/verify/contracts/{code}), on top of the per-address limit: codes are not to be tried in bulk.
    rate_limit_verify: str = "30/minute"
    rate_limit_strategy: Literal["sliding-window-counter", "fixed-window", "moving-window"] = "sliding-window-counter"
    # Where the counters live: memory:// (this process), or a store every replica of the gateway shares
    # (redis://host:6379/0, memcached://host:11211, ...; its client library must be installed).
    rate_limit_storage_url: str = "memory://"
    # Failed sign-ins (a wrong password or second factor, an unknown username, a wrong activation code) allowed
    # per account and per client address; past that, signing in is refused, the right password too, until
    # the oldest failure leaves the window.
    sign_in_failures_per_account: str = "10/15 minutes"
    sign_in_failures_per_address: str = "30/15 minutes"
    # Proxies (addresses or networks, comma-separated) in front of the gateway whose X-Forwarded-For is believed:
    # the client is the first hop, from the right, that is not one of them. Empty: the connection's peer.
    trusted_proxies: str = ""
    # The largest request body (bytes): 413 beyond it, before it is read (Content-Length) or as soon as the
    # streamed body passes it. The streamed imports (watchlists, licence registers) have their own.
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    max_import_body_bytes: int = Field(default=200 * 1024 * 1024, ge=1024)
    # The portal's cookie session ends after this long without a page, and this long after sign-in at the latest.
    portal_idle_timeout_seconds: int = Field(default=30 * 60, ge=60, le=86400)
    portal_absolute_lifetime_seconds: int = Field(default=12 * 3600, ge=300, le=7 * 86400)

    @field_validator(
        "rate_limit_per_address",
        "rate_limit_per_api_key",
        "rate_limit_per_user",
        "rate_limit_verify",
        "sign_in_failures_per_account",
        "sign_in_failures_per_address",
    )
    @classmethod
    def _rate(cls, value: str) -> str:
        parse_many(value)  # a ValueError names the string that does not parse
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: str) -> str:
        for entry in value.split(","):
            if entry.strip():
                ipaddress.ip_network(entry.strip(), strict=False)
        return value

    @model_validator(mode="after")
    def _gateway_secrets(self) -> "GatewaySettings":
        common = self.common
        if not self.principal_signing_key:
            if not common.is_development:
                raise InsecureSettingsError("FAIRPATH_GATEWAY_PRINCIPAL_SIGNING_KEY must be set outside development")
            self.principal_signing_key = secrets.principal_keypair(common.var_dir).private_pem
        for name, file in (("token_secret", "gateway-token-secret"), ("totp_key", "gateway-totp-key")):
            value = getattr(self, name)
            if not value:
                if not common.is_development:
                    raise InsecureSettingsError(f"FAIRPATH_GATEWAY_{name.upper()} must be set outside development")
                setattr(self, name, secrets.random_secret(common.var_dir, file))
            elif len(value.encode()) < _MIN_SECRET_BYTES and not common.is_development:
                raise InsecureSettingsError(
                    f"FAIRPATH_GATEWAY_{name.upper()} must be at least {_MIN_SECRET_BYTES} bytes outside development"
                )
        if common.is_production and self.password_hash_memory_kib < _OWASP_MIN_MEMORY_KIB:
            raise InsecureSettingsError(
                f"FAIRPATH_GATEWAY_PASSWORD_HASH_MEMORY_KIB must be at least {_OWASP_MIN_MEMORY_KIB} in production"
            )
        return self

    @property
    def identities_file(self) -> Path:
        """The JSON identities file of earlier versions: imported once at start if it is there."""
        return self.common.var_dir / "gateway-identities.json"

    def trusted_proxy_networks(self) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        return [ipaddress.ip_network(e.strip(), strict=False) for e in self.trusted_proxies.split(",") if e.strip()]

    def upstreams(self) -> dict[str, list[str]]:
        """Each domain service's replicas, by service name."""
        return {
            spec.name: [u.strip().rstrip("/") for u in getattr(self, upstream_urls_field(spec)).split(",") if u.strip()]
            for spec in DOMAIN_SERVICES
        }

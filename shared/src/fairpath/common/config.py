"""Settings: one pydantic-settings class per service over the common FAIRPATH_ settings.

Secrets are never defaulted in code. In development (the embedded default) the
missing ones are generated once into `var/secrets/`; in any other environment a
missing secret refuses to start.
"""

import os
from datetime import datetime
from pathlib import Path
from typing import Annotated, ClassVar, Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from fairpath.common import secrets

Environment = Literal["development", "test", "production"]


class InsecureSettingsError(RuntimeError):
    """A secret was left unset outside development."""


class CommonSettings(BaseSettings):
    """Settings every process shares (prefix FAIRPATH_)."""

    model_config = SettingsConfigDict(env_prefix="FAIRPATH_", extra="ignore")

    env: Environment = "development"
    var_dir: Path = Path("var")
    nats_url: str = "nats://127.0.0.1:14222"
    stream_replicas: int = Field(default=1, ge=1, le=5)
    # How often a consumer tries an event that fails before parking it in the DLQ, and how long it waits before
    # each retry (the last wait repeats): "1,5,15,60" is 1 s, 5 s, 15 s, then 60 s.
    event_max_deliveries: int = Field(default=5, ge=1, le=100)
    event_retry_backoff_seconds: str = Field(default="1,5,15,60", pattern=r"^\s*\d+(\.\d+)?(\s*,\s*\d+(\.\d+)?)*\s*$")
    log_level: str = "INFO"
    # Ed25519 public key (PEM) that verifies the gateway's principal tokens.
    principal_public_key: str = ""
    # Key for the audit chain's field digests (HMAC), so a digest cannot be matched by guessing values.
    audit_digest_key: str = ""
    # Outside production: the date every service sees at start (the clock runs on from it).
    clock_at: datetime | None = None

    # Audit retention: days an entry is kept, by kind of record (`record_type`, JSON:
    # {"worker": 2190, "contract": 3650}), else the default; a business on legal hold keeps its entries.
    # A pruned entry leaves its seq and hash, so the chain and the Merkle tree still verify.
    audit_retention_days: int = Field(default=3650, ge=1)
    audit_retention_days_by_record: dict[str, Annotated[int, Field(ge=1)]] = Field(default_factory=dict)
    # How often each service prunes expired entries and signs a checkpoint of its audit tree (0: never).
    audit_prune_interval_seconds: int = Field(default=86400, ge=0)
    audit_checkpoint_interval_seconds: int = Field(default=3600, ge=0)
    # Serve GET /v1/audit/{service}/checkpoints without login (they hold no personal data), for witnesses.
    audit_public_checkpoints: bool = False
    # Tracing: the OTLP/HTTP receiver's base URL (`http://collector:4318`; spans go to its /v1/traces). Unset, no
    # tracing at all. The exporter's other standard settings (OTEL_EXPORTER_OTLP_HEADERS, _TIMEOUT, ...) apply.
    otlp_endpoint: str = ""
    # The share of traces kept (0 to 1), decided where a trace starts: a request or event that arrives with a
    # `traceparent` follows its sampled flag instead, so a trace is kept whole or not at all.
    trace_sample_ratio: float = Field(default=1.0, ge=0.0, le=1.0)

    @property
    def event_retry_backoff(self) -> list[float]:
        return [float(part) for part in self.event_retry_backoff_seconds.split(",")]

    @property
    def is_development(self) -> bool:
        return self.env in ("development", "test")

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @model_validator(mode="after")
    def _secrets_present(self) -> "CommonSettings":
        if self.clock_at is not None:
            if self.is_production:
                raise InsecureSettingsError("FAIRPATH_CLOCK_AT is refused in production: its clock is the system's")
            if self.clock_at.tzinfo is None:
                raise ValueError("FAIRPATH_CLOCK_AT needs a time zone, e.g. 2027-03-01T09:00:00Z")
        if not self.principal_public_key:
            if not self.is_development:
                raise InsecureSettingsError("FAIRPATH_PRINCIPAL_PUBLIC_KEY must be set outside development")
            self.principal_public_key = secrets.principal_keypair(self.var_dir).public_pem
        if not self.audit_digest_key:
            if not self.is_development:
                raise InsecureSettingsError("FAIRPATH_AUDIT_DIGEST_KEY must be set outside development")
            self.audit_digest_key = secrets.random_secret(self.var_dir, "audit-digest-key")
        return self


class ServiceSettings(BaseSettings):
    """Settings of one service; subclasses set the prefix, the name and the port."""

    service_name: ClassVar[str]
    default_port: ClassVar[int]

    database_url: str = ""
    host: str = "127.0.0.1"
    port: int = 0
    # Set by the test suite and the benchmarks to run without the broker.
    events_enabled: bool = True
    # Ed25519 private key (PEM) that signs this service's audit checkpoints (FAIRPATH_<SERVICE>_AUDIT_SIGNING_KEY);
    # its key id is the SHA-256 of the public key, so a new key can take over and old checkpoints still verify.
    audit_signing_key: str = ""

    # The FAIRPATH_ settings; tests and tools pass their own.
    common: CommonSettings = Field(default_factory=CommonSettings, exclude=True)

    @model_validator(mode="after")
    def _defaults(self) -> "ServiceSettings":
        if not self.port:
            self.port = self.default_port
        if not self.database_url:
            if not self.common.is_development:
                raise InsecureSettingsError(
                    f"{self.model_config.get('env_prefix')}DATABASE_URL must be set outside development"
                )
            path = (self.common.var_dir / f"{self.service_name}.db").resolve()
            path.parent.mkdir(parents=True, exist_ok=True)
            self.database_url = f"sqlite+aiosqlite:///{path}"
        if not self.audit_signing_key:
            if not self.common.is_development:
                raise InsecureSettingsError(
                    f"{self.model_config.get('env_prefix')}AUDIT_SIGNING_KEY must be set outside development"
                )
            self.audit_signing_key = secrets.ed25519_private_pem(
                self.common.var_dir, f"{self.service_name}-audit-signing"
            )
        return self


def env_flag(name: str) -> bool:
    return os.environ.get(name, "").lower() in ("1", "true", "yes")

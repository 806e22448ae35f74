"""Settings of the gateway (prefix FAIRPATH_GATEWAY_)."""

from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field, create_model, model_validator
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
    # HS256 secret for the access tokens people get from POST /v1/auth/token.
    token_secret: str = ""
    access_token_ttl_seconds: int = Field(default=3600, ge=60, le=86400)
    # Organisations, users and API keys the gateway accepts until accounts live in its database.
    identities_file: Path | None = None

    upstream_connect_timeout: float = 3.0
    # Long enough for a watchlist import, which answers when the whole list is loaded.
    upstream_read_timeout: float = 300.0

    @model_validator(mode="after")
    def _gateway_secrets(self) -> "GatewaySettings":
        common = self.common
        if not self.principal_signing_key:
            if not common.is_development:
                raise InsecureSettingsError("FAIRPATH_GATEWAY_PRINCIPAL_SIGNING_KEY must be set outside development")
            self.principal_signing_key = secrets.principal_keypair(common.var_dir).private_pem
        if not self.token_secret:
            if not common.is_development:
                raise InsecureSettingsError("FAIRPATH_GATEWAY_TOKEN_SECRET must be set outside development")
            self.token_secret = secrets.random_secret(common.var_dir, "gateway-token-secret")
        if self.identities_file is None:
            self.identities_file = common.var_dir / "gateway-identities.json"
        return self

    def upstreams(self) -> dict[str, list[str]]:
        """Each domain service's replicas, by service name."""
        return {
            spec.name: [u.strip().rstrip("/") for u in getattr(self, upstream_urls_field(spec)).split(",") if u.strip()]
            for spec in DOMAIN_SERVICES
        }

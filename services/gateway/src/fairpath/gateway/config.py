"""Settings of the gateway (prefix FAIRPATH_GATEWAY_)."""

from pathlib import Path
from typing import ClassVar

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from fairpath.common import secrets
from fairpath.common.config import InsecureSettingsError, ServiceSettings


class GatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FAIRPATH_GATEWAY_", extra="ignore")
    service_name: ClassVar[str] = "gateway"
    default_port: ClassVar[int] = 8000

    # Ed25519 private key (PEM) that signs the principal forwarded to services.
    principal_signing_key: str = ""
    principal_ttl_seconds: int = Field(default=60, ge=5, le=900)
    # HS256 secret for the access tokens people get from POST /v1/auth/token.
    token_secret: str = ""
    access_token_ttl_seconds: int = Field(default=3600, ge=60, le=86400)
    # Organisations, users and API keys the gateway accepts until accounts live in its database.
    identities_file: Path | None = None

    # Comma-separated base URLs of each service's replicas.
    vetting_urls: str = "http://127.0.0.1:8001"
    contracts_urls: str = "http://127.0.0.1:8002"
    registry_urls: str = "http://127.0.0.1:8003"
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
        return {
            name: [u.strip().rstrip("/") for u in urls.split(",") if u.strip()]
            for name, urls in (
                ("vetting", self.vetting_urls),
                ("contracts", self.contracts_urls),
                ("registry", self.registry_urls),
            )
        }

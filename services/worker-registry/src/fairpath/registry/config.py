"""Settings of the registry service (prefix FAIRPATH_REGISTRY_).

The field-encryption keys and the identity-document hash key are secrets: generated
into `var/secrets/` in development, refused when missing anywhere else.
"""

from typing import Annotated, ClassVar

from pydantic import BeforeValidator, Field, model_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from fairpath.common import secrets
from fairpath.common.config import InsecureSettingsError, ServiceSettings
from fairpath.common.services import REGISTRY

DEVELOPMENT_KEY_ID = "dev1"


def _weeks(value: object) -> object:
    """The weeks as the environment gives them ("2,6,12"), or a list."""
    return [part.strip() for part in value.split(",") if part.strip()] if isinstance(value, str) else value


class RegistrySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix=REGISTRY.settings_prefix, extra="ignore")
    service_name: ClassVar[str] = REGISTRY.name
    default_port: ClassVar[int] = REGISTRY.port

    # "id:base64key,id:base64key" (32-byte AES-256 keys). The first encrypts; every one decrypts,
    # so a new key goes first and the old ones stay until re-encryption has moved every value.
    encryption_keys: str = ""
    # Key of the HMAC that finds a second registration of an identity document without storing it in clear.
    hash_key: str = ""
    grievance_acknowledge_days: int = Field(default=7, ge=1, le=90)
    grievance_resolve_days: int = Field(default=30, ge=1, le=365)
    # A contract terminated within this many days of a grievance the worker filed is retaliation.
    retaliation_window_days: int = Field(default=90, ge=1, le=3650)
    # Post-arrival check-ins with each placed worker, due this many weeks after the placement's start.
    check_in_weeks: Annotated[tuple[Annotated[int, Field(ge=1, le=520)], ...], NoDecode, BeforeValidator(_weeks)] = (
        Field(default=(2, 6, 12), min_length=1, max_length=20)
    )

    @model_validator(mode="after")
    def _registry_secrets(self) -> "RegistrySettings":
        prefix = self.model_config.get("env_prefix")
        if not self.encryption_keys:
            if not self.common.is_development:
                raise InsecureSettingsError(f"{prefix}ENCRYPTION_KEYS must be set outside development")
            key = secrets.random_secret(self.common.var_dir, "registry-encryption-key")
            self.encryption_keys = f"{DEVELOPMENT_KEY_ID}:{key}"
        if not self.hash_key:
            if not self.common.is_development:
                raise InsecureSettingsError(f"{prefix}HASH_KEY must be set outside development")
            self.hash_key = secrets.random_secret(self.common.var_dir, "registry-hash-key")
        return self

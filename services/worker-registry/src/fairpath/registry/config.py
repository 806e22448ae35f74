"""Settings of the registry service (prefix FAIRPATH_REGISTRY_)."""

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from fairpath.common.config import ServiceSettings


class RegistrySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FAIRPATH_REGISTRY_", extra="ignore")
    service_name: ClassVar[str] = "registry"
    default_port: ClassVar[int] = 8003

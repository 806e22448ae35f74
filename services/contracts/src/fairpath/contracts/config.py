"""Settings of the contracts service (prefix FAIRPATH_CONTRACTS_)."""

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from fairpath.common.config import ServiceSettings


class ContractsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FAIRPATH_CONTRACTS_", extra="ignore")
    service_name: ClassVar[str] = "contracts"
    default_port: ClassVar[int] = 8002

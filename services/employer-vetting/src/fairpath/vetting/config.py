"""Settings of the vetting service (prefix FAIRPATH_VETTING_)."""

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from fairpath.common.config import ServiceSettings


class VettingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FAIRPATH_VETTING_", extra="ignore")
    service_name: ClassVar[str] = "vetting"
    default_port: ClassVar[int] = 8001

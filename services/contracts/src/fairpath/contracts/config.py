"""Settings of the contracts service (prefix FAIRPATH_CONTRACTS_)."""

from pathlib import Path
from typing import ClassVar

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from fairpath.common import secrets
from fairpath.common.config import InsecureSettingsError, ServiceSettings

FONTS_DIR = Path(__file__).resolve().parent / "documents" / "fonts"
# The gateway of `./fairpath up`: where the public page that checks a contract document is.
DEFAULT_PUBLIC_BASE_URL = "http://127.0.0.1:8000"


class ContractsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FAIRPATH_CONTRACTS_", extra="ignore")
    service_name: ClassVar[str] = "contracts"
    default_port: ClassVar[int] = 8002

    # A contract is issued at least this many days before departure, so the worker can read it and ask.
    issue_days_before_departure: int = Field(default=7, ge=0, le=365)
    # Seals the worker's name and address inside stored contract versions (any secret text).
    personal_data_key: str = ""
    # Where the PDF fonts are; shipped in the package (Noto, OFL).
    fonts_dir: Path = FONTS_DIR
    # The address the public reaches the gateway at: every contract document prints, and holds in its QR code,
    # `<this>/portal/verify/<code>`, the page that checks it without login.
    public_base_url: str = Field(default=DEFAULT_PUBLIC_BASE_URL, pattern=r"^https?://[^\s/?#]+(/[^\s?#]*)?$")

    @model_validator(mode="after")
    def _personal_data_key(self) -> "ContractsSettings":
        if not self.personal_data_key:
            if not self.common.is_development:
                raise InsecureSettingsError("FAIRPATH_CONTRACTS_PERSONAL_DATA_KEY must be set outside development")
            self.personal_data_key = secrets.random_secret(self.common.var_dir, "contracts-personal-data-key")
        return self

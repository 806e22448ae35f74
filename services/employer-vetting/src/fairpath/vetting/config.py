"""Settings of the vetting service (prefix FAIRPATH_VETTING_)."""

from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from fairpath.common.config import ServiceSettings


class VettingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FAIRPATH_VETTING_", extra="ignore")
    service_name: ClassVar[str] = "vetting"
    default_port: ClassVar[int] = 8001

    # An approval lasts this long; then the business is due for re-vetting.
    approval_months: int = Field(default=12, ge=1, le=60)
    # How often the scheduled jobs run (expiry, missed deadlines, lapsed licences, re-screening).
    schedule_interval_seconds: float = Field(default=60.0, gt=0)
    rescreen_days: int = Field(default=30, ge=1)
    # Forced-labour indicators (ILO) whose substantiation suspends at once; the operator may add others.
    severe_indicators: list[str] = Field(
        default_factory=lambda: [
            "retention_of_identity_documents",
            "debt_bondage",
            "physical_sexual_violence",
            "restriction_of_movement",
        ]
    )
    screening_threshold: float = Field(default=0.70, gt=0, le=1)
    # Load logic-v2's name data (7 to 31 s) at start, before the service reports ready, so that the first
    # screening costs what the hundredth does. Test suites that never screen turn it off to start faster.
    warm_matching: bool = True
    # Worker processes that score screenings (and parse imports) beside the event loop, which keeps
    # answering meanwhile; each holds logic-v2's name data (about 400 MB).
    matching_processes: int = Field(default=1, ge=1, le=32)

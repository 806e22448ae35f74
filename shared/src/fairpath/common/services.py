"""The one list of Fairpath's services: what the launcher starts, the gateway routes to, the broker
streams, the migrations and the tests read. Adding a service means adding it here (and its folder).

The names are design.md's "Names" table; clients and deployments rely on them.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class ServiceSpec:
    name: str  # the audit/`{service}` name, the key everywhere else
    title: str
    folder: str  # relative to the repository root
    package: str  # fairpath.<package>
    port: int  # the default port; ./fairpath up --base-port N puts it at N + (port - 8000)
    stream: str | None = None  # the JetStream stream it publishes to (subjects `<name>.>`)
    paths: tuple[str, ...] = ()  # the public path prefixes under /v1 it owns (the gateway's routing)

    @property
    def settings_prefix(self) -> str:
        return f"FAIRPATH_{self.name.upper()}_"

    @property
    def app_factory(self) -> str:
        """What uvicorn --factory starts."""
        return f"fairpath.{self.package}.app:create_app"

    @property
    def migrations(self) -> str:
        return f"{self.folder}/migrations"

    @property
    def subjects(self) -> str:
        return f"{self.name}.>"


GATEWAY = ServiceSpec(name="gateway", title="gateway", folder="services/gateway", package="gateway", port=8000)

VETTING = ServiceSpec(
    name="vetting",
    title="employer-vetting",
    folder="services/employer-vetting",
    package="vetting",
    port=8001,
    stream="VETTING",
    paths=(
        "/v1/businesses",
        "/v1/licence-registers",
        "/v1/screening-hits",
        "/v1/vetting-cases",
        "/v1/watchlists",
        "/v1/imports",
        "/v1/assessment-questions",
        "/v1/reference/country-risk",
    ),
)
CONTRACTS = ServiceSpec(
    name="contracts",
    title="contracts",
    folder="services/contracts",
    package="contracts",
    port=8002,
    stream="CONTRACTS",
    paths=(
        "/v1/job-orders",
        "/v1/contracts",
        "/v1/reference/minimum-wages",
        "/v1/reference/working-time-limits",
        "/v1/reference/exchange-rates",
        # Public, no login: the check of a contract document by the code printed on it.
        "/v1/verify/contracts",
    ),
)
REGISTRY = ServiceSpec(
    name="registry",
    title="worker-registry",
    folder="services/worker-registry",
    package="registry",
    port=8003,
    stream="REGISTRY",
    paths=(
        "/v1/workers",
        "/v1/fees",
        "/v1/grievances",
        "/v1/reference/minimum-age",
        "/v1/orientation-sessions",
        "/v1/placements",
        "/v1/check-ins",
        "/v1/candidates",
        "/v1/offers",
    ),
)

# The domain services, in the order they start; the gateway starts after them and stops first.
DOMAIN_SERVICES: tuple[ServiceSpec, ...] = (VETTING, CONTRACTS, REGISTRY)
ALL_SERVICES: tuple[ServiceSpec, ...] = (*DOMAIN_SERVICES, GATEWAY)
BY_NAME: dict[str, ServiceSpec] = {spec.name: spec for spec in ALL_SERVICES}

# The dead letters of every consumer, beside the services' own streams.
DLQ_STREAM = "DLQ"
# A consumer's dead letters go to `dlq.<consumer>`.
DLQ_SUBJECT_PREFIX = "dlq."
# What the operator sets for the whole deployment (the clock, outside production): the last message
# of each subject is kept, so a process that starts later reads the current setting.
OPERATIONS_STREAM = "OPERATIONS"


def streams() -> dict[str, list[str]]:
    """Every stream the broker keeps and the subjects it holds."""
    found = {spec.stream: [spec.subjects] for spec in DOMAIN_SERVICES if spec.stream}
    found[DLQ_STREAM] = [f"{DLQ_SUBJECT_PREFIX}>"]
    found[OPERATIONS_STREAM] = ["operations.>"]
    return found


def owner_of(path: str) -> ServiceSpec | None:
    """Which domain service owns a public path (its resources, and its `/v1/audit/<name>` records)."""
    for spec in DOMAIN_SERVICES:
        for prefix in (*spec.paths, f"/v1/audit/{spec.name}"):
            if path == prefix or path.startswith(prefix + "/"):
                return spec
    return None

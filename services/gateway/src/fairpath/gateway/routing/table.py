"""Which service owns each public path under /v1 (the HTTP API's resource names)."""

ROUTES: list[tuple[str, str]] = [
    # vetting
    ("/v1/businesses", "vetting"),
    ("/v1/licence-registers", "vetting"),
    ("/v1/screening-hits", "vetting"),
    ("/v1/vetting-cases", "vetting"),
    ("/v1/watchlists", "vetting"),
    ("/v1/imports", "vetting"),
    ("/v1/assessment-questions", "vetting"),
    ("/v1/reference/country-risk", "vetting"),
    ("/v1/audit/vetting", "vetting"),
    # contracts
    ("/v1/job-orders", "contracts"),
    ("/v1/contracts", "contracts"),
    ("/v1/reference/minimum-wages", "contracts"),
    ("/v1/reference/working-time-limits", "contracts"),
    ("/v1/reference/exchange-rates", "contracts"),
    ("/v1/audit/contracts", "contracts"),
    # registry
    ("/v1/workers", "registry"),
    ("/v1/fees", "registry"),
    ("/v1/grievances", "registry"),
    ("/v1/reference/minimum-age", "registry"),
    ("/v1/audit/registry", "registry"),
]


def owner_of(path: str) -> str | None:
    for prefix, service in ROUTES:
        if path == prefix or path.startswith(prefix + "/"):
            return service
    return None

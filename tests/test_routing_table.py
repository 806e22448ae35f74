"""Every public path a service serves is routed to it by the gateway, and no two services claim one.

The gateway routes by `fairpath.common.services.owner_of` over each service's `paths` (and its
`/v1/audit/<name>` records); each service here is the real app, built from the same list."""

import importlib

import pytest

from fairpath.common.config import ServiceSettings
from fairpath.common.services import DOMAIN_SERVICES, ServiceSpec, owner_of


def settings_class(spec: ServiceSpec) -> type[ServiceSettings]:
    """The service's settings: the ServiceSettings subclass in fairpath.<package>.config named for it."""
    config = importlib.import_module(f"fairpath.{spec.package}.config")
    return next(
        value
        for value in vars(config).values()
        if isinstance(value, type)
        and issubclass(value, ServiceSettings)
        and getattr(value, "service_name", None) == spec.name
    )


def app_of(spec: ServiceSpec, common_settings):
    module, factory = spec.app_factory.split(":")
    settings = settings_class(spec)(database_url="sqlite+aiosqlite:///:memory:", common=common_settings)
    return getattr(importlib.import_module(module), factory)(settings)


@pytest.mark.parametrize("spec", DOMAIN_SERVICES, ids=lambda spec: spec.name)
def test_every_v1_path_of_a_service_is_routed_to_it(spec, common_settings):
    app = app_of(spec, common_settings)
    paths = {p for p in app.openapi()["paths"] if p.startswith("/v1/")}
    assert paths, "the service serves no /v1 path"
    unrouted = sorted(p for p in paths if owner_of(p) != spec)
    assert unrouted == []


def test_no_prefix_is_claimed_twice():
    prefixes = [prefix for spec in DOMAIN_SERVICES for prefix in (*spec.paths, f"/v1/audit/{spec.name}")]
    assert len(prefixes) == len(set(prefixes))

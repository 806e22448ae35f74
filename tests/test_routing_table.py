"""Every public path a service serves is routed to it by the gateway, and no two services claim one."""

import pytest

from fairpath.contracts.app import create_app as contracts_app
from fairpath.gateway.routing.table import ROUTES, owner_of
from fairpath.registry.app import create_app as registry_app
from fairpath.vetting.app import create_app as vetting_app

SERVICES = {"vetting": vetting_app, "contracts": contracts_app, "registry": registry_app}


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_every_v1_path_of_a_service_is_routed_to_it(service, common_settings):
    module = SERVICES[service].__module__.rsplit(".", 1)[0]
    settings_cls = {"vetting": "VettingSettings", "contracts": "ContractsSettings", "registry": "RegistrySettings"}[
        service
    ]
    settings = getattr(__import__(f"{module}.config", fromlist=[settings_cls]), settings_cls)(
        database_url="sqlite+aiosqlite:///:memory:", common=common_settings
    )
    app = SERVICES[service](settings)
    paths = {p for p in app.openapi()["paths"] if p.startswith("/v1/")}
    assert paths, "the service serves no /v1 path"
    unrouted = sorted(p for p in paths if owner_of(p) != service)
    assert unrouted == []


def test_no_prefix_is_claimed_twice():
    prefixes = [prefix for prefix, _ in ROUTES]
    assert len(prefixes) == len(set(prefixes))

"""Every service warms up before it serves (fairpath.common.warmup): once its lifespan started, and before any
request, its pool holds the connections the first requests take, and the service's own warm functions ran."""

from collections.abc import Callable

import pytest
from fastapi import FastAPI
from sqlalchemy.pool import QueuePool

from fairpath.common.config import CommonSettings
from fairpath.common.occupations import isco08
from fairpath.common.secrets import Keypair
from fairpath.common.warmup import POOL_CONNECTIONS, Warmed
from fairpath.contracts.app import create_app as create_contracts
from fairpath.contracts.config import ContractsSettings
from fairpath.contracts.warmup import WARMS as CONTRACTS_WARMS
from fairpath.gateway.app import create_app as create_gateway
from fairpath.gateway.config import GatewaySettings
from fairpath.gateway.warmup import WARMS as GATEWAY_WARMS
from fairpath.registry.app import create_app as create_registry
from fairpath.registry.config import RegistrySettings
from fairpath.registry.warmup import WARMS as REGISTRY_WARMS
from fairpath.vetting.app import create_app as create_vetting
from fairpath.vetting.config import VettingSettings
from fairpath.vetting.warmup import WARMS as VETTING_WARMS


def _vetting(url: str, common: CommonSettings, _: Keypair) -> FastAPI:
    return create_vetting(VettingSettings(database_url=url, common=common, events_enabled=False, warm_matching=False))


def _contracts(url: str, common: CommonSettings, _: Keypair) -> FastAPI:
    return create_contracts(ContractsSettings(database_url=url, common=common, events_enabled=False))


def _registry(url: str, common: CommonSettings, _: Keypair) -> FastAPI:
    return create_registry(
        RegistrySettings(
            database_url=url,
            common=common,
            events_enabled=False,
            encryption_keys="k2026:" + "A" * 43,
            hash_key="test-registry-hash-key",
        )
    )


def _gateway(url: str, common: CommonSettings, keypair: Keypair) -> FastAPI:
    return create_gateway(
        GatewaySettings(
            database_url=url,
            common=common,
            events_enabled=False,
            principal_signing_key=keypair.private_pem,
            token_secret="test-token-secret-of-at-least-32-bytes",
            totp_key="test-totp-key-of-at-least-32-bytes-long",
            password_hash_time_cost=1,
            password_hash_memory_kib=1024,
            password_hash_parallelism=1,
        )
    )


SERVICES: dict[str, tuple[Callable[[str, CommonSettings, Keypair], FastAPI], tuple]] = {
    "vetting": (_vetting, VETTING_WARMS),
    "contracts": (_contracts, CONTRACTS_WARMS),
    "registry": (_registry, REGISTRY_WARMS),
    "gateway": (_gateway, GATEWAY_WARMS),
}


@pytest.mark.parametrize("service", list(SERVICES))
async def test_a_started_service_has_warmed_up_its_pool_reference_data_and_its_own_write_paths_before_any_request(
    service: str, database_url, common_settings: CommonSettings, keypair: Keypair
):
    create, warms = SERVICES[service]
    app = create(await database_url(f"warm_{service}"), common_settings, keypair)
    async with app.router.lifespan_context(app):
        warmed: Warmed = app.state.warmed
        assert warmed.service_warms == tuple(w.__name__ for w in warms)
        assert warms, f"{service} passes no warm function of its own"
        pool = app.state.database.engine.sync_engine.pool
        assert isinstance(pool, QueuePool)
        # Opened before any request and kept by the pool for the first ones.
        assert pool.checkedin() >= POOL_CONNECTIONS
        assert warmed.pool_connections >= POOL_CONNECTIONS
        assert isco08.cache_info().currsize == 1

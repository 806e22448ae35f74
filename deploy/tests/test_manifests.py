"""The compose and Kubernetes manifests start what exists: each command names a real app factory on its port,
and the gateway is told where each service is. What exists is the one list, fairpath.common.services."""

import importlib
from pathlib import Path

import yaml

from fairpath.common.services import BY_NAME, DOMAIN_SERVICES
from fairpath.gateway.config import upstream_urls_env

DEPLOY = Path(__file__).resolve().parents[1]


def commands() -> list[tuple[str, list[str]]]:
    found = []
    for doc in yaml.safe_load_all((DEPLOY / "kubernetes" / "fairpath.yaml").read_text()):
        if doc["kind"] == "Deployment":
            found += [(doc["metadata"]["name"], c["command"]) for c in doc["spec"]["template"]["spec"]["containers"]]
    compose = yaml.safe_load((DEPLOY / "compose" / "compose.yaml").read_text())
    found += [
        (name, svc["command"])
        for name, svc in compose["services"].items()
        if "command" in svc and "uvicorn" in svc["command"]
    ]
    return found


def gateway_environments() -> list[dict[str, str]]:
    found = []
    for doc in yaml.safe_load_all((DEPLOY / "kubernetes" / "fairpath.yaml").read_text()):
        if doc["kind"] == "Deployment" and doc["metadata"]["name"] == "gateway":
            for container in doc["spec"]["template"]["spec"]["containers"]:
                found.append({e["name"]: e.get("value", "") for e in container.get("env", [])})
    compose = yaml.safe_load((DEPLOY / "compose" / "compose.yaml").read_text())
    found.append({k: str(v) for k, v in compose["services"]["gateway"]["environment"].items()})
    return found


def test_every_manifest_command_starts_a_real_app_on_its_port():
    seen = commands()
    assert {name for name, _ in seen} == set(BY_NAME)
    for name, command in seen:
        factory_ref = command[command.index("--factory") + 1]
        module, factory = factory_ref.split(":")
        assert callable(getattr(importlib.import_module(module), factory)), command
        assert factory_ref == BY_NAME[name].app_factory, command
        assert int(command[command.index("--port") + 1]) == BY_NAME[name].port, command


def test_the_gateway_is_told_where_every_service_is():
    environments = gateway_environments()
    assert len(environments) == 2  # Kubernetes and compose
    for env in environments:
        for spec in DOMAIN_SERVICES:
            assert env[upstream_urls_env(spec)] == f"http://{spec.name}:{spec.port}", spec.name

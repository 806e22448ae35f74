"""The compose and Kubernetes manifests start what exists: each command names a real app factory on its port."""

import importlib
from pathlib import Path

import yaml

from fairpath.deploy.processes import DEFAULT_PORTS

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


def test_every_manifest_command_starts_a_real_app_on_its_port():
    seen = commands()
    assert {name for name, _ in seen} == set(DEFAULT_PORTS)
    for name, command in seen:
        module, factory = command[command.index("--factory") + 1].split(":")
        assert callable(getattr(importlib.import_module(module), factory)), command
        assert int(command[command.index("--port") + 1]) == DEFAULT_PORTS[name], command

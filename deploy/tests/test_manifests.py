"""The compose and Kubernetes manifests would really start: every Kubernetes document is valid against the
Kubernetes schemas, each command names a real app factory on its port, the gateway is told where each service
is, each process is given every setting it refuses to run without in production (derived from the settings
classes) and no secret of another, every container runs unprivileged with probes and resources, NATS is a
3-node JetStream cluster with R3 streams, and the migration Jobs bring each database to its schema head.
What exists is the one list, fairpath.common.services."""

import asyncio
import base64
import functools
import importlib
import importlib.util
import json
import os
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml
from cryptography.hazmat.primitives import serialization
from pydantic import ValidationError
from pydantic_settings import BaseSettings

from fairpath.common.auth import PrincipalSigner, PrincipalVerifier
from fairpath.common.config import CommonSettings, InsecureSettingsError, ServiceSettings
from fairpath.common.db import Database, DatabaseSettings
from fairpath.common.migrations import drift
from fairpath.common.secrets import new_ed25519_private_pem, public_pem_of
from fairpath.common.services import ALL_SERVICES, BY_NAME, DOMAIN_SERVICES, GATEWAY
from fairpath.contracts.config import ContractsSettings
from fairpath.gateway.config import GatewaySettings, upstream_urls_env
from fairpath.registry.config import RegistrySettings
from fairpath.registry.crypto import FieldCipher
from fairpath.vetting.config import VettingSettings

DEPLOY = Path(__file__).resolve().parents[1]
KUBERNETES = DEPLOY / "kubernetes"
COMPOSE = DEPLOY / "compose"
# The newest Kubernetes release whose schemas kubernetes-validate ships (strict: an unknown field is an error).
KUBERNETES_VERSION = "1.37.0"
PLACEHOLDER = "REPLACE_ME"

SETTINGS: dict[str, type[ServiceSettings]] = {
    "gateway": GatewaySettings,
    "vetting": VettingSettings,
    "contracts": ContractsSettings,
    "registry": RegistrySettings,
}
# Settings classes every process reads besides its own.
SHARED_SETTINGS: tuple[type[BaseSettings], ...] = (CommonSettings, DatabaseSettings)


# --- reading the manifests ------------------------------------------------------------------------------------


@functools.cache
def documents() -> list[tuple[str, dict[str, Any]]]:
    """(file name, document) for every Kubernetes document, in the order they are applied (read once: not to be
    changed in place)."""
    return [
        (path.name, doc)
        for path in sorted(KUBERNETES.glob("*.yaml"))
        for doc in yaml.safe_load_all(path.read_text())
        if doc
    ]


def of_kind(kind: str) -> list[dict[str, Any]]:
    return [doc for _, doc in documents() if doc["kind"] == kind]


def named(kind: str, name: str) -> dict[str, Any]:
    (found,) = [doc for doc in of_kind(kind) if doc["metadata"]["name"] == name]
    return found


def workloads() -> list[tuple[str, dict[str, Any]]]:
    """(kind/name, pod spec) of every Deployment, StatefulSet and Job."""
    return [
        (f"{doc['kind']}/{doc['metadata']['name']}", doc["spec"]["template"]["spec"])
        for kind in ("Deployment", "StatefulSet", "Job")
        for doc in of_kind(kind)
    ]


def containers(pod: dict[str, Any]) -> list[dict[str, Any]]:
    return [*pod.get("initContainers", []), *pod["containers"]]


@functools.cache
def compose() -> dict[str, Any]:
    return yaml.safe_load((COMPOSE / "compose.yaml").read_text())


def compose_processes() -> dict[str, dict[str, Any]]:
    return {name: svc for name, svc in compose()["services"].items() if name in BY_NAME}


def commands() -> list[tuple[str, list[str]]]:
    found = [
        (doc["metadata"]["name"], container["command"])
        for doc in of_kind("Deployment")
        for container in doc["spec"]["template"]["spec"]["containers"]
    ]
    found += [(name, svc["command"]) for name, svc in compose_processes().items()]
    return found


def secrets_used(pod: dict[str, Any]) -> set[str]:
    """The Secrets a pod reads, as environment or as files."""
    used = set()
    for container in containers(pod):
        used |= {source["secretRef"]["name"] for source in container.get("envFrom", []) if "secretRef" in source}
        used |= {
            env["valueFrom"]["secretKeyRef"]["name"]
            for env in container.get("env", [])
            if "secretKeyRef" in env.get("valueFrom", {})
        }
    for volume in pod.get("volumes", []):
        if "secret" in volume:
            used.add(volume["secret"]["secretName"])
        for source in volume.get("projected", {}).get("sources", []):
            if "secret" in source:
                used.add(source["secret"]["name"])
    return used


def environment(container: dict[str, Any]) -> dict[str, str]:
    """What a container's process finds in its environment: its Secrets (placeholders as written), then `env`."""
    found: dict[str, str] = {}
    for source in container.get("envFrom", []):
        found |= named("Secret", source["secretRef"]["name"])["stringData"]
    for env in container.get("env", []):
        if "value" in env:
            found[env["name"]] = env["value"]
        elif "secretKeyRef" in env.get("valueFrom", {}):
            ref = env["valueFrom"]["secretKeyRef"]
            found[env["name"]] = named("Secret", ref["name"])["stringData"][ref["key"]]
    return found


def deployment_environment(name: str) -> dict[str, str]:
    (container,) = named("Deployment", name)["spec"]["template"]["spec"]["containers"]
    return environment(container)


def compose_environment(name: str) -> dict[str, str]:
    """A compose process's env file (its example, with dotenv's double-quoted escapes), then `environment`."""
    svc = compose_processes()[name]
    found: dict[str, str] = {}
    for env_file in svc["env_file"]:
        for line in (COMPOSE / f"{env_file}.example").read_text().splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            key, _, value = line.partition("=")
            if value.startswith('"') and value.endswith('"'):
                value = value[1:-1].replace("\\n", "\n")
            found[key] = value
    return found | {k: str(v) for k, v in svc["environment"].items()}


def env_names(settings: type[BaseSettings]) -> set[str]:
    """The environment variables a settings class reads."""
    prefix = settings.model_config.get("env_prefix", "")
    return {f"{prefix}{field}".upper() for field, info in settings.model_fields.items() if not info.exclude}


def filled(value: str) -> str:
    """A placeholder replaced by a value of the kind its place asks for (what an operator would put there)."""
    if PLACEHOLDER not in value:
        return value
    private = new_ed25519_private_pem()
    if "BEGIN PRIVATE KEY" in value:
        return private
    if "BEGIN PUBLIC KEY" in value:
        return public_pem_of(private)
    return value.replace(PLACEHOLDER, secrets.token_urlsafe(32))


def settings_of(name: str, env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> ServiceSettings:
    """The process's settings as it would build them at start, from exactly this environment."""
    for key in list(os.environ):
        if key.startswith("FAIRPATH_"):
            monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return SETTINGS[name]()


# --- Kubernetes: the schemas ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "document",
    [pytest.param(doc, id=f"{file}:{doc['kind']}/{doc['metadata']['name']}") for file, doc in documents()],
)
def test_every_kubernetes_document_is_valid_against_the_schemas(document):
    kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)


def test_the_schema_check_refuses_a_misspelt_field():
    deployment = json.loads(json.dumps(named("Deployment", "gateway")))
    deployment["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {"httpGet": {"path": "/readyz"}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)


def test_everything_lives_in_the_fairpath_namespace():
    assert [doc["metadata"]["name"] for doc in of_kind("Namespace")] == ["fairpath"]
    for _, doc in documents():
        if doc["kind"] != "Namespace":
            assert doc["metadata"]["namespace"] == "fairpath", doc["metadata"]["name"]


# --- what runs --------------------------------------------------------------------------------------------------


def test_every_manifest_command_starts_a_real_app_on_its_port():
    seen = commands()
    assert sorted(name for name, _ in seen) == sorted([*BY_NAME, *BY_NAME])  # Kubernetes and compose
    for name, command in seen:
        factory_ref = command[command.index("--factory") + 1]
        module, factory = factory_ref.split(":")
        assert callable(getattr(importlib.import_module(module), factory)), command
        assert factory_ref == BY_NAME[name].app_factory, command
        assert int(command[command.index("--port") + 1]) == BY_NAME[name].port, command


def test_the_gateway_is_told_where_every_service_is():
    for env in (deployment_environment(GATEWAY.name), compose_environment(GATEWAY.name)):
        for spec in DOMAIN_SERVICES:
            assert env[upstream_urls_env(spec)] == f"http://{spec.name}:{spec.port}", spec.name


def test_each_process_has_two_replicas_a_service_on_its_port_and_a_disruption_budget():
    for spec in ALL_SERVICES:
        deployment = named("Deployment", spec.name)
        assert deployment["spec"]["replicas"] == 2
        assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
        selector = deployment["spec"]["selector"]["matchLabels"]
        assert selector.items() <= deployment["spec"]["template"]["metadata"]["labels"].items()
        service = named("Service", spec.name)
        assert service["spec"]["selector"] == selector
        assert [p["port"] for p in service["spec"]["ports"]] == [spec.port]
        budget = named("PodDisruptionBudget", spec.name)
        assert budget["spec"]["selector"]["matchLabels"] == selector and budget["spec"]["minAvailable"] == 1


def test_nats_is_a_three_node_jetstream_cluster_and_the_streams_are_r3(monkeypatch):
    nats = named("StatefulSet", "nats")
    headless = named("Service", nats["spec"]["serviceName"])
    assert headless["spec"]["clusterIP"] == "None" and headless["spec"]["publishNotReadyAddresses"] is True
    assert nats["spec"]["replicas"] == 3 and nats["spec"]["podManagementPolicy"] == "Parallel"
    (container,) = nats["spec"]["template"]["spec"]["containers"]
    args = dict(
        arg.removeprefix("--").split("=", 1) if "=" in arg else (arg.removeprefix("--"), "")
        for arg in container["args"]
    )
    assert "jetstream" in args and args["store_dir"] == "/data"
    peers = [f"nats-{i}.{headless['metadata']['name']}" for i in range(3)]
    assert args["routes"].split(",") == [f"nats://{peer}:6222" for peer in peers]
    assert [m["mountPath"] for m in container["volumeMounts"] if m["name"] == "data"] == ["/data"]
    assert [t["metadata"]["name"] for t in nats["spec"]["volumeClaimTemplates"]] == ["data"]
    monitor = args["http_port"]
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"]["path"] == "/healthz?js-enabled-only=true", probe
        assert (
            str(dict((p["name"], p["containerPort"]) for p in container["ports"])[container[probe]["httpGet"]["port"]])
            == monitor
        )
    assert named("PodDisruptionBudget", "nats")["spec"]["maxUnavailable"] == 1
    # Every process reaches all three nodes and creates its streams with three replicas (CommonSettings.stream_replicas
    # is what fairpath.common.events.broker.Broker creates the streams with).
    for spec in ALL_SERVICES:
        env = {k: filled(v) for k, v in deployment_environment(spec.name).items()}
        settings = settings_of(spec.name, env, monkeypatch)
        assert settings.common.stream_replicas == 3, spec.name
        assert settings.common.nats_url.split(",") == [f"nats://{peer}:4222" for peer in peers], spec.name


# --- security -----------------------------------------------------------------------------------------------------


def _security(pod: dict[str, Any], container: dict[str, Any], key: str) -> Any:
    """A container's security setting, else its pod's."""
    own = container.get("securityContext", {})
    return own[key] if key in own else pod.get("securityContext", {}).get(key)


@pytest.mark.parametrize("workload", [pytest.param(pod, id=name) for name, pod in workloads()])
def test_every_container_runs_unprivileged(workload):
    assert workload.get("automountServiceAccountToken") is False
    for container in containers(workload):
        context = container.get("securityContext", {})
        assert _security(workload, container, "runAsNonRoot") is True, container["name"]
        assert (_security(workload, container, "runAsUser") or 0) > 0, container["name"]
        assert context.get("allowPrivilegeEscalation") is False, container["name"]
        assert context.get("capabilities", {}).get("drop") == ["ALL"], container["name"]
        assert context.get("capabilities", {}).get("add") is None, container["name"]
        assert _security(workload, container, "seccompProfile") == {"type": "RuntimeDefault"}, container["name"]
        assert context.get("readOnlyRootFilesystem") is True, container["name"]
        assert context.get("privileged") is not True, container["name"]


@pytest.mark.parametrize("workload", [pytest.param(pod, id=name) for name, pod in workloads()])
def test_every_container_has_resource_requests_and_limits(workload):
    for container in containers(workload):
        for bound in ("requests", "limits"):
            assert {"cpu", "memory"} <= set(container["resources"][bound]), (container["name"], bound)


def test_fairpath_containers_write_only_to_their_tmp_volume():
    for name, pod in workloads():
        if name.startswith("StatefulSet/"):
            continue
        volumes = {v["name"]: v for v in pod["volumes"]}
        for container in containers(pod):
            mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
            assert mounts == {"/tmp": "tmp"}, name
            assert "emptyDir" in volumes["tmp"], name


def test_every_process_is_probed_where_it_answers():
    for spec in ALL_SERVICES:
        (container,) = named("Deployment", spec.name)["spec"]["template"]["spec"]["containers"]
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        paths = {}
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            get = container[probe]["httpGet"]
            assert ports[get["port"]] == spec.port, (spec.name, probe)
            paths[probe] = get["path"]
        assert paths == {"startupProbe": "/healthz", "readinessProbe": "/readyz", "livenessProbe": "/healthz"}


# --- secrets ------------------------------------------------------------------------------------------------------


def test_every_secret_belongs_to_one_process():
    by_secret: dict[str, set[str]] = {}
    for name, pod in workloads():
        for secret in secrets_used(pod):
            by_secret.setdefault(secret, set()).add(name)
    assert set(by_secret) == {f"fairpath-{spec.name}" for spec in ALL_SERVICES}
    for spec in ALL_SERVICES:
        # The process itself and its migration Job, nothing else.
        assert by_secret[f"fairpath-{spec.name}"] == {f"Deployment/{spec.name}", f"Job/migrate-{spec.name}"}
    for name, pod in workloads():
        assert len(secrets_used(pod)) <= 1, name


def test_a_process_secret_holds_only_its_own_and_the_shared_settings():
    shared = env_names(CommonSettings)
    for spec in ALL_SERVICES:
        keys = set(named("Secret", f"fairpath-{spec.name}")["stringData"])
        for key in keys - shared:
            assert key.startswith(spec.settings_prefix), (spec.name, key)
            assert key in env_names(SETTINGS[spec.name]), (spec.name, key)


def test_the_gateways_signing_and_identity_keys_reach_the_gateway_alone():
    gateway_only = {
        f"{GATEWAY.settings_prefix}{field.upper()}" for field in ("principal_signing_key", "token_secret", "totp_key")
    }
    for spec in DOMAIN_SERVICES:
        for where, env in (
            ("kubernetes", deployment_environment(spec.name)),
            ("compose", compose_environment(spec.name)),
        ):
            assert not gateway_only & set(env), (where, spec.name)
            assert not any(k.startswith(GATEWAY.settings_prefix) for k in env), (where, spec.name)
    for name, pod in workloads():
        for container in containers(pod):
            names = {e["name"] for e in container.get("env", [])}
            if name != f"Deployment/{GATEWAY.name}":
                assert not gateway_only & names, name
    assert gateway_only <= set(named("Secret", "fairpath-gateway")["stringData"])
    for spec in DOMAIN_SERVICES:
        assert not gateway_only & set(named("Secret", f"fairpath-{spec.name}")["stringData"])


def test_no_setting_is_misspelt():
    """Every FAIRPATH_ name a process is given is one its settings read: a misspelt name would leave the
    setting at its default (or refused) while the manifest looked right."""
    for spec in ALL_SERVICES:
        known = env_names(SETTINGS[spec.name]).union(*(env_names(s) for s in SHARED_SETTINGS))
        for where, env in (
            ("kubernetes", deployment_environment(spec.name)),
            ("compose", compose_environment(spec.name)),
        ):
            unknown = {k for k in env if k.startswith("FAIRPATH_")} - known
            assert not unknown, (where, spec.name, unknown)


def _refused_without(name: str, env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """The settings the process refuses to start without, found by leaving each out in turn."""
    refused = set()
    for key in set(env) - {"FAIRPATH_ENV"}:  # without it, development: secrets would be generated, not refused
        try:
            settings_of(name, {k: v for k, v in env.items() if k != key}, monkeypatch)
        except (InsecureSettingsError, ValidationError):
            refused.add(key)
    return refused


@pytest.mark.parametrize("name", list(BY_NAME))
def test_each_process_is_given_every_setting_it_refuses_to_run_without(name, monkeypatch):
    for where, written in (("kubernetes", deployment_environment(name)), ("compose", compose_environment(name))):
        assert written["FAIRPATH_ENV"] == "production", where
        env = {k: filled(v) for k, v in written.items()}
        settings = settings_of(name, env, monkeypatch)  # raises if a required setting were missing
        assert settings.common.is_production, where
        # Derived from the settings classes: the database, the audit keys, the principal key and the process's own.
        refused = _refused_without(name, env, monkeypatch)
        assert {f"{BY_NAME[name].settings_prefix}DATABASE_URL", "FAIRPATH_AUDIT_DIGEST_KEY"} <= refused, where
        assert all(PLACEHOLDER in written[key] for key in refused), where
        if where == "kubernetes":  # what it cannot run without comes from its own Secret, not a plain value
            assert refused <= set(named("Secret", f"fairpath-{name}")["stringData"]), refused


def test_placeholders_are_refused_where_they_would_be_weak(monkeypatch):
    """A short placeholder left in a secret that must be long stops the gateway from starting."""
    env = {k: filled(v) for k, v in deployment_environment(GATEWAY.name).items()}
    env["FAIRPATH_GATEWAY_TOKEN_SECRET"] = PLACEHOLDER
    with pytest.raises(InsecureSettingsError):
        settings_of(GATEWAY.name, env, monkeypatch)


def _pem_nodes() -> Iterator[tuple[str, str, yaml.ScalarNode]]:
    for path in sorted(KUBERNETES.glob("*.yaml")):
        for doc in yaml.compose_all(path.read_text()):
            if doc is None:
                continue
            fields = {key.value: value for key, value in doc.value}
            if fields["kind"].value != "Secret":
                continue
            name = {k.value: v for k, v in fields["metadata"].value}["name"].value
            for key, value in fields["stringData"].value:
                if "-----BEGIN" in value.value:
                    yield name, key.value, value


def test_every_pem_in_a_secret_is_a_block_scalar_that_parses_once_filled_in():
    found = list(_pem_nodes())
    assert {key for _, key, _ in found} >= {
        "FAIRPATH_PRINCIPAL_PUBLIC_KEY",
        "FAIRPATH_GATEWAY_PRINCIPAL_SIGNING_KEY",
        *(f"{spec.settings_prefix}AUDIT_SIGNING_KEY" for spec in ALL_SERVICES),
    }
    for secret, key, node in found:
        where = f"{secret} {key}"
        assert node.style == "|", f"{where}: a PEM is written as a block scalar, not a quoted string with \\n"
        text = node.value
        assert "\\n" not in text and text.endswith("-----\n"), where
        begin, body, end = text.splitlines()
        label = re.fullmatch(r"-----BEGIN (PRIVATE KEY|PUBLIC KEY)-----", begin)
        assert label and end == f"-----END {label[1]}-----" and body == PLACEHOLDER, where
        # The body an operator pastes in place of the placeholder: an Ed25519 key of the kind the header names.
        real = new_ed25519_private_pem()
        if label[1] == "PUBLIC KEY":
            real = public_pem_of(real)
        pasted = text.replace(PLACEHOLDER, "\n".join(real.splitlines()[1:-1]))
        if label[1] == "PUBLIC KEY":
            PrincipalVerifier(pasted)
            serialization.load_pem_public_key(pasted.encode())
        else:
            PrincipalSigner(pasted, 60)
            serialization.load_pem_private_key(pasted.encode(), password=None)


def test_the_registry_key_ring_placeholder_has_the_form_the_registry_reads():
    ring = named("Secret", "fairpath-registry")["stringData"]["FAIRPATH_REGISTRY_ENCRYPTION_KEYS"]
    key = base64.urlsafe_b64encode(os.urandom(32)).decode()
    cipher = FieldCipher(ring.replace(PLACEHOLDER, key), "hash-key")
    assert cipher.active_key_id == ring.split(":")[0]


# --- migrations ---------------------------------------------------------------------------------------------------


def test_there_is_one_migration_job_per_service_database():
    jobs = of_kind("Job")
    assert sorted(job["metadata"]["labels"]["fairpath/service"] for job in jobs) == sorted(BY_NAME)
    for job in jobs:
        service = job["metadata"]["labels"]["fairpath/service"]
        (container,) = job["spec"]["template"]["spec"]["containers"]
        assert [e["name"] for e in container["env"]] == [f"{BY_NAME[service].settings_prefix}DATABASE_URL"]


def _migration_job(service: str) -> tuple[list[str], str]:
    job = named("Job", f"migrate-{service}")
    (container,) = job["spec"]["template"]["spec"]["containers"]
    (env,) = container["env"]
    return [*container["command"], *container.get("args", [])], env["name"]


# The Jobs run against PostgreSQL (a deployment has no SQLite); the four at once, as `kubectl apply` starts them.
@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_each_migration_job_brings_its_database_to_the_schema_head(database_url):
    async def run_job(service: str) -> str:
        command, env_name = _migration_job(service)
        assert command[0] == "python", command
        url = await database_url(f"migrate_{service}")
        # The Job's command as the container runs it, in a process of its own with only its database's URL.
        done = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, *command[1:]],
            env={"PATH": os.environ.get("PATH", ""), env_name: url},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        assert f"{service}: the database is at its schema head" in done.stdout
        return url

    urls = await asyncio.gather(*(run_job(service) for service in BY_NAME))
    for (service, spec), url in zip(BY_NAME.items(), urls, strict=True):
        metadata = importlib.import_module(f"fairpath.{spec.package}.all_tables").metadata
        database = Database(url)
        try:
            assert await drift(database, metadata) == [], service
        finally:
            await database.dispose()


# --- compose ------------------------------------------------------------------------------------------------------


def test_compose_follows_the_compose_specification():
    # check-jsonschema ships the Compose Specification's schema among its vendored ones; read as a file, without
    # importing the package (its command line needs packages of its own).
    package = importlib.util.find_spec("check_jsonschema")
    if package is None or not package.submodule_search_locations:
        pytest.skip("check-jsonschema is not installed: it ships the Compose Specification's schema")
    (location,) = package.submodule_search_locations
    schema = json.loads((Path(location) / "builtin_schemas" / "vendor" / "compose-spec.json").read_text())
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(compose()), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors]


def test_compose_hands_each_process_only_its_own_env_file():
    processes = compose_processes()
    assert set(processes) == set(BY_NAME)
    for name, svc in processes.items():
        assert svc["env_file"] == [f"{name}.env"], name
        assert (COMPOSE / f"{name}.env.example").is_file(), name
    for name, svc in compose()["services"].items():
        if name not in BY_NAME:
            assert "env_file" not in svc, name


def test_compose_processes_run_unprivileged_and_report_their_health():
    for name, svc in compose()["services"].items():
        assert "healthcheck" in svc, name
        if name == "postgres":
            continue
        assert svc["read_only"] is True and svc["cap_drop"] == ["ALL"], name
        assert "no-new-privileges:true" in svc["security_opt"], name
    for name, svc in compose_processes().items():
        assert svc["user"] == "10001:10001" and svc["tmpfs"] == ["/tmp"], name
        assert f"127.0.0.1:{BY_NAME[name].port}/readyz" in " ".join(svc["healthcheck"]["test"]), name

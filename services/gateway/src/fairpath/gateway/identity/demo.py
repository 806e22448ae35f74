"""Demo identities for `./fairpath up`: one user (with a password and an API key) per role,
and a second compliance officer so that four-eyes decisions can be tried.

Writes the digests to `var/gateway-identities.json` and the clear credentials to
`var/demo-credentials.json`. Both are made once and reused.
"""

import json
import os
import secrets
from pathlib import Path
from typing import Any

from fairpath.common.auth import OrganizationKind, Role
from fairpath.common.ids import uuid7
from fairpath.gateway.identity.store import ApiKey, IdentityFile, Organization, User, hash_password, key_digest

DEMO_USERS: list[tuple[str, Role, OrganizationKind | None]] = [
    ("admin", Role.admin, OrganizationKind.operator),
    ("compliance_officer", Role.compliance_officer, OrganizationKind.operator),
    ("compliance_officer_2", Role.compliance_officer, OrganizationKind.operator),
    ("agency", Role.agency, OrganizationKind.recruitment_agency),
    ("employer", Role.employer, OrganizationKind.employer),
    ("auditor", Role.auditor, OrganizationKind.auditor),
    ("worker", Role.worker, None),
]
ORGANIZATION_NAMES = {
    OrganizationKind.operator: "Fairpath Operator",
    OrganizationKind.recruitment_agency: "Demo Recruitment Agency",
    OrganizationKind.employer: "Demo Employer",
    OrganizationKind.auditor: "Demo Audit Firm",
}


def _write_private(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(data, f, indent=2)
    tmp.replace(path)


def ensure_demo_identities(var_dir: Path, gateway_url: str) -> dict[str, Any]:
    """Create the demo identities on first run; return the credentials."""
    identities_path = var_dir / "gateway-identities.json"
    credentials_path = var_dir / "demo-credentials.json"
    if identities_path.exists() and credentials_path.exists():
        credentials = json.loads(credentials_path.read_text())
        if credentials.get("gateway") != gateway_url:
            credentials["gateway"] = gateway_url
            _write_private(credentials_path, credentials)
        return credentials

    organizations = {kind: Organization(id=uuid7(), name=name, kind=kind) for kind, name in ORGANIZATION_NAMES.items()}
    identities = IdentityFile(organizations=list(organizations.values()))
    users: dict[str, dict[str, str]] = {}
    for username, role, org_kind in DEMO_USERS:
        password = secrets.token_urlsafe(12)
        api_key = f"fp_{secrets.token_urlsafe(32)}"
        user = User(
            id=uuid7(),
            username=username,
            password_scrypt=hash_password(password),
            role=role,
            organization_id=organizations[org_kind].id if org_kind else None,
            worker_id=uuid7() if role == Role.worker else None,
        )
        identities.users.append(user)
        identities.api_keys.append(
            ApiKey(id=uuid7(), name=f"demo {username}", key_sha256=key_digest(api_key), user_id=user.id)
        )
        users[username] = {"username": username, "password": password, "api_key": api_key}

    credentials = {"gateway": gateway_url, "users": users}
    _write_private(identities_path, identities.model_dump(mode="json"))
    _write_private(credentials_path, credentials)
    return credentials

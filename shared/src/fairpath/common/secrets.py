"""Development secrets, generated once into var/secrets/ and reused on every start."""

import os
import secrets as _random
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


@dataclass(frozen=True)
class Keypair:
    private_pem: str
    public_pem: str


def _write_once(path: Path, content: str) -> str:
    """Create the file if it does not exist (atomically, 0600); return what the file holds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text()
    with os.fdopen(fd, "w") as f:
        f.write(content)
    return content


def new_ed25519_private_pem() -> str:
    key = Ed25519PrivateKey.generate()
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def public_pem_of(private_pem: str) -> str:
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def principal_keypair(var_dir: Path) -> Keypair:
    """The gateway's principal-signing key pair for development."""
    private_pem = _write_once(var_dir / "secrets" / "principal-signing.pem", new_ed25519_private_pem())
    return Keypair(private_pem=private_pem, public_pem=public_pem_of(private_pem))


def random_secret(var_dir: Path, name: str, nbytes: int = 32) -> str:
    """A named random secret (url-safe text) for development."""
    return _write_once(var_dir / "secrets" / name, _random.token_urlsafe(nbytes)).strip()

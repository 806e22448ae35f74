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
    """Create the file if it does not exist (0600); return what the file holds.

    Written to a private temporary name, then linked into place: a process starting at
    the same moment sees either no file or the whole file, never an empty one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        return path.read_text()
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{_random.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(content)
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass  # another process won the race; use its secret
    finally:
        tmp.unlink()
    return path.read_text()


def new_ed25519_private_pem() -> str:
    key = Ed25519PrivateKey.generate()
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def public_pem_of(private_pem: str) -> str:
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def principal_keypair(var_dir: Path) -> Keypair:
    """The gateway's principal-signing key pair for development."""
    private_pem = _write_once(var_dir / "secrets" / "principal-signing.pem", new_ed25519_private_pem())
    return Keypair(private_pem=private_pem, public_pem=public_pem_of(private_pem))


def ed25519_private_pem(var_dir: Path, name: str) -> str:
    """A named Ed25519 private key (PEM) for development (a service's audit checkpoint key, say)."""
    return _write_once(var_dir / "secrets" / f"{name}.pem", new_ed25519_private_pem())


def random_secret(var_dir: Path, name: str, nbytes: int = 32) -> str:
    """A named random secret (url-safe text) for development."""
    return _write_once(var_dir / "secrets" / name, _random.token_urlsafe(nbytes)).strip()

"""Ed25519 signing keys: generate, load, and the base64 public key form agents pin."""

from __future__ import annotations

import base64
import binascii
import os
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from agent.errors import UserError

PUBLIC_KEY_BYTES = 32


def generate_key(out: Path) -> Ed25519PrivateKey:
    """Write a new private key as unencrypted PKCS#8 PEM, readable by its owner only.

    Refuses to overwrite: replacing a signing key by accident would lock every agent out.
    """
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise UserError(f"{out} already exists; refusing to overwrite a signing key") from None
    except OSError as exc:
        raise UserError(f"cannot create {out}: {exc.strerror}") from None
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
        fh.flush()
        os.fsync(fh.fileno())
    return key


def load_private_key(path: Path) -> Ed25519PrivateKey:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(f"cannot read signing key {path}: {exc.strerror}") from None
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise UserError(
            f"{path} is not an unencrypted PEM private key"
            " (create one with `postguard pack keygen`)"
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise UserError(f"{path} is not an Ed25519 key (create one with `postguard pack keygen`)")
    return key


def public_key_b64(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """The form IT pastes into the managed settings: standard base64 of the 32 raw bytes."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def parse_public_key(text: str) -> Ed25519PublicKey:
    """Parse a pinned key; raises ValueError with a message fit for a settings error."""
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"trusted key {text[:16]!r}... is not valid base64") from None
    if len(raw) != PUBLIC_KEY_BYTES:
        raise ValueError(
            f"trusted key {text[:16]!r}... is {len(raw)} bytes; an Ed25519 public key is 32"
        )
    return Ed25519PublicKey.from_public_bytes(raw)

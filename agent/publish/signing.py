"""Detached Ed25519 signatures over the index bytes, verified against pinned keys.

``index.json.sig`` is JSON: ``{"signatures": [{"public_key": B64, "signature": B64}]}``.
More than one signature lets IT rotate keys: sign with the old and the new key while
agents are moved over, and any agent accepts a signature by any key it pins.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Sequence

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agent.publish.keys import parse_public_key, public_key_b64

MAX_SIGNATURES = 8


class SignatureError(ValueError):
    """The index is not signed by a trusted key; the message says why in plain words."""


class _Signature(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    public_key: str
    signature: str


class _SignatureFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    signatures: list[_Signature] = Field(min_length=1, max_length=MAX_SIGNATURES)


def sign_index(index_bytes: bytes, keys: Sequence[Ed25519PrivateKey]) -> bytes:
    if not keys:
        raise ValueError("at least one signing key is needed")
    sigs = [
        _Signature(
            public_key=public_key_b64(key),
            signature=base64.b64encode(key.sign(index_bytes)).decode("ascii"),
        )
        for key in keys
    ]
    return (_SignatureFile(signatures=sigs).model_dump_json(indent=2) + "\n").encode("utf-8")


def verify_index(index_bytes: bytes, sig_bytes: bytes | None, trusted_keys: Iterable[str]) -> str:
    """Return the pinned key that verified ``index_bytes``; raise SignatureError otherwise."""
    if not sig_bytes:
        raise SignatureError("the pack index is not signed (index.json.sig is missing or empty)")
    try:
        sig_file = _SignatureFile.model_validate_json(sig_bytes)
    except ValidationError:
        raise SignatureError("the pack index signature file is malformed") from None
    # Compare raw key bytes, so base64 spelling differences do not matter.
    trusted = {raw: k for k in trusted_keys if (raw := _raw(k)) is not None}
    if not trusted:
        raise SignatureError("no trusted signing keys are configured")
    signed_by_trusted = False
    for sig in sig_file.signatures:
        raw_key = _raw(sig.public_key)
        if raw_key is None or raw_key not in trusted:
            continue
        signed_by_trusted = True
        try:
            signature = base64.b64decode(sig.signature, validate=True)
            parse_public_key(sig.public_key).verify(signature, index_bytes)
        except (InvalidSignature, binascii.Error, ValueError):
            continue
        return trusted[raw_key]
    if signed_by_trusted:
        raise SignatureError(
            "the pack index signature does not match its contents (altered or mismatched files)"
        )
    raise SignatureError("the pack index is signed by a key this agent does not trust")


def _raw(key_b64: str) -> bytes | None:
    try:
        raw = base64.b64decode(key_b64.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if len(raw) == 32 else None

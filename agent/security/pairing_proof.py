"""The pairing exchange's cryptography: each side proves it knows the code, neither reveals it.

The extension and the agent both know the one-time code (the agent because ``postguard
pair`` left it in the data dir, the extension because the employee typed it).  Neither
ever sends it.  Instead both derive keys from it and prove knowledge of it over a
transcript that binds the two fresh nonces and the address the extension connected to:

- ``master = PBKDF2-HMAC-SHA256(code, salt="postguard-pair-v1:" + extension nonce,
  600,000 iterations)``: the extension's fresh nonce in the salt means nobody can
  precompute a table of codes; the iterations make every offline guess expensive;
- three keys from ``master`` with HKDF-SHA256 (zero salt, one label each): the
  extension's proof key, the agent's proof key, the key that seals the token;
- the extension proves first (an HMAC over the transcript), so the agent issues nothing
  to a caller that does not know the code; the agent answers with the new token sealed
  with AES-256-GCM (the transcript as associated data) and its own HMAC over the
  transcript and the token.  A program on the port that does not know the code can
  produce neither, and never sees the token in clear.

``extension/background/pairing.js`` is the other half, with WebCrypto; both are checked
against the same test vectors (``extension/tests/pairing_vectors.json``).
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

VERSION: Final = "postguard-pair-v1"
# OWASP's 2023 figure for PBKDF2-HMAC-SHA256: about a quarter of a second on the agent,
# half a second in the browser, and years of GPU time for a code's whole space (see
# docs/agent.md, "Pairing").
ITERATIONS: Final = 600_000
IV_BYTES: Final = 12
_ZERO_SALT: Final = bytes(32)


@dataclass(frozen=True)
class PairingKeys:
    extension: bytes
    agent: bytes
    token: bytes


@dataclass(frozen=True)
class SealedToken:
    iv: str  # hex, 12 bytes
    sealed_token: str  # hex: AES-256-GCM ciphertext and tag


def transcript(address: str, extension_nonce: str, agent_nonce: str) -> bytes:
    """What both proofs cover: the protocol, where the extension connected, both nonces.

    ``address`` is ``host:port`` as the extension dialled it (``127.0.0.1:47600``); the
    agent writes the address its socket accepted the connection on.  A program that relays
    the extension's port to an agent on another port or address therefore fails both proofs.
    """
    return f"{VERSION}\n{address}\n{extension_nonce}\n{agent_nonce}".encode()


def derive_keys(code: str, extension_nonce: str) -> PairingKeys:
    """The exchange's keys; ``code`` normalised (see :func:`agent.security.pairing.normalise`).

    Takes about a quarter of a second by design: call it off the event loop.
    """
    master = PBKDF2HMAC(
        algorithm=hashes.SHA256(),
        length=32,
        salt=f"{VERSION}:{extension_nonce}".encode(),
        iterations=ITERATIONS,
    ).derive(code.encode())
    return PairingKeys(
        extension=_expand(master, "extension proof"),
        agent=_expand(master, "agent proof"),
        token=_expand(master, "token key"),
    )


def _expand(master: bytes, label: str) -> bytes:
    info = f"{VERSION} {label}".encode()
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=_ZERO_SALT, info=info).derive(master)


def extension_proof(keys: PairingKeys, exchange: bytes) -> str:
    return hmac.new(keys.extension, exchange, hashlib.sha256).hexdigest()


def agent_proof(keys: PairingKeys, exchange: bytes, token: str) -> str:
    return hmac.new(keys.agent, exchange + b"\n" + token.encode(), hashlib.sha256).hexdigest()


def seal_token(
    keys: PairingKeys, exchange: bytes, token: str, iv: bytes | None = None
) -> SealedToken:
    """The token encrypted for the one who knows the code; ``iv`` only for test vectors."""
    nonce = iv if iv is not None else os.urandom(IV_BYTES)
    sealed = AESGCM(keys.token).encrypt(nonce, token.encode(), exchange)
    return SealedToken(iv=nonce.hex(), sealed_token=sealed.hex())


def open_token(keys: PairingKeys, exchange: bytes, sealed: SealedToken) -> str | None:
    """The client's half: the token, or None when it was not sealed with these keys."""
    try:
        plain = AESGCM(keys.token).decrypt(
            bytes.fromhex(sealed.iv), bytes.fromhex(sealed.sealed_token), exchange
        )
        return plain.decode()
    except (InvalidTag, ValueError):
        return None


def proofs_equal(presented: str, expected: str) -> bool:
    """Constant-time, so the answer's timing says nothing about the expected proof."""
    return hmac.compare_digest(presented.encode(), expected.encode())

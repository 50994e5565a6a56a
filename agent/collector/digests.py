"""How the collector keeps tokens: as SHA-256 only, so a copied database does not leak them."""

from __future__ import annotations

import hashlib


def token_digest(token: str) -> str:
    """Tokens are 256 random bits: a plain SHA-256 cannot be reversed or guessed."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()

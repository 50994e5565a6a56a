"""Mutual authentication: the agent proves it holds the token before a client sends text.

A process squatting the agent's port does not know the token, so it cannot compute the
proof; the extension refuses to send drafts to a server whose proof differs.  The agent
proves with the token valid now (:class:`agent.security.tokens.TokenBook`), so a browser
whose token was retired fails the challenge too, and pairs again.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Final

PROOF_PREFIX: Final = "postguard-agent-proof:"


def proof(token: str, nonce: str) -> str:
    """hex(HMAC-SHA256(key=token, msg="postguard-agent-proof:" + nonce))."""
    message = (PROOF_PREFIX + nonce).encode()
    return hmac.new(token.encode(), message, hashlib.sha256).hexdigest()


def tokens_equal(presented: str, expected: str) -> bool:
    """Constant-time comparison, so response timing does not reveal a token prefix."""
    return hmac.compare_digest(presented.encode(), expected.encode())

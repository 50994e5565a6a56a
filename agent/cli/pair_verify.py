"""Before ``postguard pair`` prints a code: is the program on the agent's port our agent?

What is checked: the program answering ``POST /v1/challenge`` on ``127.0.0.1:PORT`` (the
address the extension uses) returns ``HMAC-SHA256(token, nonce)`` for a fresh nonce, keyed
with the agent token kept in this user's keyring or 0600 ``secrets.json``.  Only the agent
(or something that can read this user's secrets, and so the pairing code too) can.
Nothing secret is sent: the request carries the nonce and no token.
"""

from __future__ import annotations

import asyncio
import enum
import json
import secrets
from dataclasses import dataclass
from typing import Final

from agent.config import Settings
from agent.security.challenge import proof, tokens_equal
from agent.security.secrets import TOKEN, SecretStore

TIMEOUT_S: Final = 3.0
_MAX_REPLY_BYTES: Final = 4096


class Verdict(enum.Enum):
    VERIFIED = "verified"
    NOT_RUNNING = "not running"  # nothing accepts connections on the port
    IMPOSTOR = "impostor"  # something answers, and it is not this user's agent


@dataclass(frozen=True)
class Check:
    verdict: Verdict
    address: str
    why: str = ""


def agent_address(settings: Settings) -> str:
    return f"127.0.0.1:{settings.port}" if settings.host != "::1" else f"[::1]:{settings.port}"


def verify_agent(settings: Settings) -> Check:
    """Challenge whatever holds the agent's port with this user's token."""
    address = agent_address(settings)
    nonce = secrets.token_hex(32)
    try:
        answered = asyncio.run(_challenge(address, nonce))
    except ConnectionRefusedError:
        return Check(Verdict.NOT_RUNNING, address)
    except (OSError, TimeoutError):
        return Check(Verdict.IMPOSTOR, address, "it did not answer the agent's challenge")
    if answered is None:
        return Check(Verdict.IMPOSTOR, address, "it did not answer the agent's challenge")
    token = SecretStore(settings.config_dir).get(TOKEN)
    if token is None:
        return Check(
            Verdict.IMPOSTOR,
            address,
            "no agent token is stored for this user to check it with (keyring locked?)",
        )
    if not tokens_equal(answered, proof(token, nonce)):
        return Check(Verdict.IMPOSTOR, address, "it could not prove it holds the agent's token")
    return Check(Verdict.VERIFIED, address)


async def _challenge(address: str, nonce: str) -> str | None:
    """The proof the program on ``address`` gives for ``nonce``; None for anything else."""
    import aiohttp  # only when the command runs: ``postguard --help`` stays light

    timeout = aiohttp.ClientTimeout(total=TIMEOUT_S)
    # trust_env=False (the default): no proxy from the environment sees the request.
    async with aiohttp.ClientSession(timeout=timeout) as session:
        try:
            async with session.post(
                f"http://{address}/v1/challenge", json={"nonce": nonce}, allow_redirects=False
            ) as response:
                if response.status != 200:
                    return None
                raw = await response.content.read(_MAX_REPLY_BYTES)
        except aiohttp.ClientConnectorError as exc:
            if isinstance(exc.os_error, ConnectionRefusedError):
                raise ConnectionRefusedError from None
            raise OSError(str(exc)) from None
        except aiohttp.ClientError as exc:
            raise OSError(str(exc)) from None
    try:
        answer = json.loads(raw)
    except ValueError:
        return None
    value = answer.get("proof") if isinstance(answer, dict) else None
    return value if isinstance(value, str) else None

"""What ``postguard native-host`` answers: this user's agent port and a fresh pairing code.

The host runs as the user, so it reads the same settings and secrets as ``postguard
pair``.  It does what that command does, for the extension instead of a person: it
challenges the program on the agent's port with this user's token, and only when the
agent proves itself does it issue a one-time code (:func:`agent.security.pairing.issue_code`).
The extension then runs the usual mutual exchange with that code, so a program squatting
the port learns nothing, and no new cryptography is involved.

The port travels with every answer, so two people on one machine (a terminal server,
VDI) each reach the agent their own settings name.  Requests (one per launch):

- ``{"type": "port"}`` → ``{"ok": true, "port": P}``
- ``{"type": "pair"}`` → ``{"ok": true, "port": P, "code": "K7QM-3XTP", "expires_at": ...}``

A failure is ``{"ok": false, "port": P?, "error": {"code": ..., "message": ...}}``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from agent.config import Settings, load_settings
from agent.errors import UserError

HOST_NAME: Final = "com.postguard.agent"
ErrorCode = Literal[
    "bad_request", "not_allowed", "settings", "agent_not_running", "not_your_agent", "internal"
]


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["pair", "port"]


class HostError(BaseModel):
    code: ErrorCode
    message: str


class Reply(BaseModel):
    ok: bool
    port: int | None = None
    code: str | None = None
    expires_at: str | None = None
    error: HostError | None = None

    @classmethod
    def failure(cls, code: ErrorCode, message: str, port: int | None = None) -> Reply:
        return cls(ok=False, port=port, error=HostError(code=code, message=message))


def caller_allowed(caller: str | None, allowed: list[str]) -> bool:
    """Chrome names the calling extension as ``chrome-extension://ID/`` (first argument)."""
    return caller is not None and caller.rstrip("/") in allowed


def answer(body: bytes, caller: str | None, load: Callable[[], Settings] | None = None) -> Reply:
    """The reply to one request body (JSON text), from the extension ``caller``."""
    try:
        request = Request.model_validate_json(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "request"
        return Reply.failure("bad_request", f"{where}: {first['msg']}"[:200])
    try:
        settings = load() if load is not None else load_settings().settings
    except UserError as exc:
        return Reply.failure("settings", exc.message)
    if not caller_allowed(caller, settings.allowed_origins):
        # Chrome already refuses extensions the host manifest does not list; this keeps a
        # manifest left from another configuration from widening who may pair.
        return Reply.failure(
            "not_allowed", "this extension is not one the agent accepts (allowed_origins)"
        )
    if request.type == "port":
        return Reply(ok=True, port=settings.port)
    return _pair(settings)


def _pair(settings: Settings) -> Reply:
    from agent.cli.pair_verify import Verdict, verify_agent
    from agent.security.pairing import issue_code

    check = verify_agent(settings)
    if check.verdict is Verdict.NOT_RUNNING:
        return Reply.failure(
            "agent_not_running",
            f"nothing answers on {check.address}: the PostGuard agent is not running",
            settings.port,
        )
    if check.verdict is Verdict.IMPOSTOR:
        return Reply.failure(
            "not_your_agent",
            f"the program on {check.address} is not your PostGuard agent ({check.why})",
            settings.port,
        )
    issued = issue_code(settings.data_dir)
    return Reply(
        ok=True, port=settings.port, code=issued.code, expires_at=issued.expires_at.isoformat()
    )

"""One native messaging exchange on stdin/stdout, bounded in size and in time.

Chrome starts the host, writes one request and waits; the host answers and exits.  A host
that hangs (a keyring prompt nobody answers, an agent that never replies) would hold the
extension's pairing, so the whole exchange has a deadline after which the process exits;
the work below it (the agent challenge, the keyring) has shorter bounds of its own.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from typing import BinaryIO, Final

from agent.native.framing import FramingError, read_message, write_message
from agent.native.host import Reply, answer

DEADLINE_S: Final = 20.0


def serve_once(stdin: BinaryIO, stdout: BinaryIO, caller: str | None) -> int:
    """Read one request, write one reply; 0 when a reply was written, 1 otherwise."""
    watchdog = threading.Timer(DEADLINE_S, _give_up)
    watchdog.daemon = True
    watchdog.start()
    try:
        # stdout carries only frames: anything printed by the code below goes to stderr,
        # which Chrome keeps in its own log.
        with contextlib.redirect_stdout(sys.stderr):
            try:
                body = read_message(stdin)
            except FramingError as exc:
                print(f"postguard native-host: {exc}", file=sys.stderr)
                _reply(stdout, Reply.failure("bad_request", str(exc)))
                return 1
            try:
                reply = answer(body, caller)
            except Exception as exc:  # noqa: BLE001 - one line to the extension, never a traceback
                reply = Reply.failure("internal", f"{type(exc).__name__}: {exc}"[:300])
            _reply(stdout, reply)
            return 0 if reply.ok else 1
    finally:
        watchdog.cancel()


def _reply(stdout: BinaryIO, reply: Reply) -> None:
    with contextlib.suppress(OSError, FramingError):  # Chrome went away: nobody to tell
        write_message(stdout, reply.model_dump_json(exclude_none=True).encode())


def _give_up() -> None:
    print(f"postguard native-host: no answer within {DEADLINE_S:g} s; exiting", file=sys.stderr)
    os._exit(1)

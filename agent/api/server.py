"""Serving the app on sockets bound by :func:`agent.api.listen.bind`, until a signal."""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

from aiohttp import web

from agent.api.accesslog import AccessLogger
from agent.config import Settings

log = logging.getLogger("postguard.agent")


def runner_options(settings: Settings) -> dict[str, Any]:
    """AppRunner keyword arguments: the same in production and in tests."""
    return {
        "access_log_class": AccessLogger,
        # aiohttp starts this timer when a connection opens and stops it only when a whole
        # request has arrived, so it is also the deadline for dribbled headers.
        "keepalive_timeout": settings.header_timeout_s,
        # Compressed bodies are refused at the edge; with decoding off, a body that got past
        # that check anyway reaches the JSON parser as the bytes sent, never expanded.
        "auto_decompress": False,
    }


async def serve(app: web.Application, settings: Settings, sockets: list[socket.socket]) -> None:
    """Run until SIGINT/SIGTERM; the app's cleanup contexts run on the way out."""
    runner = web.AppRunner(app, handle_signals=False, **runner_options(settings))
    await runner.setup()
    try:
        for sock in sockets:
            await web.SockSite(runner, sock).start()
        addresses = ", ".join(_address(sock) for sock in sockets)
        log.info("PostGuard agent listening on %s", addresses)
        with _stop_on_signals() as stopped:
            await stopped.wait()
    finally:
        await runner.cleanup()


def _address(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


@contextmanager
def _stop_on_signals() -> Iterator[asyncio.Event]:
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    installed = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        with suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stopped.set)
            installed.append(sig)
    try:
        yield stopped
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)

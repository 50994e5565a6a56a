"""Serving the app on loopback: bind first (a taken port is a clear error), then run.

The sockets are bound here rather than by aiohttp so that an occupied port or an address
that is not loopback stops the agent with one line and a non-zero exit — never a silent
switch to another port, where the extension would find whoever squats the real one.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import signal
import socket
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

from aiohttp import web

from agent.api.accesslog import AccessLogger
from agent.config import Settings
from agent.errors import UserError

log = logging.getLogger("postguard.agent")

_UNAVAILABLE = {errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT, errno.EPROTONOSUPPORT}


def bind(settings: Settings) -> list[socket.socket]:
    """Listening sockets on each loopback address of ``settings.host``."""
    sockets: list[socket.socket] = []
    try:
        for host in settings.bind_hosts:
            sock = _bind_one(
                host, settings.port, required=settings.host != "localhost" or host == "127.0.0.1"
            )
            if sock is not None:
                sockets.append(sock)
    except BaseException:
        for sock in sockets:
            sock.close()
        raise
    return sockets


def _bind_one(host: str, port: int, *, required: bool) -> socket.socket | None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        sock = socket.socket(family, socket.SOCK_STREAM)
    except OSError as exc:
        if not required and exc.errno in _UNAVAILABLE:
            return None
        raise UserError(f"cannot listen on {host}: {exc.strerror}") from None
    try:
        # SO_REUSEADDR lets a restart reuse a port in TIME_WAIT; it does not let two
        # listeners share it on Linux or macOS.  Windows needs EXCLUSIVEADDRUSE instead.
        if hasattr(socket, "SO_EXCLUSIVEADDRUSE"):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_EXCLUSIVEADDRUSE, 1)
        else:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind((host, port))
        sock.listen(128)
        sock.setblocking(False)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            address = f"[{host}]:{port}" if family == socket.AF_INET6 else f"{host}:{port}"
            raise UserError(
                f"port {port} is already in use on {address} (is another agent running?); "
                "stop it, or set another port with POSTGUARD_PORT or `port` in config.toml"
            ) from None
        if not required and exc.errno in _UNAVAILABLE:
            return None
        raise UserError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    return sock


def runner_options(settings: Settings) -> dict[str, Any]:
    """AppRunner keyword arguments: the same in production and in tests."""
    return {
        "access_log_class": AccessLogger,
        # aiohttp starts this timer when a connection opens and stops it only when a whole
        # request has arrived, so it is also the deadline for dribbled headers.
        "keepalive_timeout": settings.header_timeout_s,
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

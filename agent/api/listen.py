"""Listening sockets on loopback, bound before anything slow: a taken port is a clear error.

The sockets are bound here rather than by aiohttp so that an occupied port or an address
that is not loopback stops the agent with one line and a non-zero exit — never a silent
switch to another port, where the extension would find whoever squats the real one.  This
module needs no aiohttp, so ``postguard serve`` binds before importing the server.
"""

from __future__ import annotations

import errno
import socket
from typing import TYPE_CHECKING

from agent.errors import UserError

if TYPE_CHECKING:
    from agent.config import Settings

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

"""``postguard serve``: run the local agent the browser extension talks to."""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import socket

    from aiohttp import web

    from agent.config import Settings


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="run the local agent on loopback",
        description="Run the local agent (default http://127.0.0.1:47600) on the configured "
        "packs, the bundled ones when nothing is configured.",
    )
    parser.add_argument("--port", type=int, help="listen on this port (default 47600)")
    parser.add_argument(
        "--pack",
        dest="packs",
        action="append",
        type=Path,
        metavar="DIR",
        help="serve this pack directory (repeat for layers, in order)",
    )
    parser.add_argument(
        "--watch", action="store_true", help="recompile and swap in edited local packs"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # Pydantic looks for plugins in every installed package's metadata when the first model
    # is built; the agent uses none, so it does not look unless the operator says otherwise.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    # Start-up allocates what lives as long as the agent (modules, models, the compiled
    # packs); the cycle collector finds nothing in it but would walk it again and again
    # while it loads (a fifth of the start).  So collection waits until the agent is
    # ready, and what exists then is frozen out of later collections (runtime unfreezes
    # it when a pack set is replaced, so the old one can go).
    gc.disable()
    try:
        app, settings, sockets = _ready_app(args)
    finally:
        gc.freeze()
        gc.enable()
    import asyncio

    from agent.api.server import serve

    asyncio.run(serve(app, settings, sockets))
    return 0


def _ready_app(args: argparse.Namespace) -> tuple[web.Application, Settings, list[socket.socket]]:
    from agent.config import load_settings
    from agent.engine_cache import EngineCache
    from agent.security.secrets import SecretStore

    overrides: dict[str, Any] = {}
    if args.port is not None:
        overrides["port"] = args.port
    if args.packs:
        overrides["pack_dirs"] = [str(p) for p in args.packs]
    settings = load_settings(overrides).settings
    _configure_logging()
    from agent.api.listen import bind

    sockets = bind(settings)  # before anything slow: a taken port fails at once
    try:
        secrets = SecretStore(settings.config_dir)
        cache = EngineCache.for_agent(settings.data_dir, secrets)
        # The compiled packs are read and verified in a thread while the server's own modules
        # (aiohttp, the API) are imported here.
        cache.prefetch(settings.pack_dirs)
        from agent.app import create_app  # imports aiohttp, the slow part

        app = create_app(settings, watch=args.watch, secrets=secrets, engine_cache=cache)
    except BaseException:
        for sock in sockets:
            sock.close()
        raise
    return app, settings, sockets


def _configure_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)

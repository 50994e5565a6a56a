"""``create_app(settings)``: the one factory for the agent, in production and in tests.

State lives under the typed keys of :mod:`agent.api.keys`; anything with a lifecycle is a
``cleanup_ctx`` async generator.

Seams for other parts of the agent (no edit of this file needed):

- **Plugins.**  ``PLUGINS`` names optional modules, imported when present (like the CLI's
  command table).  Each exposes ``setup(app: web.Application, settings: Settings) -> None``,
  called once at the end of ``create_app``, before the app is frozen.  A plugin may:

  - append lifecycles: ``app.cleanup_ctx.append(my_loop)`` (an ``async def (app)`` generator
    that starts a task before ``yield`` and cancels it after); they start after the audit
    log and pack holder exist and stop before those close;
  - add a status section: ``app[STATUS_SECTIONS]["sync"] = lambda: {...}`` — a cheap,
    non-blocking callable returning JSON-able data, shown under ``sections`` in
    ``POST /v1/status``;
  - use ``app[PACKS]`` (:class:`agent.runtime.PackHolder`: compile first — with
    ``app[ENGINE_CACHE].load`` to reuse a set compiled before — then ``swap``, or
    ``record_error`` to keep the old set), ``app[AUDIT]`` (:class:`agent.events.audit.AuditLog`:
    ``pending``/``mark_uploaded``; call it from ``app[AUDIT_POOL]``), ``app[SETTINGS]``.

  A plugin decides from the settings whether it has anything to do (e.g. no
  ``sync.index_url`` → return without adding anything).
- **Tests** pass ``plugins=()`` to get the bare agent.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
from collections.abc import AsyncIterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Final

from aiohttp import web

from agent.api.body import max_body_bytes
from agent.api.keys import (
    AUDIT,
    AUDIT_POOL,
    AUTH_LIMITER,
    CHECK_POOL,
    ENGINE_CACHE,
    FINGERPRINT_KEY,
    PACKS,
    PAIR_LIMITER,
    PAIRING,
    SECRETS_LOCATION,
    SETTINGS,
    SLOTS,
    STATUS_SECTIONS,
    TOKEN,
    TOKENS,
)
from agent.api.middleware import errors, guard, strip_headers
from agent.api.routes import add_routes
from agent.config import Settings
from agent.engine_cache import EngineCache
from agent.events.audit import AUDIT_DB, AuditLog
from agent.paths import BUNDLED_PACKS
from agent.runtime import PackHolder, load_engine, watch_packs
from agent.security.pairing import PairingCodes
from agent.security.ratelimit import FailureLimiter
from agent.security.secrets import FINGERPRINT_KEY as FINGERPRINT_SECRET
from agent.security.secrets import SecretStore
from agent.security.tokens import TokenBook

__all__ = ["AUDIT", "AUDIT_POOL", "PACKS", "PLUGINS", "SETTINGS", "STATUS_SECTIONS", "create_app"]

log = logging.getLogger("postguard.agent")

PLUGINS: Final[tuple[str, ...]] = (
    "agent.sync.plugin",
    "agent.events.upload_plugin",
    "agent.events.heartbeat",  # after the uploader: its first heartbeat wakes it
)
# Failed tokens: a burst of 20, then one more try every 2 s.  Pairing codes: 5 a minute.
AUTH_BURST, AUTH_REFILL_PER_S = 20, 0.5
PAIR_BURST, PAIR_REFILL_PER_S = 5, 5 / 60


def create_app(
    settings: Settings,
    *,
    watch: bool = False,
    plugins: Sequence[str] = PLUGINS,
    secrets: SecretStore | None = None,
    engine_cache: EngineCache | None = None,
) -> web.Application:
    """Build the agent.  Raises UserError (one line) for broken packs or unusable storage.

    ``engine_cache`` (from :meth:`EngineCache.for_agent`) is for a caller that started
    reading the compiled packs early: ``postguard serve`` does, before importing this module.
    """
    store = secrets or SecretStore(settings.config_dir)
    app = web.Application(
        client_max_size=max_body_bytes(settings.max_text_chars), middlewares=[errors, guard]
    )
    app[SETTINGS] = settings
    app[TOKENS] = TokenBook.open(store, settings.data_dir)
    app[TOKEN] = app[TOKENS].current()
    app[FINGERPRINT_KEY] = store.get_or_create(FINGERPRINT_SECRET)
    app[ENGINE_CACHE] = engine_cache or EngineCache.for_agent(settings.data_dir, store)
    source = "bundled" if list(settings.pack_dirs) == list(BUNDLED_PACKS) else "local"
    app[PACKS] = PackHolder(load_engine(settings.pack_dirs, app[ENGINE_CACHE]), source)
    app[SECRETS_LOCATION] = store.location
    app[AUDIT] = AuditLog(
        settings.data_dir / AUDIT_DB,
        user=settings.user,
        max_bytes=settings.audit_max_mb << 20,
        secrets=store,  # the chain's key lives beside the token, never in the data directory
    )
    app[PAIRING] = PairingCodes(settings.data_dir)
    app[AUTH_LIMITER] = FailureLimiter(AUTH_BURST, AUTH_REFILL_PER_S)
    app[PAIR_LIMITER] = FailureLimiter(PAIR_BURST, PAIR_REFILL_PER_S)
    app[CHECK_POOL] = ThreadPoolExecutor(max_workers=2, thread_name_prefix="postguard-check")
    app[AUDIT_POOL] = ThreadPoolExecutor(max_workers=1, thread_name_prefix="postguard-audit")
    app[SLOTS] = asyncio.Semaphore(settings.max_concurrent_requests)
    app[STATUS_SECTIONS] = {}
    add_routes(app)
    app.on_response_prepare.append(strip_headers)
    app.cleanup_ctx.append(_resources)
    if watch:
        app.cleanup_ctx.append(_watcher)
    for name in plugins:
        _load_plugin(name, app, settings)
    return app


async def _resources(app: web.Application) -> AsyncIterator[None]:
    yield
    app[CHECK_POOL].shutdown(wait=True)
    app[AUDIT_POOL].shutdown(wait=True)
    app[AUDIT].close()
    app[ENGINE_CACHE].wait()


async def _watcher(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    task = asyncio.create_task(
        watch_packs(app[PACKS], settings.pack_dirs, settings.watch_interval_s),
        name="postguard-watch",
    )
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def _load_plugin(name: str, app: web.Application, settings: Settings) -> None:
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name is not None and name.startswith(exc.name):
            return  # not shipped in this build
        raise
    module.setup(app, settings)

"""Hooks sync into ``create_app`` (see the plugin seam in ``agent.app``)."""

from __future__ import annotations

from aiohttp import web

from agent.api.keys import ENGINE_CACHE, PACKS, STATUS_SECTIONS
from agent.config import Settings
from agent.sync.options import SyncOptions
from agent.sync.service import STORE_DIR, SyncService
from agent.sync.store import PackStore

SYNC_SERVICE = web.AppKey("sync_service", SyncService)


def setup(app: web.Application, settings: Settings) -> None:
    options = SyncOptions.from_settings(settings.sync)
    service = SyncService(
        options,
        PackStore(settings.data_dir / STORE_DIR),
        app[PACKS],
        compile=app[ENGINE_CACHE].load,
        watch_interval_s=max(settings.watch_interval_s, 5.0),
    )
    service.start()
    app[SYNC_SERVICE] = service
    app[STATUS_SECTIONS]["sync"] = service.status
    if options is not None:
        app.cleanup_ctx.append(service.lifecycle)

"""Hooks sync into ``create_app`` (see the plugin seam in ``agent.app``).

Without ``sync.index_url`` there is nothing to run: the agent only shows the sync status
record (what a configured run left behind, or that sync is off).  The sync service and its
store are imported only then, on the first status request, not on every agent start.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from aiohttp import web
from pydantic import JsonValue

from agent.api.keys import ENGINE_CACHE, PACKS, STATUS_SECTIONS
from agent.config import Settings
from agent.runtime import PackHolder

if TYPE_CHECKING:
    from agent.sync.service import SyncService

SYNC_SERVICE = web.AppKey["SyncService"]("sync_service")


def setup(app: web.Application, settings: Settings) -> None:
    if not settings.sync.index_url:
        app[STATUS_SECTIONS]["sync"] = _StatusWhenOff(settings.data_dir, app[PACKS])
        return
    from agent.security.secrets import SecretStore
    from agent.sync.credentials import PackServerCredentials
    from agent.sync.options import SyncOptions
    from agent.sync.service import STORE_DIR, SyncService
    from agent.sync.store import PackStore

    options = SyncOptions.from_settings(settings.sync)
    service = SyncService(
        options,
        PackStore(settings.data_dir / STORE_DIR),
        app[PACKS],
        compile=app[ENGINE_CACHE].load,
        watch_interval_s=max(settings.watch_interval_s, 5.0),
        credentials=PackServerCredentials(SecretStore(settings.config_dir)),
    )
    service.start()
    app[SYNC_SERVICE] = service
    app[STATUS_SECTIONS]["sync"] = service.status
    app.cleanup_ctx.append(service.lifecycle)


class _StatusWhenOff:
    """The status section of an agent without sync: the idle service's, built on first use."""

    def __init__(self, data_dir: Path, holder: PackHolder) -> None:
        self._data_dir = data_dir
        self._holder = holder
        self._service: SyncService | None = None

    def __call__(self) -> Mapping[str, JsonValue]:
        if self._service is None:
            from agent.sync.service import STORE_DIR, SyncService
            from agent.sync.store import PackStore

            store = PackStore(self._data_dir / STORE_DIR)
            self._service = SyncService(None, store, self._holder)
        return self._service.status()

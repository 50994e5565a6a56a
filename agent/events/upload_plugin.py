"""The agent plugin that runs the uploader and adds the ``uploads`` status section.

Loaded by ``agent.app.create_app`` (``PLUGINS``).  Without a collector URL nothing
is sent, but the section still shows how many events wait, so an unenrolled agent
is visible in status rather than silently keeping its events.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING

from aiohttp import web
from pydantic import JsonValue

from agent.api.keys import AUDIT, AUDIT_POOL, ON_RECORDED, STATUS_SECTIONS
from agent.config import Settings

if TYPE_CHECKING:
    from agent.events.upload import Uploader, UploadStatus

log = logging.getLogger("postguard.upload")

# How often an unenrolled agent refreshes its pending count for status.
_UNENROLLED_REFRESH_S = 10.0
# Uploading is background work: it starts (loads its modules, counts what is pending) a moment
# after the agent does, so it never competes with the agent's first answers.  Events wait
# durably in the audit log meanwhile; status says "starting".
_START_DELAY_S = 0.5


class _Uploads:
    """What the status section reads: the running uploader's status, or the unenrolled one."""

    def __init__(self) -> None:
        self.uploader: Uploader | None = None
        self.unenrolled: UploadStatus | None = None

    def section(self) -> Mapping[str, JsonValue]:
        current = self.uploader.cached_status if self.uploader else self.unenrolled
        if current is None:
            return {"state": "starting"}
        data: dict[str, JsonValue] = current.model_dump(mode="json")
        return data

    def wake(self) -> None:
        """An event was recorded: upload it now rather than at the next idle poll."""
        if self.uploader is not None:
            self.uploader.wake()


def setup(app: web.Application, settings: Settings) -> None:
    uploads = _Uploads()
    app[STATUS_SECTIONS]["uploads"] = uploads.section
    if ON_RECORDED not in app:
        app[ON_RECORDED] = []
    app[ON_RECORDED].append(uploads.wake)

    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(_run(app, settings, uploads), name="postguard-upload")
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    app.cleanup_ctx.append(lifecycle)


async def _run(app: web.Application, settings: Settings, uploads: _Uploads) -> None:
    audit, pool = app[AUDIT], app[AUDIT_POOL]
    loop = asyncio.get_running_loop()
    url = settings.upload.collector_url
    await asyncio.sleep(_START_DELAY_S)
    # The uploader's modules load here, off the event loop, once the agent is serving; the
    # token (maybe in the keyring) is looked up only when there is a collector to send to.
    token = await asyncio.to_thread(_collector_token, settings) if url is not None else None
    await asyncio.to_thread(importlib.import_module, "agent.events.upload")
    from agent.events.upload import BACKLOG_LIMIT, Uploader, UploaderConfig, build_status

    if url is None or token is None:
        if url is not None:
            log.warning("collector URL set but no token: run `postguard enroll URL --token T`")
        while True:
            uploads.unenrolled = await loop.run_in_executor(
                pool, lambda: build_status(audit, collector=None, backlog_limit=BACKLOG_LIMIT)
            )
            await asyncio.sleep(_UNENROLLED_REFRESH_S)
    config = UploaderConfig(
        collector_url=url,
        token=token,
        batch_max_events=settings.upload.batch_size,
        interval_s=settings.upload.interval_s,
        backlog_limit=BACKLOG_LIMIT,
    )
    uploader = Uploader(audit, config, executor=pool)
    await uploader.refresh_status()
    uploads.uploader = uploader
    await uploader.run()


def _collector_token(settings: Settings) -> str | None:
    from agent.events.upload_enrolment import collector_token
    from agent.security.secrets import SecretStore

    return collector_token(settings, SecretStore(settings.config_dir))

"""The agent plugin that runs the uploader and adds the ``uploads`` status section.

Loaded by ``agent.app.create_app`` (``PLUGINS``).  Without a collector URL nothing
is sent, but the section still shows how many events wait, so an unenrolled agent
is visible in status rather than silently keeping its events.  With an enrolment token
but no device token yet (a fleet enrolled by the managed file), it enrols first.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Final

from aiohttp import web
from pydantic import JsonValue

from agent.api.keys import AUDIT, AUDIT_POOL, ON_RECORDED, STATUS_SECTIONS
from agent.config import Settings
from agent.errors import UserError

if TYPE_CHECKING:
    from agent.events.upload import Uploader, UploadStatus

log = logging.getLogger("postguard.upload")

# How often an unenrolled agent refreshes its pending count for status.
_UNENROLLED_REFRESH_S = 10.0
# Uploading is background work: it starts (loads its modules, counts what is pending) a moment
# after the agent does, so it never competes with the agent's first answers.  Events wait
# durably in the audit log meanwhile; status says "starting".
_START_DELAY_S = 0.5
_ENROL_TIMEOUT_S: Final = 30.0


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
    # The uploader's modules load here, off the event loop, once the agent is serving.
    await asyncio.to_thread(importlib.import_module, "agent.events.upload")
    from agent.events.upload import BACKLOG_LIMIT, Uploader, UploaderConfig, build_status

    async def show_unenrolled(reason: str | None = None) -> None:
        def build() -> UploadStatus:
            if reason is None:
                return build_status(audit, collector=None, backlog_limit=BACKLOG_LIMIT)
            return build_status(
                audit, collector=None, backlog_limit=BACKLOG_LIMIT, not_enrolled=reason
            )

        uploads.unenrolled = await loop.run_in_executor(pool, build)

    # Tokens (maybe in the keyring) are looked up only when there is a collector to send to.
    token = None
    if url is not None:
        token = await _upload_token(settings, url, audit.device_id, audit.user, show_unenrolled)
    if url is None or token is None:
        if url is not None:
            log.warning("collector URL set but no token: run `postguard enroll URL --token T`")
        while True:
            await show_unenrolled()
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


async def _upload_token(
    settings: Settings,
    url: str,
    device_id: str,
    user: str,
    show_unenrolled: Callable[[str], Awaitable[None]],
) -> str | None:
    """This device's token for the collector: saved, or obtained now with the enrolment token.

    Enrolment is retried with backoff until the collector answers; meanwhile status says
    why nothing is uploaded and the events wait in the audit log.
    """
    import aiohttp

    from agent.events.upload_backoff import Backoff
    from agent.events.upload_device import (
        EnrolmentRefused,
        EnrolmentUnavailable,
        request_device_token,
    )

    saved = await asyncio.to_thread(_saved_tokens, settings, url, device_id)
    if saved is None:
        return None
    device_token, enrolment_token = saved
    if device_token is not None or enrolment_token is None:
        return device_token
    backoff = Backoff()
    timeout = aiohttp.ClientTimeout(total=_ENROL_TIMEOUT_S)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        while True:
            try:
                issued = await request_device_token(
                    session, url, enrolment_token, device_id=device_id, user=user
                )
            except (EnrolmentRefused, EnrolmentUnavailable) as exc:
                delay = backoff.next_delay()
                log.warning("cannot enrol with the collector: %s; next try in %.0f s", exc, delay)
                await show_unenrolled(f"enrolling with the collector: {exc}")
                await asyncio.sleep(delay)
                continue
            if issued is None:
                log.info("the collector issues no device tokens (a Splunk HEC): using the token")
                return enrolment_token
            await asyncio.to_thread(_save_device_token, settings, url, device_id, issued)
            log.info("enrolled device %s with the collector", device_id)
            return issued


def _saved_tokens(
    settings: Settings, url: str, device_id: str
) -> tuple[str | None, str | None] | None:
    """(device token for this collector and device, enrolment token); None when unreadable."""
    from agent.events.upload_enrolment import device_credential, enrolment_token
    from agent.security.secrets import SecretStore

    store = SecretStore(settings.config_dir)
    try:
        credential = device_credential(store, url, device_id)
        return (credential.token if credential else None), enrolment_token(settings, store)
    except UserError as exc:
        log.error("cannot read the collector tokens: %s", exc.message)
        return None


def _save_device_token(settings: Settings, url: str, device_id: str, token: str) -> None:
    from agent.events.upload_enrolment import DeviceCredential, save_device_credential
    from agent.security.secrets import SecretStore

    credential = DeviceCredential(collector_url=url, device_id=device_id, token=token)
    try:
        save_device_credential(
            SecretStore(settings.config_dir),
            credential,
            forget_enrolment_token=settings.upload.collector_token is None,
        )
    except UserError as exc:  # used for this run all the same; enrolled again next start
        log.error("cannot save the collector device token: %s", exc.message)

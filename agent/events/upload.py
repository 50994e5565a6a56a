"""The uploader: empties the audit log's outbox into IT's collector, at least once.

Records stay pending in the agent's database until the collector has answered
"Success" for the batch that carried them; only then are they marked uploaded.
A crash between the answer and the mark resends the batch, which the collector
ignores by event id, so delivery into its store is exactly once.  Nothing is
ever dropped here: a batch the collector rejects stays pending, is retried with
backoff, and shows up in status until someone fixes the cause.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Protocol, TypeVar

import aiohttp
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agent.events.upload_backoff import Backoff
from agent.events.upload_wire import (
    AUTH_SCHEME,
    HEC_PATH,
    HecAnswer,
    HecCode,
    HecEnvelope,
    encode_events,
    gzip_body,
)
from agent.httputil import retry_after_s

log = logging.getLogger("postguard.upload")
_T = TypeVar("_T")
BACKLOG_LIMIT = 1000


class Outbox(Protocol):
    """What the uploader needs from the audit log (``agent.events.audit.AuditLog``)."""

    def pending(self, limit: int) -> Sequence[BaseModel]:
        """Records not yet uploaded, oldest first, with ``event_id``, ``time``, ``device_id``."""
        ...

    def mark_uploaded(self, event_ids: Sequence[str]) -> None: ...

    def pending_count(self) -> int: ...


class UploaderConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    collector_url: str = Field(description="base URL; the HEC path is appended")
    token: str = Field(repr=False)
    batch_max_events: int = Field(default=100, ge=1, le=10_000)
    # Uncompressed; Splunk's default max_content_length is far larger, proxies often are not.
    batch_max_bytes: int = Field(default=512 * 1024, ge=1024)
    timeout_s: float = Field(default=30.0, gt=0)
    interval_s: float = Field(default=60.0, gt=0, description="idle poll between wake-ups")
    backoff_base_s: float = Field(default=2.0, gt=0)
    backoff_cap_s: float = Field(default=600.0, gt=0)
    backlog_limit: int = Field(
        default=BACKLOG_LIMIT, ge=1, description="pending beyond this is a backlog"
    )

    @property
    def endpoint(self) -> str:
        base = self.collector_url.rstrip("/")
        return base if base.endswith(HEC_PATH) else base + HEC_PATH


class UploadStatus(BaseModel):
    """The ``uploads`` section of the agent's status."""

    enrolled: bool
    collector: str | None
    pending: int
    backlog: bool = Field(description="more than backlog_limit events wait to be uploaded")
    oldest_pending: datetime | None
    last_attempt: datetime | None
    last_success: datetime | None
    last_error: str | None
    next_attempt_in_s: float | None
    uploaded_since_start: int


class Attempt(StrEnum):
    IDLE = "idle"  # nothing pending
    SENT = "sent"
    RETRY_NOW = "retry_now"  # batch shrunk after 413; no backoff needed
    FAILED = "failed"


class BatchRejected(Exception):
    """The collector did not accept a batch; ``retry_after_s`` when it said when to retry."""

    def __init__(self, message: str, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class _TooLarge(Exception):
    pass


def envelope_for(record: BaseModel) -> HecEnvelope:
    """The HEC envelope of one audit record: the whole record becomes ``event``."""
    # uploaded_at is the outbox's own state, not part of the event.
    event: dict[str, Any] = record.model_dump(mode="json", exclude={"uploaded_at"})
    if not isinstance(event.get("event_id"), str):
        raise ValueError("an outbox record without an event_id cannot be uploaded idempotently")
    return HecEnvelope(
        time=_epoch(event.get("time")), host=str(event.get("device_id") or "unknown"), event=event
    )


def _epoch(value: Any) -> float:
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.timestamp()
    raise ValueError(f"record time {value!r} is neither epoch seconds nor ISO 8601")


def _stamp(epoch: float | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, tz=UTC)


class Uploader:
    """One per agent; ``run()`` is its background task, ``wake()`` is called after a record."""

    def __init__(
        self,
        outbox: Outbox,
        config: UploaderConfig,
        backoff: Backoff | None = None,
        executor: Executor | None = None,
    ) -> None:
        self.outbox = outbox
        # The outbox is SQLite with fsync; its calls run off the event loop, on the agent's
        # audit thread when given, so they queue behind writes instead of racing them.
        self._executor = executor
        self._cached: UploadStatus | None = None
        self.config = config
        self.backoff = backoff or Backoff(config.backoff_base_s, config.backoff_cap_s)
        self._wake = asyncio.Event()
        self._batch_cap = config.batch_max_events
        self._last_attempt: float | None = None
        self._last_success: float | None = None
        self._last_error: str | None = None
        self._next_attempt_at: float | None = None
        self._uploaded = 0

    async def _call(self, fn: Callable[..., _T], *args: Any) -> _T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    def wake(self) -> None:
        """A record was appended: send soon (unless backing off after a failure)."""
        self._wake.set()

    async def run(self) -> None:
        async with aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=self.config.timeout_s)
        ) as session:
            while True:
                # Cleared before reading the outbox, not before sleeping: a record appended
                # while a batch is in flight then still cuts the idle wait short.
                self._wake.clear()
                outcome, delay = await self.attempt(session)
                await self.refresh_status()
                if outcome in (Attempt.SENT, Attempt.RETRY_NOW):
                    continue
                if outcome is Attempt.IDLE:
                    await self._sleep(self.config.interval_s, wakeable=True)
                else:
                    await self._sleep(delay, wakeable=False)

    async def drain(self, session: aiohttp.ClientSession) -> Attempt:
        """Send until the outbox is empty or an attempt fails (used by tests and ``sync``)."""
        while True:
            outcome, _ = await self.attempt(session)
            if outcome in (Attempt.IDLE, Attempt.FAILED):
                return outcome

    async def attempt(self, session: aiohttp.ClientSession) -> tuple[Attempt, float]:
        """One batch: send it, and return the outcome and the delay before the next try."""
        try:
            records = await self._call(self.outbox.pending, self._batch_cap)
        except Exception as exc:  # noqa: BLE001 - a broken outbox is reported and retried
            return self._failed(f"cannot read the outbox ({type(exc).__name__}: {exc})")
        if not records:
            self._next_attempt_at = None
            return Attempt.IDLE, 0.0
        batch = self._fit(records)
        ids = [str(e.event["event_id"]) for e in batch]
        self._last_attempt = time.time()
        try:
            await self._post(session, batch)
        except _TooLarge:
            if self._batch_cap > 1 and len(batch) > 1:
                self._batch_cap = max(1, len(batch) // 2)
                return Attempt.RETRY_NOW, 0.0
            return self._failed("the collector refused a single event as too large (HTTP 413)")
        except BatchRejected as exc:
            return self._failed(str(exc), exc.retry_after_s)
        except (TimeoutError, aiohttp.ClientError) as exc:
            return self._failed(_describe_network_error(exc, self.config.timeout_s))
        try:
            await self._call(self.outbox.mark_uploaded, ids)
        except Exception as exc:  # noqa: BLE001 - resent later; the collector ignores repeats
            return self._failed(f"delivered, but cannot mark as uploaded ({exc})")
        self._uploaded += len(ids)
        self._last_success = time.time()
        self._last_error = None
        self._next_attempt_at = None
        self._batch_cap = min(self.config.batch_max_events, self._batch_cap * 2)
        self.backoff.reset()
        log.info("uploaded %d events", len(ids))
        return Attempt.SENT, 0.0

    def _failed(self, message: str, retry_after_s: float | None = None) -> tuple[Attempt, float]:
        delay = self.backoff.next_delay(retry_after_s)
        self._last_error = message
        self._next_attempt_at = time.time() + delay
        log.warning("upload failed: %s; next attempt in %.0f s", message, delay)
        return Attempt.FAILED, delay

    def _fit(self, records: Sequence[BaseModel]) -> list[HecEnvelope]:
        """The longest prefix within the byte cap; always at least one event, never dropped."""
        batch: list[HecEnvelope] = []
        size = 0
        for record in records:
            envelope = envelope_for(record)
            length = len(encode_events([envelope])) + 1
            if batch and size + length > self.config.batch_max_bytes:
                break
            batch.append(envelope)
            size += length
        return batch

    async def _post(self, session: aiohttp.ClientSession, batch: list[HecEnvelope]) -> None:
        headers = {
            "Authorization": f"{AUTH_SCHEME} {self.config.token}",
            "Content-Type": "application/json",
            "Content-Encoding": "gzip",
        }
        body = gzip_body(encode_events(batch))
        # Never follow a redirect: a collector (or whatever answers in its name) pointing
        # elsewhere would have the events, and the token, delivered to another host, and
        # that host's "Success" would mark them uploaded without IT ever seeing them.
        async with session.post(
            self.config.endpoint, data=body, headers=headers, allow_redirects=False
        ) as response:
            raw = await response.read()
            if 300 <= response.status < 400:
                raise BatchRejected(
                    f"the collector answered HTTP {response.status} (a redirect); redirects "
                    "are not followed: set upload.collector_url to the collector's own URL"
                )
            if response.status == 413:
                raise _TooLarge
            answer = _parse_answer(raw)
            if response.status == 200 and answer is not None and answer.code == HecCode.SUCCESS:
                return
            retry_after = retry_after_s(response.headers.get("Retry-After"))
            what = f"HTTP {response.status}"
            if answer is not None:
                what += f" code {answer.code} {answer.text!r}"
                if answer.invalid_event_number is not None:
                    what += f" (event {answer.invalid_event_number} of the batch)"
            raise BatchRejected(f"the collector answered {what}", retry_after)

    async def _sleep(self, seconds: float, *, wakeable: bool) -> None:
        if not wakeable:
            await asyncio.sleep(seconds)
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=seconds)

    async def refresh_status(self) -> UploadStatus:
        self._cached = await self._call(self.status)
        return self._cached

    @property
    def cached_status(self) -> UploadStatus | None:
        """The last status computed by the loop: cheap to read from a request handler."""
        return self._cached

    def status(self) -> UploadStatus:
        """Reads the outbox: call it off the event loop (or use ``refresh_status``)."""
        return build_status(
            self.outbox,
            collector=self.config.collector_url,
            backlog_limit=self.config.backlog_limit,
            last_attempt=self._last_attempt,
            last_success=self._last_success,
            last_error=self._last_error,
            next_attempt_at=self._next_attempt_at,
            uploaded=self._uploaded,
        )


def build_status(
    outbox: Outbox,
    *,
    collector: str | None,
    backlog_limit: int,
    last_attempt: float | None = None,
    last_success: float | None = None,
    last_error: str | None = None,
    next_attempt_at: float | None = None,
    uploaded: int = 0,
    not_enrolled: str = "not enrolled: run `postguard enroll URL --token T`",
) -> UploadStatus:
    """The ``uploads`` status section; also used when the agent is not (yet) enrolled."""
    pending = outbox.pending_count()
    first = outbox.pending(1) if pending else []
    oldest = _epoch(first[0].model_dump(mode="json").get("time")) if first else None
    return UploadStatus(
        enrolled=collector is not None,
        collector=collector,
        pending=pending,
        backlog=pending > backlog_limit,
        oldest_pending=_stamp(oldest),
        last_attempt=_stamp(last_attempt),
        last_success=_stamp(last_success),
        last_error=last_error if collector is not None else not_enrolled,
        next_attempt_in_s=None
        if next_attempt_at is None
        else max(0.0, round(next_attempt_at - time.time(), 1)),
        uploaded_since_start=uploaded,
    )


def _parse_answer(raw: bytes) -> HecAnswer | None:
    try:
        return HecAnswer.model_validate_json(raw)
    except ValidationError:
        return None


def _describe_network_error(exc: BaseException, timeout_s: float) -> str:
    if isinstance(exc, TimeoutError | aiohttp.ServerTimeoutError):
        return f"the collector did not answer within {timeout_s:g} s"
    if isinstance(exc, aiohttp.ClientConnectorError):
        return f"cannot reach the collector ({exc.os_error.strerror or exc})"
    return f"upload interrupted ({type(exc).__name__})"

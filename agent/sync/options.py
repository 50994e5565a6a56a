"""Sync options: the managed settings plus limits and timings, validated once at start."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from agent.config import SyncSettings
from agent.errors import UserError

MIB = 1024 * 1024


@dataclass(frozen=True)
class SyncOptions:
    index_url: str
    trusted_keys: tuple[str, ...]
    poll_interval_s: float = 900.0
    poll_jitter: float = 0.1  # ± fraction of the interval, so agents started together spread out
    max_download_bytes: int = 16 * MIB  # per archive
    max_index_bytes: int = 1 * MIB
    max_unpacked_bytes: int = 64 * MIB  # per pack, after gunzip
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 30.0  # between two chunks: a hanging server
    total_timeout_s: float = 120.0  # one whole download: a server that drips bytes
    backoff_base_s: float = 30.0
    backoff_cap_s: float = 3600.0
    max_honoured_delay_s: float = 86400.0  # cap on Retry-After and max-age

    def __post_init__(self) -> None:
        from agent.publish.keys import parse_public_key  # cryptography: only when sync is on

        url = urlsplit(self.index_url)
        if url.scheme not in ("http", "https") or not url.netloc:
            raise UserError(f"sync.index_url {self.index_url!r} is not an http(s) URL")
        if not self.trusted_keys:
            raise UserError("sync.index_url is set but sync.trusted_keys is empty")
        for key in self.trusted_keys:
            try:
                parse_public_key(key)
            except ValueError as exc:
                raise UserError(f"sync.trusted_keys: {exc}") from None

    @classmethod
    def from_settings(cls, settings: SyncSettings) -> SyncOptions | None:
        """None when no index URL is configured: the agent runs on its bundled packs."""
        if not settings.index_url:
            return None
        return cls(
            index_url=settings.index_url,
            trusted_keys=tuple(settings.trusted_keys),
            poll_interval_s=settings.poll_interval_s,
            max_download_bytes=settings.max_download_bytes,
            connect_timeout_s=settings.connect_timeout_s,
            read_timeout_s=settings.read_timeout_s,
            total_timeout_s=settings.total_timeout_s,
            backoff_base_s=settings.backoff_base_s,
            backoff_cap_s=settings.backoff_cap_s,
        )

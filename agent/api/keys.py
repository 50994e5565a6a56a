"""Typed application state: every ``app[...]`` key the agent and its plugins use."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor

from aiohttp import web
from pydantic import JsonValue

from agent.config import Settings
from agent.engine_cache import EngineCache
from agent.events.audit import AuditLog
from agent.runtime import PackHolder
from agent.security.pairing import PairingCodes
from agent.security.ratelimit import FailureLimiter
from agent.security.tokens import TokenBook

StatusSection = Callable[[], Mapping[str, JsonValue]]

SETTINGS = web.AppKey("settings", Settings)
PACKS = web.AppKey("packs", PackHolder)
# Compiled pack sets on disk: whoever compiles packs for this agent (start-up, sync) uses it.
ENGINE_CACHE = web.AppKey("engine_cache", EngineCache)
AUDIT = web.AppKey("audit", AuditLog)
# Which bearer token is valid now (it changes when a browser pairs or the token is revoked):
# authenticate and prove with this.
TOKENS = web.AppKey("tokens", TokenBook)
# The token as it was when the app was built; later pairing or revocation retires it.
TOKEN = web.AppKey("token", str)
FINGERPRINT_KEY = web.AppKey("fingerprint_key", str)
SECRETS_LOCATION = web.AppKey("secrets_location", str)
PAIRING = web.AppKey("pairing", PairingCodes)
AUTH_LIMITER = web.AppKey("auth_limiter", FailureLimiter)
PAIR_LIMITER = web.AppKey("pair_limiter", FailureLimiter)
# Long checks run here, off the event loop, so they cannot stall other requests.
CHECK_POOL = web.AppKey("check_pool", ThreadPoolExecutor)
# One thread owns every audit write, so SQLite's fsync never blocks the event loop.
AUDIT_POOL = web.AppKey("audit_pool", ThreadPoolExecutor)
SLOTS = web.AppKey("slots", asyncio.Semaphore)
STATUS_SECTIONS = web.AppKey("status_sections", dict[str, StatusSection])
# Called on the event loop right after an event is committed to the audit log (the uploader
# registers its wake-up here).  Optional; a callback must be cheap and must not raise: the
# record is already stored and the answer must say so.
ON_RECORDED = web.AppKey("on_recorded", list[Callable[[], None]])

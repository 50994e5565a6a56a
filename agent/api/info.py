"""POST /v1/policy and POST /v1/status: what the extension shows, and how the agent is."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from pydantic import JsonValue

from agent import __version__
from agent.api.body import parse, reply
from agent.api.claims import policy_version
from agent.api.keys import AUDIT, AUDIT_POOL, PACKS, SECRETS_LOCATION, SETTINGS, STATUS_SECTIONS
from agent.api.models import (
    Acknowledgement,
    Empty,
    PolicyPack,
    PolicyResponse,
    StatusResponse,
)
from agent.events.records import EventKind

log = logging.getLogger("postguard.api")


async def policy(request: web.Request) -> web.Response:
    await parse(request, Empty)
    settings = request.app[SETTINGS]
    engine = request.app[PACKS].current()
    sections: dict[str, list[str]] = {}
    for rule in engine.rules:
        names = sections.setdefault(rule.pack.id, [])
        if rule.policy.section not in names:
            names.append(rule.policy.section)
    packs = [
        PolicyPack(
            id=pack.ref.id,
            version=pack.ref.version,
            title=pack.title,
            policy_title=pack.policy_title,
            policy_url=pack.policy_url,
            contact=pack.contact,
            sections=sections.get(pack.ref.id, []),
        )
        for pack in engine.pack_infos
    ]
    return reply(
        PolicyResponse(
            packs=packs,
            policy_version=policy_version(engine),
            override_reasons=settings.override_reasons,
            justification_min=settings.justification_min,
            justification_max=settings.justification_max,
            max_text_chars=settings.max_text_chars,
        )
    )


async def status(request: web.Request) -> web.Response:
    await parse(request, Empty)
    app = request.app
    holder = app[PACKS]
    activation = holder.activation
    audit = app[AUDIT]
    loop = asyncio.get_running_loop()
    latest = await loop.run_in_executor(app[AUDIT_POOL], audit.latest, EventKind.ACKNOWLEDGE)
    pending = await loop.run_in_executor(app[AUDIT_POOL], audit.pending_count)
    ack = None
    if latest is not None:
        ack = Acknowledgement(policy_version=str(latest.payload["policy_version"]), at=latest.time)
    return reply(
        StatusResponse(
            agent_version=__version__,
            packs=list(activation.engine.packs),
            packs_source=activation.source,
            packs_activated_at=activation.activated_at,
            pack_error=holder.last_error,
            acknowledgement=ack,
            policy_acknowledged=ack is not None
            and ack.policy_version == policy_version(activation.engine),
            pending_uploads=pending,
            secrets=app[SECRETS_LOCATION],
            sections=_sections(request),
        )
    )


def _sections(request: web.Request) -> dict[str, JsonValue]:
    out: dict[str, JsonValue] = {}
    for name, section in request.app[STATUS_SECTIONS].items():
        try:
            out[name] = dict(section())
        except Exception as exc:  # noqa: BLE001 - one broken section must not hide the rest
            log.error("status section %s failed: %s", name, type(exc).__name__)
            out[name] = {"error": type(exc).__name__}
    return out

"""The HTTP floor: a bare aiohttp endpoint shaped like ``/v1/check``, no policy work.

It parses the JSON body and answers a small JSON object, so the difference
between it and the agent is the agent's own cost (security middleware, request
models, the engine, serialising findings).
Usage: ``python -m agent.bench.echo_server PORT``.
"""

from __future__ import annotations

import sys

from aiohttp import web


async def _check(request: web.Request) -> web.Response:
    body = await request.json()
    return web.json_response({"verdict": "ok", "findings": [], "received": len(body["text"])})


async def _health(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def create_echo_app() -> web.Application:
    app = web.Application()
    app.router.add_post("/v1/check", _check)
    app.router.add_get("/v1/health", _health)
    return app


def main() -> int:
    port = int(sys.argv[1])
    web.run_app(create_echo_app(), host="127.0.0.1", port=port, access_log=None, print=None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Publishes and activates a new pack version in a loop until killed (see test_kill.py).

Usage: python activation_loop.py WORKDIR STORE START_VERSION
Prints "activated N" after every completed activation.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path

from aiohttp import web
from sync_support import Publisher

from agent.publish.keys import load_private_key
from agent.runtime import load_engine
from agent.sync.options import SyncOptions
from agent.sync.store import PackStore
from agent.sync.syncer import Outcome, Syncer


async def main(workdir: Path, store_root: Path, start: int) -> None:
    publisher = Publisher(workdir, keys=[load_private_key(workdir / "key.pem")], serial=start)
    publisher.site.mkdir(parents=True, exist_ok=True)
    app = web.Application()
    app.router.add_static("/", publisher.site)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    options = SyncOptions(
        index_url=f"http://127.0.0.1:{port}/index.json", trusted_keys=tuple(publisher.public_keys)
    )
    syncer = Syncer(options, PackStore(store_root), load_engine)
    n = start
    while True:
        n += 1
        publisher.publish(f"1.{n}.0", serial=n, now=datetime.now(UTC))
        result = await syncer.sync_once()
        assert result.outcome is Outcome.ACTIVATED, result.message
        print(f"activated {n}", flush=True)


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])))

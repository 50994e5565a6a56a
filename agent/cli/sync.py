"""``postguard sync``: fetch, verify and activate the signed packs now, and say what happened.

``postguard sync login`` / ``logout`` (in ``sync_login``) manage the pack server's token.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from agent.cli import sync_login
from agent.errors import UserError

if TYPE_CHECKING:
    from agent.engine import Engine
    from agent.engine_cache import EngineCache
    from agent.security.secrets import SecretStore
    from agent.sync.options import SyncOptions
    from agent.sync.status import SyncStatus
    from agent.sync.store import PackStore
    from agent.sync.syncer import SyncResult


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "sync",
        help="sync the signed policy packs now; log in to a pack server that needs a token",
        usage="postguard sync [--json]\n"
        "       postguard sync login URL --token T\n"
        "       postguard sync logout [URL]",
        description="Download the pack index from sync.index_url, verify its signature, "
        "hashes, version and expiry, compile the packs and make them the last good set. "
        "A running agent switches to them within seconds. Exit 0 when the packs are current, "
        "1 when the sync failed, was refused, or the packs are stale.",
    )
    parser.add_argument("--json", action="store_true", help="print the sync status as JSON")
    parser.set_defaults(func=run)
    # Optional: a bare `postguard sync` syncs.
    sub = parser.add_subparsers(dest="sync_command", title="token for the pack server")
    sync_login.register(sub)


def run(args: argparse.Namespace) -> int:
    import asyncio

    from agent.config import load_settings
    from agent.engine_cache import EngineCache
    from agent.publish.index import utc_now
    from agent.security.secrets import FINGERPRINT_KEY, SecretStore
    from agent.sync.options import SyncOptions
    from agent.sync.service import STORE_DIR
    from agent.sync.status import SyncStateName, SyncStatus, read_record
    from agent.sync.store import PackStore

    settings = load_settings().settings
    options = SyncOptions.from_settings(settings.sync)
    if options is None:
        raise UserError(
            "sync is not configured: set sync.index_url and sync.trusted_keys in the managed"
            " settings (see docs/distribution.md)"
        )
    store = PackStore(settings.data_dir / STORE_DIR)
    secrets = SecretStore(settings.config_dir)
    # The agent's own cache: the set compiled here is the one it then starts from.
    cache = EngineCache.in_data_dir(settings.data_dir, secrets.get_or_create(FINGERPRINT_KEY))
    result = asyncio.run(_sync(options, store, cache, secrets))
    status = SyncStatus.of(read_record(store.root), utc_now())
    if args.json:
        print(json.dumps(status.model_dump(mode="json"), indent=2))
    else:
        _print(result, status)
    failed = not result.ok or status.state is SyncStateName.STALE
    return 1 if failed else 0


async def _sync(
    options: SyncOptions, store: PackStore, cache: EngineCache, secrets: SecretStore
) -> SyncResult[Engine]:
    from agent.sync.credentials import PackServerCredentials
    from agent.sync.syncer import Syncer

    syncer: Syncer[Engine] = Syncer(
        options, store, cache.load, credentials=PackServerCredentials(secrets)
    )
    try:
        return await syncer.sync_once()
    finally:
        await syncer.close()


def _print(result: SyncResult[Engine], status: SyncStatus) -> None:
    from agent.sync.syncer import Outcome

    label = {
        Outcome.ACTIVATED: "updated",
        Outcome.UP_TO_DATE: "up to date",
        Outcome.REJECTED: "refused",
        Outcome.FAILED: "failed",
    }[result.outcome]
    print(f"sync {label}: {result.message}")
    if status.packs:
        versions = ", ".join(f"{p.id} {p.version}" for p in status.packs)
        serial = f", serial {status.serial}" if status.serial is not None else ""
        print(f"active packs: {versions} ({status.source}{serial})")
    if not result.ok and status.source == "synced":
        print("the last good packs stay active")

"""Which packs ``postguard check`` uses by default: the ones this machine's agent enforces.

That is what an employee's post meets in the browser, so it is what ``check`` answers
for: the last good synced set when sync is configured and a set is on disk, otherwise the
configured ``pack_dirs`` (the bundled baseline unless changed). ``--bundled`` and
``--pack`` choose other sets explicitly.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from agent.errors import UserError

T = TypeVar("T")
# As long as the agent waits for an activation in progress when it starts.
_LOCK_WAIT_S = 10.0


def load_enforced(compile_dirs: Callable[[list[Path]], T]) -> T:
    """``compile_dirs`` applied to the agent's active set, as the agent would choose it."""
    from agent.config import load_settings
    from agent.sync.service import STORE_DIR
    from agent.sync.store import PackStore, StoreError

    settings = load_settings().settings
    configured = list(settings.pack_dirs)
    if not settings.sync.index_url:
        return compile_dirs(configured)
    store = PackStore(settings.data_dir / STORE_DIR)
    if not store.sets.is_dir():
        return compile_dirs(configured)  # never synced: the agent serves the configured packs
    try:
        # An activation swaps sets under the lock; reading under it sees one set whole.
        with store.locked(_LOCK_WAIT_S):
            active = store.current()
            if active is not None:
                return compile_dirs(active.pack_dirs)
    except (StoreError, UserError, OSError, TimeoutError) as exc:
        reason = getattr(exc, "message", None) or str(exc) or type(exc).__name__
        print(
            f"postguard: the synced packs cannot be used ({reason}); "
            "checking with the configured packs, as the agent does",
            file=sys.stderr,
        )
    return compile_dirs(configured)

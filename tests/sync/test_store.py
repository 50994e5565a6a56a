from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sync_support import Publisher

from agent.publish.archive import extract_archive
from agent.publish.index import PackIndex
from agent.sync.store import CURRENT, PackStore, StoreError


def stage_site(store: PackStore, publisher: Publisher, version: str) -> tuple[Path, PackIndex, str]:
    """Stage a published set the way the syncer does (index copied, archive unpacked)."""
    index = publisher.publish(version)
    staging = store.new_staging()
    data = (publisher.site / "index.json").read_bytes()
    (staging / "index.json").write_bytes(data)
    (staging / "packs" / "acme").mkdir(parents=True)
    archive = (publisher.site / index.packs[0].url).read_bytes()
    extract_archive(archive, staging / "packs" / "acme", max_bytes=1 << 20)
    return staging, index, hashlib.sha256(data).hexdigest()


def test_commit_points_at_the_new_set_and_removes_the_old(
    store: PackStore, publisher: Publisher
) -> None:
    assert store.current() is None
    for version in ("1.0.0", "1.1.0"):
        active = store.commit(*stage_site(store, publisher, version))
        assert store.current() == active
    assert [p.name for p in store.sets.iterdir()] == [active.name]
    assert (active.pack_dirs[0] / "pack.yaml").read_text().count('"1.1.0"') == 1


def test_recover_removes_staging_and_orphans_but_keeps_current(
    store: PackStore, publisher: Publisher
) -> None:
    active = store.commit(*stage_site(store, publisher, "1.0.0"))
    leftover, _, _ = stage_site(store, publisher, "1.1.0")
    orphan = store.sets / "set-000000000009-aaaaaaaaaaaa"
    orphan.mkdir()
    (store.root / ".current.1234.tmp").write_text("x")
    removed = store.recover()
    assert set(removed) == {leftover.name, orphan.name, ".current.1234.tmp"}
    assert [p.name for p in store.sets.iterdir()] == [active.name]
    assert store.current() == active


@pytest.mark.parametrize("pointer", ["../../etc", "set-garbage", ""])
def test_damaged_pointer_is_an_error_not_a_path(store: PackStore, pointer: str) -> None:
    store.ensure()
    (store.root / CURRENT).write_text(pointer)
    with pytest.raises(StoreError):
        store.current()


def test_pointer_to_a_missing_set_is_an_error(store: PackStore) -> None:
    store.ensure()
    (store.root / CURRENT).write_text("set-000000000001-aaaaaaaaaaaa\n")
    with pytest.raises(StoreError, match="cannot be read"):
        store.current()


def test_lock_is_exclusive(store: PackStore) -> None:
    with store.locked(timeout_s=1):
        other = store.lock()
        assert not other.try_acquire()
        other.close()
    again = store.lock()
    assert again.try_acquire()
    again.release()

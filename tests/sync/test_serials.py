"""Every serial the builder accepts works end to end, and a damaged store recovers on its own."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from agent_support import settings_for, start, versions, wait_for
from sync_support import Publisher
from test_store import stage_site

from agent.errors import UserError
from agent.publish.index import MAX_SERIAL, InvalidIndex, PackIndex, utc_now
from agent.sync.store import CURRENT, PackStore, StoreError, set_name, set_serial
from agent.sync.syncer import Outcome

MILLISECONDS = 1_796_598_968_000  # a millisecond Unix time: 13 digits


@pytest.mark.parametrize("serial", [1, 999_999_999_999, 10**12, MILLISECONDS, MAX_SERIAL])
def test_every_serial_in_range_names_a_set_that_reads_back(serial: int) -> None:
    name = set_name(serial, "ab" * 32)
    assert set_serial(name) == serial


def test_the_builder_and_the_verifier_share_one_range(publisher: Publisher) -> None:
    publisher.publish("1.0.0", serial=MAX_SERIAL)  # the highest serial is accepted
    with pytest.raises(UserError, match="must be between 1 and 9007199254740991"):
        publisher.publish("1.1.0", serial=MAX_SERIAL + 1)
    index = (publisher.site / "index.json").read_bytes()
    too_high = index.replace(str(MAX_SERIAL).encode(), str(MAX_SERIAL + 1).encode())
    with pytest.raises(InvalidIndex, match="serial"):
        PackIndex.parse(too_high)


async def test_a_millisecond_serial_activates_and_stays_across_syncs(
    publisher: Publisher, site_url: str, make_syncer: Any, store: PackStore
) -> None:
    publisher.publish("1.0.0", serial=MILLISECONDS)
    syncer = make_syncer(site_url, publisher.public_keys)
    assert (await syncer.sync_once()).outcome is Outcome.ACTIVATED
    active = store.current()
    assert active is not None and active.index.serial == MILLISECONDS
    again = await make_syncer(site_url, publisher.public_keys).sync_once()
    assert again.outcome is Outcome.UP_TO_DATE, again.message
    publisher.publish("1.1.0", serial=MILLISECONDS + 1)
    newer = await syncer.sync_once()
    assert newer.outcome is Outcome.ACTIVATED, newer.message
    assert [p.version for p in newer.engine.packs] == ["1.1.0"]


async def test_the_agent_enforces_a_millisecond_serial_set_after_a_restart(
    aiohttp_client: Any, tmp_path: Path, publisher: Publisher, site_url: str
) -> None:
    publisher.publish("1.0.0", serial=MILLISECONDS, now=utc_now())
    settings = settings_for(tmp_path, site_url, publisher.public_keys)
    first, _ = await start(aiohttp_client, settings)
    await wait_for(lambda: versions(first) == [("acme", "1.0.0")])
    await first.shutdown()
    await first.cleanup()
    (publisher.site / "index.json").unlink()  # offline: the restart has only the store
    second, _ = await start(aiohttp_client, settings)
    assert versions(second) == [("acme", "1.0.0")]


@pytest.mark.parametrize("pointer", [b"set-garbage\n", b"", b"\xff\xfe" * 500])
def test_a_damaged_pointer_falls_back_to_the_newest_set_and_is_repaired(
    store: PackStore, publisher: Publisher, pointer: bytes
) -> None:
    active = store.commit(*stage_site(store, publisher, "1.0.0"))
    (store.root / CURRENT).write_bytes(pointer)
    assert store.current() == active
    store.recover()
    assert [p.name for p in store.sets.iterdir()] == [active.name]
    assert (store.root / CURRENT).read_text().strip() == active.name


def test_a_pointer_to_an_unreadable_set_falls_back_to_the_newest_readable_one(
    store: PackStore, publisher: Publisher
) -> None:
    older = store.commit(*stage_site(store, publisher, "1.0.0"))
    kept = store.root / "kept"
    shutil.copytree(older.path, kept)
    newer = store.commit(*stage_site(store, publisher, "1.1.0"))
    kept.rename(store.sets / older.name)  # as if the older set had never been removed
    (newer.path / "index.json").unlink()
    active = store.current()
    assert active is not None and active.name == older.name
    assert store.recover() == [newer.name]
    assert store.current() == active


def test_the_previous_set_stays_until_the_new_one_is_active(
    store: PackStore, publisher: Publisher
) -> None:
    previous = store.commit(*stage_site(store, publisher, "1.0.0"))
    staging, index, sha = stage_site(store, publisher, "1.1.0")
    (staging / "index.json").write_bytes(b"{damaged")  # the new set cannot be read back
    with pytest.raises(StoreError):
        store.commit(staging, index, sha)
    assert store.current() == previous
    assert (previous.path / "index.json").is_file()


async def test_a_store_that_lost_its_sets_takes_the_same_publication_again(
    publisher: Publisher, site_url: str, make_syncer: Any, store: PackStore
) -> None:
    publisher.publish("1.0.0", serial=MILLISECONDS)
    syncer = make_syncer(site_url, publisher.public_keys)
    assert (await syncer.sync_once()).outcome is Outcome.ACTIVATED
    shutil.rmtree(store.sets)
    (store.root / CURRENT).unlink()
    again = await syncer.sync_once()
    assert again.outcome is Outcome.ACTIVATED, again.message
    assert store.current() is not None


async def test_the_same_serial_with_other_bytes_is_still_a_rollback(
    publisher: Publisher, site_url: str, make_syncer: Any, store: PackStore
) -> None:
    publisher.publish("1.0.0")
    syncer = make_syncer(site_url, publisher.public_keys)
    assert (await syncer.sync_once()).outcome is Outcome.ACTIVATED
    shutil.rmtree(store.sets)
    (publisher.site / "index.json").unlink()  # lets the builder reuse the serial
    publisher.publish("1.0.0", serial=publisher.serial, expires_in=timedelta(days=1))
    refused = await syncer.sync_once()
    assert refused.outcome is Outcome.REJECTED
    assert "refusing a rollback" in refused.message

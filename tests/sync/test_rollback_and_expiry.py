"""Rollback stays refused across restarts and clock changes; expiry makes status stale;
key rotation: a signature by any pinned key is accepted."""

from __future__ import annotations

from datetime import timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sync_support import T0, Clock, Publisher

from agent.publish.keys import public_key_b64
from agent.sync.status import SyncStateName, SyncStatus, read_record
from agent.sync.store import STATE, PackStore
from agent.sync.syncer import Outcome


def save_site(publisher: Publisher) -> dict[str, bytes]:
    return {n: (publisher.site / n).read_bytes() for n in ("index.json", "index.json.sig")}


def restore_site(publisher: Publisher, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        (publisher.site / name).write_bytes(data)


async def test_rollback_refused_after_restart_and_clock_set_back(
    publisher: Publisher, site_url, make_syncer, store: PackStore, clock: Clock
) -> None:
    publisher.publish("1.0.0")
    old = save_site(publisher)
    assert (await make_syncer(site_url, publisher.public_keys).sync_once()).ok
    publisher.publish("1.1.0")
    assert (await make_syncer(site_url, publisher.public_keys).sync_once()).ok

    # "Restart": a fresh store object and syncer over the same data dir, clock a year back.
    clock.now = T0 - timedelta(days=365)
    restore_site(publisher, old)
    restarted = make_syncer(site_url, publisher.public_keys)
    restarted.store = PackStore(store.root)
    result = await restarted.sync_once()
    assert result.outcome is Outcome.REJECTED
    assert "refusing a rollback" in result.message
    assert store.current().index.packs[0].version == "1.1.0"  # type: ignore[union-attr]


async def test_rollback_refused_even_if_the_mark_file_is_lost(
    publisher: Publisher, site_url, make_syncer, store: PackStore
) -> None:
    publisher.publish("1.0.0")
    old = save_site(publisher)
    syncer = make_syncer(site_url, publisher.public_keys)
    assert (await syncer.sync_once()).ok
    publisher.publish("1.1.0")
    assert (await syncer.sync_once()).ok
    (store.root / STATE).unlink()  # the active set's own serial still counts
    restore_site(publisher, old)
    result = await syncer.sync_once()
    assert result.outcome is Outcome.REJECTED and "rollback" in result.message


async def test_expired_active_set_is_stale_but_still_enforced(
    publisher: Publisher, site_url, make_syncer, store: PackStore, clock: Clock
) -> None:
    publisher.publish("1.0.0", expires_in=timedelta(days=7))
    syncer = make_syncer(site_url, publisher.public_keys)
    assert (await syncer.sync_once()).outcome is Outcome.ACTIVATED
    assert SyncStatus.of(read_record(store.root), clock()).state is SyncStateName.OK

    clock.now = T0 + timedelta(days=8)  # a frozen server keeps serving the same index
    result = await syncer.sync_once()
    assert result.outcome is Outcome.UP_TO_DATE and result.expired
    assert "expired" in result.message and "still enforcing" in result.message
    status = SyncStatus.of(read_record(store.root), clock())
    assert status.state is SyncStateName.STALE
    assert [p.version for p in status.packs] == ["1.0.0"]
    assert store.current() is not None

    publisher.publish("1.1.0", now=clock.now)  # IT publishes a fresh build: ok again
    assert (await syncer.sync_once()).outcome is Outcome.ACTIVATED
    assert SyncStatus.of(read_record(store.root), clock()).state is SyncStateName.OK


async def test_clock_set_forward_marks_stale_without_crashing(
    publisher: Publisher, site_url, make_syncer, store: PackStore, clock: Clock
) -> None:
    publisher.publish("1.0.0")
    syncer = make_syncer(site_url, publisher.public_keys)
    assert (await syncer.sync_once()).ok
    clock.now = T0 + timedelta(days=3650)
    assert (await syncer.sync_once()).outcome is Outcome.UP_TO_DATE
    assert SyncStatus.of(read_record(store.root), clock()).state is SyncStateName.STALE


async def test_key_rotation_any_pinned_key_is_accepted(
    publisher: Publisher, site_url, make_syncer, tmp_path
) -> None:
    old_key, new_key = publisher.keys[0], Ed25519PrivateKey.generate()
    old_pub, new_pub = public_key_b64(old_key), public_key_b64(new_key)

    publisher.keys = [old_key, new_key]  # overlap: signed by both
    publisher.publish("1.0.0")
    old_agent = make_syncer(site_url, [old_pub], on=PackStore(tmp_path / "old-agent"))
    assert (await old_agent.sync_once()).ok
    agent = make_syncer(site_url, [new_pub, old_pub])
    assert (await agent.sync_once()).ok

    publisher.keys = [new_key]  # old key retired
    publisher.publish("1.1.0")
    assert (await agent.sync_once()).outcome is Outcome.ACTIVATED
    result = await old_agent.sync_once()
    assert result.outcome is Outcome.REJECTED and "does not trust" in result.message

"""SECURITY.md row 9: each bad publication is refused; the last good packs stay; status says why."""

from __future__ import annotations

import gzip
import io
import tarfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sync_support import T0, Clock, Publisher

from agent.engine.result import Platform
from agent.publish.index import PackEntry, PackIndex
from agent.publish.signing import sign_index
from agent.runtime import load_engine
from agent.sync.status import SyncStateName, SyncStatus, read_record
from agent.sync.store import PackStore
from agent.sync.syncer import Outcome, Syncer

MakeSyncer = Callable[..., Syncer[Any]]


async def activate_first(
    publisher: Publisher, site_url: str, make_syncer: MakeSyncer
) -> Syncer[Any]:
    publisher.publish("1.0.0")
    syncer = make_syncer(site_url, publisher.public_keys)
    result = await syncer.sync_once()
    assert result.outcome is Outcome.ACTIVATED, result.message
    return syncer


def assert_still_on(store: PackStore, version: str, reason: str) -> None:
    """The last good set is intact and compiles; status names the reason."""
    active = store.current()
    assert active is not None
    assert [(e.id, e.version) for e in active.index.packs] == [("acme", version)]
    engine = load_engine(active.pack_dirs)
    text = f"about project acme {version.replace('.', 'x')} today"
    findings = engine.check(text, Platform.LINKEDIN, T0).findings
    assert [f.pack.version for f in findings] == [version]
    record = read_record(store.root)
    assert record.last_error is not None and reason in record.last_error, record.last_error
    assert record.packs[0].version == version
    assert SyncStatus.of(record, T0).state is SyncStateName.ERROR
    assert not [p for p in store.sets.iterdir() if p.name != active.name]  # no staging left


async def expect_refused(syncer: Syncer[Any], store: PackStore, reason: str) -> None:
    result = await syncer.sync_once()
    assert result.outcome in (Outcome.REJECTED, Outcome.FAILED)
    assert result.engine is None
    assert reason in result.message, result.message
    assert_still_on(store, "1.0.0", reason)


async def test_a_good_update_activates(publisher, site_url, make_syncer, store) -> None:
    syncer = await activate_first(publisher, site_url, make_syncer)
    publisher.publish("1.1.0")
    result = await syncer.sync_once()
    assert result.outcome is Outcome.ACTIVATED
    assert [(p.id, p.version) for p in result.engine.packs] == [("acme", "1.1.0")]
    assert read_record(store.root).last_error is None


async def test_unsigned_index_is_refused(publisher, site_url, make_syncer, store) -> None:
    syncer = await activate_first(publisher, site_url, make_syncer)
    publisher.publish("1.1.0")
    (publisher.site / "index.json.sig").unlink()
    await expect_refused(syncer, store, "not signed")


@pytest.mark.parametrize("stripped", [b"", b'{"signatures": []}', b"not json"])
async def test_stripped_signature_is_refused(
    publisher, site_url, make_syncer, store, stripped: bytes
) -> None:
    syncer = await activate_first(publisher, site_url, make_syncer)
    publisher.publish("1.1.0")
    (publisher.site / "index.json.sig").write_bytes(stripped)
    reason = "not signed" if not stripped else "malformed"
    await expect_refused(syncer, store, reason)


async def test_index_signed_by_an_untrusted_key_is_refused(
    publisher, site_url, make_syncer, store
) -> None:
    syncer = await activate_first(publisher, site_url, make_syncer)
    publisher.keys = [Ed25519PrivateKey.generate()]
    publisher.publish("1.1.0")
    await expect_refused(syncer, store, "does not trust")


async def test_index_edited_after_signing_is_refused(
    publisher, site_url, make_syncer, store
) -> None:
    syncer = await activate_first(publisher, site_url, make_syncer)
    publisher.publish("1.1.0")
    index = publisher.site / "index.json"
    index.write_bytes(index.read_bytes().replace(b'"serial": 2', b'"serial": 9'))
    await expect_refused(syncer, store, "does not match its contents")


async def test_signature_from_another_publication_is_refused(
    publisher, site_url, make_syncer, store
) -> None:
    syncer = await activate_first(publisher, site_url, make_syncer)
    old_sig = (publisher.site / "index.json.sig").read_bytes()
    publisher.publish("1.1.0")
    (publisher.site / "index.json.sig").write_bytes(old_sig)
    await expect_refused(syncer, store, "does not match its contents")


async def test_an_older_serial_is_refused(publisher, site_url, make_syncer, store) -> None:
    publisher.publish("0.9.0")
    old = {n: (publisher.site / n).read_bytes() for n in ("index.json", "index.json.sig")}
    syncer = await activate_first(publisher, site_url, make_syncer)
    for name, data in old.items():
        (publisher.site / name).write_bytes(data)
    await expect_refused(syncer, store, "not newer")


async def test_an_equal_serial_with_other_content_is_refused(
    publisher, site_url, make_syncer, store
) -> None:
    syncer = await activate_first(publisher, site_url, make_syncer)
    (publisher.site / "index.json").unlink()  # the builder itself refuses to reuse a serial
    publisher.publish("1.1.0", serial=publisher.serial)
    await expect_refused(syncer, store, "not newer")


async def test_a_lower_pack_version_is_refused_even_with_a_higher_serial(
    publisher, site_url, make_syncer, store
) -> None:
    syncer = await activate_first(publisher, site_url, make_syncer)
    publisher.publish("0.9.0")
    await expect_refused(syncer, store, "older than 1.0.0")


async def test_same_pack_version_with_other_content_is_refused(
    publisher, site_url, make_syncer, store
) -> None:
    syncer = await activate_first(publisher, site_url, make_syncer)
    (publisher.site / "packs" / "acme-1.0.0.tar.gz").unlink()  # lets the builder rebuild it
    publisher.publish("1.0.0", phrase="something else entirely")
    await expect_refused(syncer, store, "changed without a new version")


async def test_archive_hash_mismatch_is_refused(publisher, site_url, make_syncer, store) -> None:
    syncer = await activate_first(publisher, site_url, make_syncer)
    publisher.publish("1.1.0")
    archive = publisher.site / "packs" / "acme-1.1.0.tar.gz"
    data = bytearray(archive.read_bytes())
    data[-20] ^= 0xFF  # same size, different bytes
    archive.write_bytes(bytes(data))
    await expect_refused(syncer, store, "does not match its signed hash")


async def test_archive_swapped_in_from_another_version_is_refused(
    publisher, site_url, make_syncer, store
) -> None:
    syncer = await activate_first(publisher, site_url, make_syncer)
    publisher.publish("1.1.0")
    packs = publisher.site / "packs"
    (packs / "acme-1.1.0.tar.gz").write_bytes((packs / "acme-1.0.0.tar.gz").read_bytes())
    await expect_refused(syncer, store, "acme 1.1.0")


async def test_truncated_archive_is_refused(publisher, site_url, make_syncer, store) -> None:
    syncer = await activate_first(publisher, site_url, make_syncer)
    publisher.publish("1.1.0")
    archive = publisher.site / "packs" / "acme-1.1.0.tar.gz"
    archive.write_bytes(archive.read_bytes()[:100])
    await expect_refused(syncer, store, "truncated or replaced")


async def test_archive_larger_than_signed_is_cut_off(
    publisher, site_url, make_syncer, store
) -> None:
    syncer = await activate_first(publisher, site_url, make_syncer)
    publisher.publish("1.1.0")
    archive = publisher.site / "packs" / "acme-1.1.0.tar.gz"
    archive.write_bytes(archive.read_bytes() + b"\0" * 100_000)
    await expect_refused(syncer, store, "limit")


async def test_expired_index_is_refused(
    publisher, site_url, make_syncer, store, clock: Clock
) -> None:
    syncer = await activate_first(publisher, site_url, make_syncer)
    publisher.publish("1.1.0", expires_in=timedelta(days=1))
    clock.now = T0 + timedelta(days=2)
    await expect_refused(syncer, store, "expired")


async def test_invalid_yaml_is_refused(publisher, site_url, make_syncer, store) -> None:
    syncer = await activate_first(publisher, site_url, make_syncer)

    def break_yaml(pack: Path) -> None:
        (pack / "rules" / "confidential.yaml").write_text("rules:\n  - id: [unclosed\n")

    publisher.publish("1.1.0", edit=break_yaml)
    await expect_refused(syncer, store, "do not compile")


async def test_pack_id_in_archive_must_match_the_index(
    publisher, site_url, make_syncer, store
) -> None:
    syncer = await activate_first(publisher, site_url, make_syncer)
    publisher.publish("1.1.0")
    src = publisher.workdir / "src" / "1.1.0" / "acme" / "pack.yaml"
    src.write_text(src.read_text().replace('"1.1.0"', '"1.0.0"'))
    sign_custom_archive(publisher, _tar_of(src.parent), version="1.1.0")
    await expect_refused(syncer, store, "swapped in from another version")


@pytest.mark.parametrize(
    ("name", "reason"),
    [("../escape.yaml", "not a safe relative path"), ("/etc/passwd", "not a safe relative path")],
)
async def test_path_traversal_in_archive_is_refused(
    publisher, site_url, make_syncer, store, name: str, reason: str
) -> None:
    syncer = await activate_first(publisher, site_url, make_syncer)
    src = publisher.workdir / "src" / "1.0.0" / "acme"
    files = {p.relative_to(src).as_posix(): p.read_bytes() for p in src.rglob("*") if p.is_file()}
    files[name] = b"owned"
    sign_custom_archive(publisher, _tar(files), version="1.1.0")
    await expect_refused(syncer, store, reason)
    assert not (store.root.parent / "escape.yaml").exists()


async def test_endless_archive_stream_is_cut_off(
    aiohttp_server, publisher, make_syncer, store
) -> None:
    """The archive URL never stops sending: the download stops at the signed size."""
    publisher.publish("1.0.0")
    sent = 0

    async def endless(request: web.Request) -> web.StreamResponse:
        nonlocal sent
        resp = web.StreamResponse()
        await resp.prepare(request)
        while True:
            await resp.write(b"z" * 65536)
            sent += 65536

    app = web.Application()
    app.router.add_get("/packs/acme-1.1.0.tar.gz", endless)
    app.router.add_static("/", publisher.site)
    server = await aiohttp_server(app)
    syncer = make_syncer(str(server.make_url("/index.json")), publisher.public_keys)
    assert (await syncer.sync_once()).outcome is Outcome.ACTIVATED
    publisher.publish("1.1.0")
    await expect_refused(syncer, store, "kept streaming")
    assert sent < 10 * 1024 * 1024


async def test_oversized_pack_is_refused_before_download(
    publisher, site_url, make_syncer, store
) -> None:
    publisher.publish("1.0.0")
    small = make_syncer(site_url, publisher.public_keys, max_download_bytes=100)
    result = await small.sync_once()
    assert result.outcome is Outcome.REJECTED
    assert "over this agent's 100-byte limit" in result.message
    assert store.current() is None


def _tar(files: dict[str, bytes]) -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return gzip.compress(raw.getvalue())


def _tar_of(pack_dir: Path) -> bytes:
    return _tar(
        {
            p.relative_to(pack_dir).as_posix(): p.read_bytes()
            for p in pack_dir.rglob("*")
            if p.is_file()
        }
    )


def sign_custom_archive(publisher: Publisher, archive: bytes, *, version: str) -> None:
    """A publisher holding the key signs a hostile archive: the agent must still refuse it."""
    import hashlib

    rel = f"packs/acme-{version}.tar.gz"
    (publisher.site / rel).write_bytes(archive)
    publisher.serial += 1
    entry = PackEntry(
        id="acme",
        version=version,
        sha256=hashlib.sha256(archive).hexdigest(),
        size=len(archive),
        url=rel,
        issued_at=T0,
        expires_at=T0 + timedelta(days=30),
    )
    index = PackIndex(
        serial=publisher.serial, issued_at=T0, expires_at=T0 + timedelta(days=30), packs=[entry]
    )
    data = index.to_bytes()
    (publisher.site / "index.json").write_bytes(data)
    (publisher.site / "index.json.sig").write_bytes(sign_index(data, publisher.keys))

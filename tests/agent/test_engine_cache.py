"""The compiled pack cache: a hit skips the compile; a doubtful file is a miss, not a crash."""

from __future__ import annotations

import logging
import os
import shutil
import stat
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from agent_helpers import CORE_PACK, EXTRA_PACK, auth, build_app, make_settings, serve_app

from agent.api.keys import ENGINE_CACHE, PACKS, TOKEN
from agent.engine import Engine
from agent.engine.result import Platform
from agent.engine_cache import CACHE_DIR, FORMAT, KEEP, EngineCache, cache_key
from agent.packs.compile import compile_dirs
from agent.paths import BUNDLED_PACKS, EXAMPLE_COMPANY

SECRET = "device-secret-for-tests"
NOW = datetime(2026, 11, 1, tzinfo=UTC)
CODENAME_POST = "Working hard on Project Nightingale, a record quarter"


@pytest.fixture
def packs(tmp_path: Path) -> list[Path]:
    """Private copies of the fixture packs, free to edit."""
    copies = [tmp_path / "packs" / "core", tmp_path / "packs" / "extra"]
    for source, copy in zip((CORE_PACK, EXTRA_PACK), copies, strict=True):
        shutil.copytree(source, copy)
    return copies


@pytest.fixture
def cache(tmp_path: Path) -> EngineCache:
    return EngineCache.in_data_dir(tmp_path / "data", SECRET)


def rule_ids(engine: Engine, text: str = CODENAME_POST) -> list[str]:
    return [f.rule_id for f in engine.check(text, Platform.LINKEDIN, NOW).findings]


def cache_files(cache: EngineCache) -> list[Path]:
    return sorted(cache.directory.glob("engine-*.pickle"))


def hit_logged(caplog: pytest.LogCaptureFixture) -> bool:
    return any("loaded from" in r.getMessage() for r in caplog.records)


def test_first_load_compiles_and_writes_an_owner_only_file(
    cache: EngineCache, packs: list[Path]
) -> None:
    engine = cache.load(packs)
    assert rule_ids(engine) == ["confidential.codename", "financial.results"]
    [path] = cache_files(cache)
    assert path == cache.path_for(cache_key(packs))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes().startswith(FORMAT)


def test_second_load_is_a_hit_with_the_same_results(
    cache: EngineCache, packs: list[Path], caplog: pytest.LogCaptureFixture
) -> None:
    compiled = cache.load(packs)
    caplog.set_level(logging.INFO, "postguard.packs")
    assert not hit_logged(caplog)
    cached = EngineCache.in_data_dir(cache.directory.parent, SECRET).load(packs)
    assert hit_logged(caplog)
    assert cached is not compiled
    assert cached.packs == compiled.packs
    assert rule_ids(cached) == rule_ids(compiled)
    assert cached.check(CODENAME_POST, Platform.X, NOW) == compiled.check(
        CODENAME_POST, Platform.X, NOW
    )


def test_an_edited_pack_misses_and_the_edit_takes_effect(
    cache: EngineCache, packs: list[Path]
) -> None:
    before = cache.load(packs)
    key = cache_key(packs)
    rules = packs[1] / "rules" / "rules.yaml"
    rules.write_text(rules.read_text().replace("[record quarter]", "[record quarter, big deal]"))
    assert cache_key(packs) != key
    after = cache.load(packs)
    text = "This is a big deal"
    assert rule_ids(before, text) == []
    assert rule_ids(after, text) == ["financial.results"]
    assert len(cache_files(cache)) == 2


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda d: [d[0]], id="one layer fewer"),
        pytest.param(lambda d: list(reversed(d)), id="layers reordered"),
    ],
)
def test_a_different_pack_set_has_a_different_key(packs: list[Path], change: Any) -> None:
    assert cache_key(change(packs)) != cache_key(packs)
    assert cache_key(list(packs)) == cache_key(packs)


def flip_last_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-1] ^= 0x01
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(flip_last_byte, id="payload byte flipped"),
        pytest.param(lambda p: p.write_bytes(p.read_bytes()[: len(FORMAT) + 10]), id="truncated"),
        pytest.param(lambda p: p.write_bytes(b""), id="empty"),
        pytest.param(lambda p: p.write_bytes(b"\x80\x05garbage" * 100), id="garbage"),
    ],
)
def test_a_damaged_file_is_ignored_recompiled_and_rewritten(
    cache: EngineCache, packs: list[Path], damage: Any, caplog: pytest.LogCaptureFixture
) -> None:
    cache.load(packs)
    key = cache_key(packs)
    path = cache.path_for(key)
    damage(path)
    assert cache.lookup(key) is None
    engine = cache.load(packs)
    assert rule_ids(engine) == ["confidential.codename", "financial.results"]
    assert cache.lookup(key) is not None  # rewritten, valid again
    assert any("compiling" in r.getMessage() for r in caplog.records)


def test_a_file_signed_with_another_devices_secret_is_not_unpickled(
    tmp_path: Path, packs: list[Path]
) -> None:
    foreign = EngineCache.in_data_dir(tmp_path / "data", "someone else's secret")
    foreign.load(packs)
    mine = EngineCache.in_data_dir(tmp_path / "data", SECRET)
    key = cache_key(packs)
    assert foreign.lookup(key) is not None
    assert mine.lookup(key) is None


def test_a_valid_file_renamed_to_another_pack_sets_key_is_refused(
    cache: EngineCache, packs: list[Path]
) -> None:
    cache.load(packs[:1])
    other = cache_key(packs)
    cache.path_for(cache_key(packs[:1])).rename(cache.path_for(other))
    assert cache.lookup(other) is None
    assert rule_ids(cache.load(packs)) == ["confidential.codename", "financial.results"]


def test_an_unwritable_cache_dir_still_loads(tmp_path: Path, packs: list[Path]) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / CACHE_DIR).write_text("a file where the cache directory should be")
    cache = EngineCache.in_data_dir(data, SECRET)
    assert rule_ids(cache.load(packs)) == ["confidential.codename", "financial.results"]
    assert rule_ids(cache.load(packs)) == ["confidential.codename", "financial.results"]


def test_an_engine_that_cannot_be_pickled_is_a_logged_no_op(
    cache: EngineCache, packs: list[Path], caplog: pytest.LogCaptureFixture
) -> None:
    engine = compile_dirs(packs)
    engine.__dict__["lock"] = threading.Lock()  # something pickle refuses
    assert cache.store(cache_key(packs), engine) is False
    assert cache_files(cache) == []
    assert any("not cached" in r.getMessage() for r in caplog.records)


def test_only_the_latest_few_files_are_kept(cache: EngineCache, packs: list[Path]) -> None:
    rules = packs[1] / "rules" / "rules.yaml"
    original = rules.read_text()
    keys = []
    earlier = time.time() - 1000
    for n in range(KEEP + 2):
        rules.write_text(original.replace("[record quarter]", f"[record quarter, deal {n}]"))
        cache.load(packs)
        keys.append(cache_key(packs))
        # Distinct times, oldest first, even where the file system stamps coarsely.
        os.utime(cache.path_for(keys[-1]), (earlier + n, earlier + n))
    kept = cache_files(cache)
    assert len(kept) == KEEP
    assert cache.path_for(keys[-1]) in kept
    assert cache.path_for(keys[0]) not in kept


def test_write_behind_finishes_on_wait(tmp_path: Path, packs: list[Path]) -> None:
    cache = EngineCache.in_data_dir(tmp_path / "data", SECRET, write_behind=True)
    cache.load(packs)
    cache.wait()
    assert cache.lookup(cache_key(packs)) is not None


def test_the_agent_starts_from_its_cache(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, "postguard.packs")
    settings = make_settings(tmp_path)
    first = build_app(settings)
    first[ENGINE_CACHE].wait()
    assert not hit_logged(caplog)
    key = cache_key(settings.pack_dirs)
    assert first[ENGINE_CACHE].path_for(key).is_file()
    assert first[ENGINE_CACHE].directory == settings.data_dir / CACHE_DIR
    second = build_app(settings)
    assert hit_logged(caplog)
    assert second[PACKS].current().packs == first[PACKS].current().packs


async def test_an_agent_whose_cache_dir_is_unwritable_still_starts_and_checks(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    settings = make_settings(tmp_path)
    settings.data_dir.mkdir(parents=True)
    (settings.data_dir / CACHE_DIR).write_text("not a directory")
    app = build_app(settings)
    client = await serve_app(aiohttp_client, app)
    response = await client.post(
        "/v1/check",
        json={"text": CODENAME_POST, "platform": "linkedin"},
        headers=auth(app[TOKEN]),
    )
    assert response.status == 200
    body = await response.json()
    assert [f["rule_id"] for f in body["findings"]] == [
        "confidential.codename",
        "financial.results",
    ]


def test_the_example_packs_with_hashed_lists_round_trip(tmp_path: Path) -> None:
    dirs = [*BUNDLED_PACKS, EXAMPLE_COMPANY]
    first = EngineCache.in_data_dir(tmp_path / "data", SECRET).load(dirs)
    again = EngineCache.in_data_dir(tmp_path / "data", SECRET)
    assert again.lookup(cache_key(dirs)) is not None, "the layered engine was not cached"
    cached = again.load(dirs)
    # Testbird and Canary Test Account are the hashed test entries of example-company.
    post = "Staging password is Winter2024! Testbird ships for Canary Test Account"
    assert cached.check(post, Platform.X, NOW) == first.check(post, Platform.X, NOW)
    assert {f.rule_id for f in cached.check(post, Platform.X, NOW).findings} >= {
        "credentials.password-value",
        "confidential.codename",
        "confidential.customer-name",
    }


# -- prefetch: the file read and verified in a thread while the agent imports the server --------


def test_a_prefetched_file_is_what_load_returns(
    tmp_path: Path, packs: list[Path], caplog: pytest.LogCaptureFixture
) -> None:
    EngineCache.in_data_dir(tmp_path / "data", SECRET).load(packs)
    caplog.set_level(logging.INFO, "postguard.packs")
    cache = EngineCache.in_data_dir(tmp_path / "data", SECRET)
    cache.prefetch(packs)
    engine = cache.load(packs)
    assert hit_logged(caplog)
    assert rule_ids(engine) == ["confidential.codename", "financial.results"]


def test_a_prefetch_verifies_like_a_lookup(tmp_path: Path, packs: list[Path]) -> None:
    EngineCache.in_data_dir(tmp_path / "data", "someone else's secret").load(packs)
    cache = EngineCache.in_data_dir(tmp_path / "data", SECRET)
    cache.prefetch(packs)
    engine = cache.load(packs)  # the foreign file is a miss: compiled, then rewritten as ours
    assert rule_ids(engine) == ["confidential.codename", "financial.results"]
    assert cache.lookup(cache_key(packs)) is not None


def test_a_prefetch_for_other_packs_is_not_used(
    tmp_path: Path, packs: list[Path], caplog: pytest.LogCaptureFixture
) -> None:
    cache = EngineCache.in_data_dir(tmp_path / "data", SECRET)
    cache.load(packs[:1])
    cache.prefetch(packs[:1])
    caplog.set_level(logging.INFO, "postguard.packs")
    engine = cache.load(packs)
    assert not hit_logged(caplog)  # packs[:1] was prefetched; the full set is compiled
    assert rule_ids(engine) == ["confidential.codename", "financial.results"]

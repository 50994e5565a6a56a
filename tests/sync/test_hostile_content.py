"""A signed publication with hostile content, and servers that go quiet: the agent stays up,
keeps its last good packs, and says what happened in one bounded, printable line."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

from aiohttp import web
from sync_support import Publisher
from test_rejections import _tar, activate_first, expect_refused, sign_custom_archive

from agent.publish.quoting import MAX_MESSAGE_CHARS
from agent.sync.status import read_record
from agent.sync.syncer import Outcome


def _pack_files(publisher: Publisher) -> dict[str, bytes]:
    src = publisher.workdir / "src" / "1.0.0" / "acme"
    return {p.relative_to(src).as_posix(): p.read_bytes() for p in src.rglob("*") if p.is_file()}


def _alias_bomb(levels: int) -> bytes:
    """``id`` is 9**levels strings once aliases are expanded (4.8 million for 7)."""
    lines = ['l0: &l0 "lol"'] + [
        f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, levels + 1)
    ]
    return ("\n".join(lines) + f'\nid: *l{levels}\nversion: "1.1.0"\n').encode()


async def test_an_alias_bomb_in_pack_yaml_is_refused_before_it_expands(
    publisher, site_url, make_syncer, store
) -> None:
    syncer = await activate_first(publisher, site_url, make_syncer)
    files = _pack_files(publisher)
    files["pack.yaml"] = _alias_bomb(7)
    sign_custom_archive(publisher, _tar(files), version="1.1.0")
    started = time.monotonic()
    await expect_refused(syncer, store, "pack.yaml line 1: invalid YAML: anchors")
    assert time.monotonic() - started < 5
    assert len(read_record(store.root).last_error or "") < 300


async def test_a_huge_member_name_is_quoted_short_and_escaped(
    publisher, site_url, make_syncer, store
) -> None:
    syncer = await activate_first(publisher, site_url, make_syncer)
    files = _pack_files(publisher)
    files["/" + "\x1b[2J\u202eevil\n" * 100_000] = b"x"  # an absolute path: refused, quoted
    sign_custom_archive(publisher, _tar(files), version="1.1.0")
    await expect_refused(syncer, store, "is not a safe relative path")
    error = read_record(store.root).last_error or ""
    assert len(error) <= MAX_MESSAGE_CHARS
    assert "(1000001 characters)" in error
    assert error.isprintable() and "\\x1b[2J\\u202eevil\\n" in error


async def test_a_pack_that_does_not_compile_is_named_by_its_file_in_the_archive(
    publisher, site_url, make_syncer, store
) -> None:
    syncer = await activate_first(publisher, site_url, make_syncer)

    def break_rule(pack: Path) -> None:
        rules = pack / "rules" / "confidential.yaml"
        rules.write_text(rules.read_text().replace("severity: warn", "severity: loud"))

    publisher.publish("1.1.0", edit=break_rule)
    result = await syncer.sync_once()
    assert result.outcome is Outcome.REJECTED
    assert "do not compile: pack acme 1.1.0, rules/confidential.yaml:4:" in result.message
    assert "staging" not in result.message and str(store.root) not in result.message


async def test_a_server_that_goes_quiet_is_reported_as_a_read_timeout(
    aiohttp_server: Any, make_syncer
) -> None:
    async def stall(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse()
        await resp.prepare(request)
        await resp.write(b'{"format": 1,')
        await asyncio.sleep(3600)
        return resp

    app = web.Application()
    app.router.add_get("/index.json", stall)
    server = await aiohttp_server(app)
    syncer = make_syncer(
        str(server.make_url("/index.json")),
        ["AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="],
        connect_timeout_s=5.0,
        read_timeout_s=0.3,
        total_timeout_s=30.0,
    )
    started = time.monotonic()
    result = await syncer.sync_once()
    assert time.monotonic() - started < 10
    assert result.outcome is Outcome.FAILED
    assert "nothing came for 0.3 s while fetching index.json (read timeout)" in result.message
    assert "30 s" not in result.message


def test_a_huge_recorded_error_is_shown_short(store) -> None:
    """A status file written before errors were bounded still reads back as one short line."""
    store.ensure()
    huge = "refused: " + "\x1b[2J" * 300_000
    (store.root / "status.json").write_text(
        json.dumps({"index_url": "https://packs.example.com/index.json", "last_error": huge})
    )
    error = read_record(store.root).last_error or ""
    assert len(error) <= MAX_MESSAGE_CHARS and error.isprintable()
    assert error.startswith("refused: \\x1b[2J")

"""`postguard sync login` / `logout` with a running agent: the agent syncs with the token,
stops sending it after logout without a restart, and the token is in no output, log or
file other than the 0600 secrets file."""

from __future__ import annotations

import asyncio
import io
import re
import secrets
import shlex
import stat
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from agent_support import settings_for, start, sync_status_when, versions, wait_for
from aiohttp.test_utils import TestServer
from auth_support import AuthServer
from sync_support import Publisher, closed_port

from agent.cli import build_parser, main

NOW = datetime.now(UTC)
TOKEN = "pgp_" + secrets.token_urlsafe(24)
ROTATED = "pgp_" + secrets.token_urlsafe(24)
REPO = Path(__file__).resolve().parents[2]


async def cli(argv: list[str]) -> int:
    """``postguard ARGV`` beside the running agent (the command runs its own event loop)."""
    return await asyncio.to_thread(main, argv)


@pytest.fixture
async def pack_server(
    aiohttp_server: Callable[..., Awaitable[TestServer]], publisher: Publisher
) -> AuthServer:
    return await AuthServer(TOKEN).start(aiohttp_server, publisher.site)


@pytest.fixture
def cli_env(
    tmp_path: Path,
    publisher: Publisher,
    pack_server: AuthServer,
    monkeypatch: pytest.MonkeyPatch,
    no_keyring: None,
) -> None:
    """The command line and the agent share these directories and managed settings."""
    managed = tmp_path / "managed"
    managed.mkdir()
    keys = ", ".join(f'"{k}"' for k in publisher.public_keys)
    (managed / "config.toml").write_text(
        f'port = {closed_port()}\n[sync]\nindex_url = "{pack_server.url()}"\n'
        f"trusted_keys = [{keys}]\n"
    )
    monkeypatch.setenv("POSTGUARD_SITE_CONFIG_DIR", str(managed))
    monkeypatch.setenv("POSTGUARD_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("POSTGUARD_DATA_DIR", str(tmp_path / "data"))


@pytest.mark.usefixtures("cli_env")
async def test_login_sync_rotate_logout_and_the_tokens_stay_secret(
    aiohttp_client: Any,
    tmp_path: Path,
    publisher: Publisher,
    pack_server: AuthServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    printed: list[str] = []

    def output() -> str:
        captured = capsys.readouterr()
        printed.append(captured.out + captured.err)
        return printed[-1]

    publisher.publish("1.0.0", now=NOW)
    assert await cli(["sync"]) == 1
    assert "sync failed: the pack server" in output()
    assert "requires a token" in printed[-1]

    monkeypatch.setattr("sys.stdin", io.StringIO(TOKEN + "\n"))
    assert await cli(["sync", "login", pack_server.url(), "--token", "-"]) == 0
    secrets_file = tmp_path / "config" / "secrets.json"
    assert f"pack server token for {pack_server.origin} saved in file {secrets_file}" in output()
    assert "the agent uses it from its next sync" in printed[-1]
    assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600
    assert await cli(["sync"]) == 0
    assert "sync updated: activated serial 1: acme 1.0.0" in output()

    # The running agent reads the token before every attempt: no restart after a change.
    settings = settings_for(
        tmp_path, pack_server.url(), publisher.public_keys, backoff_base_s=0.2, backoff_cap_s=1
    )
    app, client = await start(aiohttp_client, settings)
    assert versions(app) == [("acme", "1.0.0")]
    publisher.publish("1.1.0", now=NOW)
    await wait_for(lambda: versions(app) == [("acme", "1.1.0")])

    pack_server.token = ROTATED  # IT rotates the server's token
    publisher.publish("1.2.0", now=NOW)
    sync = await sync_status_when(client, app, lambda s: s["last_error"] is not None)
    assert "refused the token" in sync["last_error"]
    assert versions(app) == [("acme", "1.1.0")]
    assert await cli(["sync", "login", pack_server.url(), "--token", ROTATED]) == 0
    output()
    await wait_for(lambda: versions(app) == [("acme", "1.2.0")])
    assert _files_holding(tmp_path, ROTATED) == [secrets_file]

    assert await cli(["sync", "logout"]) == 0
    assert f"pack server token for {pack_server.origin} removed" in output()
    # Nothing new is published: an attempt that read the token before the logout would
    # fetch it.  The agent's next polls go without the token and are refused.
    sync = await sync_status_when(client, app, lambda s: s["last_error"] is not None)
    assert "requires a token" in sync["last_error"]
    assert sync["packs"] == [{"id": "acme", "version": "1.2.0"}]
    assert versions(app) == [("acme", "1.2.0")]
    assert await cli(["sync", "logout"]) == 0
    assert "no pack server token was stored" in output()

    assert {f"Bearer {TOKEN}", f"Bearer {ROTATED}", None} <= {a for _, a in pack_server.seen}
    for token in (TOKEN, ROTATED):
        assert all(token not in text for text in printed)
        assert token not in caplog.text
        assert _files_holding(tmp_path, token) == []
    assert not (tmp_path / "config" / "config.toml").exists()  # no settings file written


def _files_holding(root: Path, token: str) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and token.encode() in p.read_bytes()]


@pytest.mark.usefixtures("cli_env")
def test_login_refuses_plain_http_to_another_machine(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sync", "login", "http://packs.example.com/index.json", "--token", TOKEN]) == 2
    err = capsys.readouterr().err
    assert err.startswith("postguard: use https:// for a pack server on another machine")
    assert err.count("\n") == 1
    assert not (tmp_path / "config" / "secrets.json").exists()


def test_the_documented_sync_commands_parse() -> None:
    page = (REPO / "docs" / "distribution.md").read_text(encoding="utf-8")
    documented = [
        line.split("|")[-1].split("#")[0].strip()
        for block in re.findall(r"```sh\n(.*?)```", page, re.S)
        for line in block.splitlines()
        if "postguard sync" in line
    ]
    assert documented[1:] == [
        "postguard sync login https://packs.example.com --token T",
        "postguard sync login https://packs.example.com --token -",
        "postguard sync logout",
        "postguard sync logout https://packs.example.com",
    ]
    parser = build_parser()
    for command in documented:
        words = shlex.split(command)
        assert words[0] == "postguard"
        parser.parse_args(words[1:])  # exits (and fails the test) on a wrong command


@pytest.mark.usefixtures("no_keyring")
def test_logout_without_a_pack_server_is_a_one_line_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("POSTGUARD_SITE_CONFIG_DIR", str(tmp_path / "none"))
    monkeypatch.setenv("POSTGUARD_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("POSTGUARD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("POSTGUARD_SYNC__INDEX_URL", raising=False)
    assert main(["sync", "logout"]) == 2
    assert capsys.readouterr().err == "postguard: name the pack server: postguard sync logout URL\n"

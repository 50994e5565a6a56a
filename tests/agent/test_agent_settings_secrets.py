"""Settings layering, secret storage (threat 13) and hot swap of the pack set."""

from __future__ import annotations

import asyncio
import shutil
import threading
import time
from pathlib import Path
from typing import Any

import keyring.backend
import pytest
from agent_helpers import CORE_PACK, EXTRA_PACK, build_app, make_settings, post, serve_app
from keyring.backends.fail import Keyring as FailKeyring

from agent.api.keys import PACKS, TOKEN
from agent.config import load_settings
from agent.errors import UserError
from agent.runtime import PackHolder, load_engine, watch_packs
from agent.security.secrets import FINGERPRINT_KEY, SecretStore
from agent.security.secrets import TOKEN as TOKEN_NAME

# -- settings -------------------------------------------------------------------------------


def _dirs(tmp_path: Path) -> dict[str, str]:
    for name in ("user", "site", "data"):
        (tmp_path / name).mkdir(exist_ok=True)
    return {
        "POSTGUARD_CONFIG_DIR": str(tmp_path / "user"),
        "POSTGUARD_SITE_CONFIG_DIR": str(tmp_path / "site"),
        "POSTGUARD_DATA_DIR": str(tmp_path / "data"),
    }


def test_managed_file_beats_user_file_beats_env(tmp_path: Path) -> None:
    env = {**_dirs(tmp_path), "POSTGUARD_PORT": "1111", "POSTGUARD_JUSTIFICATION_MIN": "5"}
    (tmp_path / "user" / "config.toml").write_text("port = 2222\njustification_min = 30\n")
    (tmp_path / "site" / "config.toml").write_text("port = 3333\n[upload]\ncollector_url = 'x'\n")
    loaded = load_settings(env=env)
    assert loaded.settings.port == 3333
    assert loaded.settings.justification_min == 30
    assert loaded.settings.upload.collector_url == "x"
    assert loaded.sources["port"].startswith("managed file")
    assert loaded.sources["justification_min"].startswith("user file")
    assert loaded.settings.data_dir == tmp_path / "data"
    assert (
        load_settings(
            env={**_dirs(tmp_path), "POSTGUARD_SYNC__POLL_INTERVAL_S": "5"}, cli={"port": 4444}
        ).settings.port
        == 3333
    )


def test_env_alone_and_defaults(tmp_path: Path) -> None:
    env = {
        **_dirs(tmp_path),
        "POSTGUARD_PORT": "1111",
        "POSTGUARD_ALLOWED_ORIGINS": "chrome-extension://aaaa,chrome-extension://bbbb",
    }
    loaded = load_settings(env=env)
    assert loaded.settings.port == 1111
    assert loaded.sources["port"] == "env POSTGUARD_PORT"
    assert loaded.settings.allowed_origins == ["chrome-extension://aaaa", "chrome-extension://bbbb"]
    assert loaded.sources["max_text_chars"] == "default"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('host = "0.0.0.0"', "loopback"),
        ('host = "192.168.1.5"', "loopback"),
        ("colour = 1", "unknown setting 'colour'"),
        ("port = 'many'", "setting port"),
        ('data_dir = "/tmp"', "POSTGUARD_DATA_DIR"),
        ("port = ", "invalid TOML"),
        ('allowed_origins = ["https://evil.example"]', "chrome-extension"),
    ],
)
def test_bad_settings_are_one_line_errors(tmp_path: Path, text: str, expected: str) -> None:
    (tmp_path / "user").mkdir()
    (tmp_path / "user" / "config.toml").write_text(text + "\n")
    with pytest.raises(UserError) as error:
        load_settings(env=_dirs(tmp_path))
    assert expected in error.value.message
    assert "\n" not in error.value.message


# -- threat 13: secrets ---------------------------------------------------------------------


class MemoryKeyring(keyring.backend.KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)


class CountingKeyring(MemoryKeyring):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, str]] = []

    def get_password(self, service: str, username: str) -> str | None:
        self.calls.append(("get", username))
        return super().get_password(service, username)

    def set_password(self, service: str, username: str, password: str) -> None:
        self.calls.append(("set", username))
        super().set_password(service, username, password)


class HangingKeyring(MemoryKeyring):
    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def get_password(self, service: str, username: str) -> str | None:
        self.release.wait(30)  # a locked keyring waiting for a prompt nobody answers
        return None


def test_a_secure_keyring_holds_the_secrets(tmp_path: Path) -> None:
    backend = MemoryKeyring()
    store = SecretStore(tmp_path, backend=backend)
    token = store.get_or_create(TOKEN_NAME)
    assert backend.store[("postguard", TOKEN_NAME)] == token
    assert store.get_or_create(TOKEN_NAME) == token
    assert store.get_or_create(FINGERPRINT_KEY) != token
    assert not (tmp_path / "secrets.json").exists()


def test_fail_backend_falls_back_to_a_private_file(tmp_path: Path) -> None:
    store = SecretStore(tmp_path / "config", backend=FailKeyring())
    token = store.get_or_create(TOKEN_NAME)
    path = tmp_path / "config" / "secrets.json"
    assert path.stat().st_mode & 0o777 == 0o600
    assert token in path.read_text()
    again = SecretStore(tmp_path / "config", backend=FailKeyring()).get_or_create(TOKEN_NAME)
    assert again == token  # survives restarts: a paired extension stays paired


def test_secrets_in_the_file_are_used_without_asking_the_keyring(tmp_path: Path) -> None:
    """The file is authoritative for what it holds, so such a device never loads the keyring."""
    token = SecretStore(tmp_path, backend=FailKeyring()).get_or_create(TOKEN_NAME)
    backend = CountingKeyring()
    store = SecretStore(tmp_path, backend=backend)
    assert store.get_or_create(TOKEN_NAME) == token
    assert backend.calls == []
    assert store.location == f"file {tmp_path / 'secrets.json'}"
    # A secret the file lacks still goes to the (now secure) keyring, as before.
    key = store.get_or_create(FINGERPRINT_KEY)
    assert backend.calls == [("get", FINGERPRINT_KEY), ("set", FINGERPRINT_KEY)]
    assert backend.store[("postguard", FINGERPRINT_KEY)] == key
    assert key not in (tmp_path / "secrets.json").read_text()


def test_a_hanging_keyring_is_bounded_by_a_timeout(tmp_path: Path) -> None:
    backend = HangingKeyring()
    store = SecretStore(tmp_path, backend=backend, timeout=0.3)
    started = time.monotonic()
    token = store.get_or_create(TOKEN_NAME)
    assert time.monotonic() - started < 3
    assert token and (tmp_path / "secrets.json").exists()
    backend.release.set()


# -- hot swap ------------------------------------------------------------------------------


async def test_watch_swaps_edited_packs_and_keeps_the_old_set_on_error(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(CORE_PACK, pack)
    holder = PackHolder(load_engine([pack]), "local")
    before = holder.current()
    task = asyncio.create_task(watch_packs(holder, [pack], 0.05))
    try:
        pack_yaml = pack / "pack.yaml"
        original = pack_yaml.read_text()
        edits, edited_at = 0, 0.0

        def edited_and_swapped() -> bool:
            # The watcher takes its first snapshot in a thread; an edit it saw as its starting
            # point never swaps.  So edit again, now and then, until one is seen as an edit.
            nonlocal edits, edited_at
            if holder.current() is not before:
                return True
            if time.monotonic() - edited_at > 0.5:
                edits, edited_at = edits + 1, time.monotonic()
                pack_yaml.write_text(original.replace('"1.0.0"', f'"1.0.{edits}"'))
            return False

        await _until(edited_and_swapped)
        last = f"1.0.{edits}"
        await _until(lambda: holder.current().packs[0].version == last)
        swapped = holder.current()
        (pack / "rules" / "rules.yaml").write_text("rules: [oops\n")
        await _until(lambda: holder.last_error is not None)
        assert holder.current() is swapped
        assert "rules.yaml" in (holder.last_error or "")
    finally:
        task.cancel()


async def _until(condition: Any, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        await asyncio.sleep(0.02)


async def test_status_shows_a_pack_error_and_plugin_sections(
    aiohttp_client: Any, tmp_path: Path
) -> None:
    from agent.api.keys import STATUS_SECTIONS

    app = build_app(make_settings(tmp_path, pack_dirs=[CORE_PACK, EXTRA_PACK]))
    app[STATUS_SECTIONS]["sync"] = lambda: {"last_sync": None, "state": "not configured"}
    client = await serve_app(aiohttp_client, app)
    app[PACKS].record_error("test-core: signature does not verify")
    status = await (await post(client, "/v1/status", {}, app[TOKEN])).json()
    assert status["pack_error"] == "test-core: signature does not verify"
    assert status["sections"]["sync"]["state"] == "not configured"
    assert status["packs"][0]["id"] == "test-core"


def test_a_broken_pack_at_start_is_a_user_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(CORE_PACK, broken)
    (broken / "pack.yaml").write_text("id: [\n")
    with pytest.raises(UserError):
        build_app(make_settings(tmp_path, pack_dirs=[broken]))

"""The sync timeouts and backoff are settings: documented, validated, and used by ``sync``."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
from cli_support import Home
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from walkthrough_support import DOCS

from agent.config import SyncSettings, UploadSettings, load_settings
from agent.errors import UserError
from agent.publish.keys import public_key_b64
from agent.sync.options import SyncOptions

KEY = public_key_b64(Ed25519PrivateKey.generate())


def test_every_sync_setting_is_in_the_distribution_guide() -> None:
    text = (DOCS / "distribution.md").read_text(encoding="utf-8")
    for key in SyncSettings.model_fields:
        assert f"`sync.{key}`" in text, f"sync.{key} missing from docs/distribution.md"


def test_every_upload_setting_is_in_the_events_guide() -> None:
    text = (DOCS / "events.md").read_text(encoding="utf-8")
    for key in UploadSettings.model_fields:
        assert f"`upload.{key}`" in text, f"upload.{key} missing from docs/events.md"


def managed(tmp_path: Path, toml: str) -> dict[str, str]:
    (tmp_path / "managed").mkdir()
    (tmp_path / "managed" / "config.toml").write_text(toml, encoding="utf-8")
    return {
        "POSTGUARD_SITE_CONFIG_DIR": str(tmp_path / "managed"),
        "POSTGUARD_CONFIG_DIR": str(tmp_path / "config"),
        "POSTGUARD_DATA_DIR": str(tmp_path / "data"),
    }


def test_managed_timeouts_and_backoff_reach_the_syncer(tmp_path: Path) -> None:
    env = managed(
        tmp_path,
        f'[sync]\nindex_url = "https://packs.example.com/index.json"\ntrusted_keys = ["{KEY}"]\n'
        "connect_timeout_s = 2\nread_timeout_s = 3\ntotal_timeout_s = 4\n"
        "backoff_base_s = 5\nbackoff_cap_s = 60\n",
    )
    options = SyncOptions.from_settings(load_settings(env=env).settings.sync)
    assert options is not None
    assert (options.connect_timeout_s, options.read_timeout_s, options.total_timeout_s) == (2, 3, 4)
    assert (options.backoff_base_s, options.backoff_cap_s) == (5, 60)


def test_defaults_are_the_documented_ones() -> None:
    options = SyncOptions.from_settings(
        SyncSettings(index_url="https://packs.example.com/index.json", trusted_keys=[KEY])
    )
    assert options is not None
    assert (options.connect_timeout_s, options.read_timeout_s, options.total_timeout_s) == (
        10,
        30,
        120,
    )
    assert (options.backoff_base_s, options.backoff_cap_s) == (30, 3600)


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("backoff_base_s = 600\nbackoff_cap_s = 60", "backoff_cap_s must be at least"),
        ("read_timeout_s = 0", "sync.read_timeout_s"),
        ("total_timeout_s = -1", "sync.total_timeout_s"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_setting(
    tmp_path: Path, setting: str, message: str
) -> None:
    env = managed(tmp_path, f"[sync]\n{setting}\n")
    with pytest.raises(UserError, match=message) as caught:
        load_settings(env=env)
    assert "\n" not in str(caught.value)


@pytest.mark.slow
def test_postguard_sync_gives_up_on_a_silent_server_after_the_configured_time(
    home: Home,
) -> None:
    with socket.socket() as silent:  # accepts connections (the kernel does), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        settings = home.root / "managed" / "config.toml"
        settings.parent.mkdir()
        settings.write_text(
            f'[sync]\nindex_url = "http://127.0.0.1:{port}/index.json"\n'
            f'trusted_keys = ["{KEY}"]\nread_timeout_s = 1\ntotal_timeout_s = 2\n',
            encoding="utf-8",
        )
        start = time.monotonic()
        failed = home.run("sync", expect=1)
        took = time.monotonic() - start
    assert "stopped answering" in failed.stdout or "within" in failed.stdout, failed.stdout
    assert took < 15, f"the default 30 s read timeout applied ({took:.1f} s)"

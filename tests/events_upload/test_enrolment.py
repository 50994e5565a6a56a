"""Enrolment stores the URL in the user settings file and the token as a secret, never in clear."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest
from keyring.backends.fail import Keyring as FailKeyring

from agent.config import load_settings
from agent.errors import UserError
from agent.events.upload_enrolment import enrol, enrolment_token
from agent.security.secrets import SecretStore


def test_enrol_then_the_agent_settings_and_token_agree(tmp_path: Path) -> None:
    env = {
        "POSTGUARD_CONFIG_DIR": str(tmp_path / "cfg"),
        "POSTGUARD_SITE_CONFIG_DIR": str(tmp_path / "site"),
        "POSTGUARD_DATA_DIR": str(tmp_path / "data"),
    }
    locations = load_settings(env=env).locations
    locations.config_dir.mkdir()
    locations.user_file.write_text("port = 47601\n[sync]\npoll_interval_s = 30.0\n")
    store = SecretStore(locations.config_dir, backend=FailKeyring())
    where = enrol(locations, store, "https://splunk.example.com:8088/", "tok-123")
    assert where.startswith("file ")
    settings = load_settings(env=env).settings
    assert settings.upload.collector_url == "https://splunk.example.com:8088"
    assert (settings.port, settings.sync.poll_interval_s) == (47601, 30.0)
    assert enrolment_token(settings, store) == "tok-123"
    assert "tok-123" not in locations.user_file.read_text()
    assert stat.S_IMODE((locations.config_dir / "secrets.json").stat().st_mode) == 0o600


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://collector.example.com:8088", "use https://"),
        ("ftp://collector.example.com", "not an http(s) URL"),
        ("https://user:pw@collector.example.com", "must not carry"),
        ("collector.example.com", "not an http(s) URL"),
    ],
)
def test_unsafe_or_malformed_urls_are_refused(tmp_path: Path, url: str, message: str) -> None:
    env = {
        "POSTGUARD_CONFIG_DIR": str(tmp_path / "cfg"),
        "POSTGUARD_SITE_CONFIG_DIR": str(tmp_path / "site"),
    }
    locations = load_settings(env=env).locations
    store = SecretStore(locations.config_dir, backend=FailKeyring())
    with pytest.raises(UserError, match=re.escape(message)):
        enrol(locations, store, url, "tok")
    assert not locations.user_file.exists()


@pytest.mark.parametrize("token", ["", "two words", "tök", "line\nbreak"])
def test_a_token_that_cannot_travel_in_a_header_is_refused(tmp_path: Path, token: str) -> None:
    env = {
        "POSTGUARD_CONFIG_DIR": str(tmp_path / "cfg"),
        "POSTGUARD_SITE_CONFIG_DIR": str(tmp_path / "site"),
    }
    locations = load_settings(env=env).locations
    store = SecretStore(locations.config_dir, backend=FailKeyring())
    with pytest.raises(UserError, match="one word of printable ASCII"):
        enrol(locations, store, "https://collector.example.com:8088", token)
    assert not locations.user_file.exists()
    assert not (locations.config_dir / "secrets.json").exists()

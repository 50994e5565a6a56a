"""The user named in every event comes from the managed file or the OS, never the employee."""

from __future__ import annotations

import os
import pwd
from pathlib import Path

import pytest
from keyring.backends.fail import Keyring as FailKeyring
from upload_support import SMALL_PACK

from agent.api.keys import AUDIT
from agent.app import create_app
from agent.config import Settings, load_settings
from agent.errors import UserError
from agent.security.secrets import SecretStore

ACCOUNT = pwd.getpwuid(os.getuid()).pw_name


def env_for(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "POSTGUARD_CONFIG_DIR": str(tmp_path / "config"),
        "POSTGUARD_SITE_CONFIG_DIR": str(tmp_path / "site"),
        "POSTGUARD_DATA_DIR": str(tmp_path / "data"),
        **extra,
    }


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.fixture
def employee_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """What the employee can set in their own session."""
    for name in ("USER", "LOGNAME", "USERNAME", "LNAME"):
        monkeypatch.setenv(name, "ceo")


def test_the_employee_cannot_choose_the_user(tmp_path: Path, employee_env: None) -> None:
    write(tmp_path / "config" / "config.toml", 'user = "ceo@example.com"\n')
    loaded = load_settings(env=env_for(tmp_path, POSTGUARD_USER="ceo@example.com"))
    assert loaded.settings.user == ACCOUNT
    assert "OS account" in loaded.sources["user"]
    assert load_settings(cli={"user": "ceo"}, env=env_for(tmp_path)).settings.user == ACCOUNT


def test_the_managed_file_names_the_user_whatever_else_says(
    tmp_path: Path, employee_env: None
) -> None:
    write(tmp_path / "site" / "config.toml", 'user = "alex@example.com"\n')
    write(tmp_path / "config" / "config.toml", 'user = "ceo@example.com"\n')
    loaded = load_settings(env=env_for(tmp_path, POSTGUARD_USER="ceo@example.com"))
    assert loaded.settings.user == "alex@example.com"
    assert loaded.sources["user"].startswith("managed file")


def test_a_managed_user_with_control_characters_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "site" / "config.toml", 'user = "alex\\u001b[2J"\n')
    with pytest.raises(UserError, match="user"):
        load_settings(env=env_for(tmp_path))


def test_the_agent_records_events_as_the_os_account_not_as_user(
    tmp_path: Path, employee_env: None
) -> None:
    settings = Settings(
        config_dir=tmp_path / "config", data_dir=tmp_path / "data", pack_dirs=[SMALL_PACK]
    )
    store = SecretStore(settings.config_dir, backend=FailKeyring())
    app = create_app(settings, plugins=(), secrets=store)
    try:
        assert app[AUDIT].user == ACCOUNT
    finally:
        app[AUDIT].close()

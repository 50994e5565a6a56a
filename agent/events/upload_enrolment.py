"""Enrolment with IT's collector: its URL in the user settings file, its token in the keyring.

A managed settings file (``upload.collector_url`` / ``upload.collector_token``) wins
over enrolment, so IT can enrol a whole fleet without anyone running a command.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

from agent.config import Locations, Settings
from agent.errors import UserError
from agent.fsutil import write_atomic
from agent.httputil import check_header_token, is_loopback_host
from agent.security.secrets import SecretStore

TOKEN_SECRET: Final = "collector-token"  # noqa: S105 - the secret's name, not a secret


def check_collector_url(url: str) -> str:
    """HTTPS, or plain HTTP to this machine only: the token travels in every request."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UserError(f"{url!r} is not an http(s) URL like https://collector.example.com:8088")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise UserError("the collector URL must not carry a query, fragment or credentials")
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise UserError(
            "use https:// for a collector on another machine; the token would travel in clear"
        )
    return url.rstrip("/")


def enrol(locations: Locations, secrets: SecretStore, url: str, token: str) -> str:
    """Save both; return where the token went (keyring or the 0600 fallback file)."""
    url = check_collector_url(url)
    where = secrets.put(TOKEN_SECRET, check_header_token(token))
    _set_user_setting(locations.user_file, "upload", "collector_url", url)
    return where


def collector_token(settings: Settings, secrets: SecretStore) -> str | None:
    return settings.upload.collector_token or secrets.get(TOKEN_SECRET)


def _set_user_setting(path: Path, section: str, key: str, value: str) -> None:
    try:
        current: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        current = {}
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise UserError(f"{path}: cannot update the settings file ({exc})") from None
    current.setdefault(section, {})[key] = value
    write_atomic(path, dump_toml(current).encode("utf-8"))


def dump_toml(data: dict[str, Any]) -> str:
    """TOML for the settings file's shapes: scalars, lists of scalars, one level of tables."""
    lines: list[str] = []
    tables = {k: v for k, v in data.items() if isinstance(v, dict)}
    for key, value in data.items():
        if not isinstance(value, dict):
            lines.append(f"{key} = {_toml_value(value)}")
    for name, table in tables.items():
        lines.append(f"\n[{name}]")
        lines.extend(f"{key} = {_toml_value(value)}" for key, value in table.items())
    return "\n".join(lines).lstrip("\n") + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise UserError(f"cannot write setting value {value!r} to TOML")

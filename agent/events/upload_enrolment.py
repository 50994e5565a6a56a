"""Enrolment with IT's collector: its URL in the user settings file, its tokens in the keyring.

Two secrets, both kept by ``SecretStore`` (keyring, or the 0600 fallback file):

- ``collector-token``: the *enrolment* token IT hands a group of machines (or, for a
  Splunk HEC, which has no enrolment, the HEC token itself);
- ``collector-device-token``: what the reference collector gives this device in exchange,
  valid only for this device's events, with the collector URL and device id it is for.

Once a device token is saved the enrolment token is deleted from this machine.  A managed
settings file (``upload.collector_url`` / ``upload.collector_token``) wins over enrolment,
so IT can enrol a whole fleet without anyone running a command: the agent exchanges the
managed token for a device token when it starts.
"""

from __future__ import annotations

import logging
import tomllib
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agent.config import Locations, Settings
from agent.errors import UserError
from agent.fsutil import write_atomic
from agent.httputil import check_header_token, is_loopback_host
from agent.security.secrets import SecretStore

log = logging.getLogger("postguard.upload")

TOKEN_SECRET: Final = "collector-token"  # noqa: S105 - the secret's name, not a secret
DEVICE_SECRET: Final = "collector-device-token"  # noqa: S105 - the secret's name


class DeviceCredential(BaseModel):
    """A device token and what it is valid for: one collector, one device."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    collector_url: str = Field(min_length=1, max_length=2048)
    device_id: str = Field(min_length=1, max_length=64)
    token: str = Field(min_length=1, max_length=256, repr=False)

    def serves(self, collector_url: str, device_id: str) -> bool:
        return self.collector_url == _normal(collector_url) and self.device_id == device_id


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
    return _normal(url)


def _normal(url: str) -> str:
    return url.rstrip("/")


def enrol(locations: Locations, secrets: SecretStore, url: str, token: str) -> str:
    """Save the URL and the enrolment (or HEC) token; return where the token went.

    A device token saved for an earlier enrolment is dropped: enrolling again starts over.
    """
    url = check_collector_url(url)
    where = secrets.put(TOKEN_SECRET, check_header_token(token))
    secrets.delete(DEVICE_SECRET)
    _set_user_setting(locations.user_file, "upload", "collector_url", url)
    return where


def save_device_credential(
    secrets: SecretStore, credential: DeviceCredential, *, forget_enrolment_token: bool
) -> str:
    """Save the device token; return where.  A stored enrolment token is then deleted
    (``forget_enrolment_token``): it would let anyone with this machine's secrets enrol
    made-up devices.  One in a settings file stays: that is IT's to manage."""
    where = secrets.put(DEVICE_SECRET, credential.model_dump_json())
    if forget_enrolment_token:
        secrets.delete(TOKEN_SECRET)
    return where


def save_collector_url(locations: Locations, url: str) -> None:
    _set_user_setting(locations.user_file, "upload", "collector_url", check_collector_url(url))


def device_credential(
    secrets: SecretStore, collector_url: str, device_id: str
) -> DeviceCredential | None:
    """The saved device token, if it is for this collector and this device."""
    raw = secrets.get(DEVICE_SECRET)
    if raw is None:
        return None
    try:
        credential = DeviceCredential.model_validate_json(raw)
    except ValidationError:
        log.warning("the saved collector device token is unreadable; enrolling again")
        return None
    return credential if credential.serves(collector_url, device_id) else None


def enrolment_token(settings: Settings, secrets: SecretStore) -> str | None:
    """The token to enrol with (or, for a Splunk HEC, to send with): settings first."""
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

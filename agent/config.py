"""Typed agent settings, layered: managed file > command line > user file > env > defaults.

Files are TOML (``config.toml``):

- managed: ``platformdirs.site_config_dir("postguard")/config.toml`` — written by IT; its
  values win over everything, so an employee cannot loosen them;
- user: ``platformdirs.user_config_dir("postguard")/config.toml``;
- environment: ``POSTGUARD_<FIELD>`` (``POSTGUARD_SYNC__INDEX_URL`` for nested fields; lists
  as JSON, or comma-separated; ``pack_dirs`` also accepts ``os.pathsep``-separated paths).

Where things live can be moved for tests and development with ``POSTGUARD_CONFIG_DIR`` (user
config dir), ``POSTGUARD_SITE_CONFIG_DIR`` (managed config dir) and ``POSTGUARD_DATA_DIR``.

``user``, the identity recorded with every event IT receives, is the one exception to the
layering: only the managed file sets it.  Otherwise it is the OS account the agent runs as,
read from the OS (not from ``$USER``/``$LOGNAME``, which the employee sets); a ``user``
in the user file, on the command line or in ``POSTGUARD_USER`` is ignored.
"""

from __future__ import annotations

import json
import os
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import platformdirs
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from agent.engine.limits import MAX_TEXT_CHARS
from agent.errors import UserError
from agent.paths import BUNDLED_PACKS

APP_NAME: Final = "postguard"
CONFIG_FILE: Final = "config.toml"
ENV_PREFIX: Final = "POSTGUARD_"
DEFAULT_PORT: Final = 47600
EXTENSION_ORIGIN: Final = "chrome-extension://fmiiiaehnajkhelcmmjanpbbckoigbbd"
# Names a host the agent may bind; anything else would expose drafts beyond this machine.
LOOPBACK_HOSTS: Final = frozenset({"localhost", "127.0.0.1", "::1"})

DEFAULT_OVERRIDE_REASONS: Final = (
    "part of an approved campaign",
    "my manager approved it",
    "the information is already public",
    "this is a false positive",
    "other",
)


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SyncSettings(_Section):
    """Signed pack distribution (read by ``agent.sync``)."""

    index_url: str | None = None
    trusted_keys: list[str] = Field(default_factory=list, description="Ed25519 public keys")
    poll_interval_s: float = Field(default=900.0, gt=0)
    max_download_bytes: int = Field(default=16 * 1024 * 1024, ge=1024, description="per archive")
    connect_timeout_s: float = Field(default=10.0, gt=0, le=300)
    read_timeout_s: float = Field(default=30.0, gt=0, le=600, description="between two chunks")
    total_timeout_s: float = Field(default=120.0, gt=0, le=3600, description="one whole download")
    backoff_base_s: float = Field(default=30.0, gt=0, description="first delay after an error")
    backoff_cap_s: float = Field(default=3600.0, gt=0, le=86400, description="longest delay")

    @model_validator(mode="after")
    def _backoff_rises(self) -> SyncSettings:
        if self.backoff_cap_s < self.backoff_base_s:
            raise ValueError("sync.backoff_cap_s must be at least sync.backoff_base_s")
        return self


class UploadSettings(_Section):
    """Event upload to IT's collector (read by the uploader)."""

    collector_url: str | None = None
    collector_token: str | None = None
    interval_s: float = Field(default=60.0, gt=0)
    batch_size: int = Field(default=100, ge=1, le=10_000)


class Settings(_Section):
    """Everything the agent reads at start; see ``docs/agent.md`` for each key."""

    port: int = Field(default=DEFAULT_PORT, ge=1, le=65535)
    host: str = Field(
        default="localhost",
        description="localhost (127.0.0.1 and ::1) | 127.0.0.1 | ::1 — never anything else",
    )
    allowed_origins: list[str] = Field(default_factory=lambda: [EXTENSION_ORIGIN])
    pack_dirs: list[Path] = Field(default_factory=lambda: list(BUNDLED_PACKS))
    override_reasons: list[str] = Field(
        default_factory=lambda: list(DEFAULT_OVERRIDE_REASONS), min_length=1
    )
    justification_min: int = Field(default=20, ge=0)
    justification_max: int = Field(default=1000, ge=1, le=10_000)
    max_text_chars: int = Field(default=MAX_TEXT_CHARS, ge=1, le=2 * MAX_TEXT_CHARS)
    request_timeout_s: float = Field(default=10.0, gt=0)
    header_timeout_s: float = Field(default=10.0, gt=0, description="to send a whole request")
    max_concurrent_requests: int = Field(default=16, ge=1)
    audit_max_mb: int = Field(default=512, ge=1, description="the audit database's size cap")
    user: str = Field(
        default_factory=lambda: os_account(),
        min_length=1,
        max_length=256,
        description="identity recorded with events: managed file only; default the OS account",
    )
    watch_interval_s: float = Field(default=1.0, gt=0)
    sync: SyncSettings = Field(default_factory=SyncSettings)
    upload: UploadSettings = Field(default_factory=UploadSettings)
    # Where files live; set from the environment, not from config files.
    config_dir: Path = Field(default_factory=lambda: default_locations().config_dir)
    data_dir: Path = Field(default_factory=lambda: default_locations().data_dir)

    @field_validator("user")
    @classmethod
    def _printable_user(cls, user: str) -> str:
        if not user.isprintable() or user != user.strip():
            raise ValueError("must be printable, without leading or trailing spaces")
        return user

    @field_validator("host")
    @classmethod
    def _loopback_only(cls, host: str) -> str:
        if host not in LOOPBACK_HOSTS:
            raise ValueError(
                f"host = {host!r} is refused: the agent only listens on loopback "
                "(localhost, 127.0.0.1 or ::1)"
            )
        return host

    @field_validator("allowed_origins")
    @classmethod
    def _extension_origins(cls, origins: list[str]) -> list[str]:
        for origin in origins:
            if not origin.startswith("chrome-extension://") or origin.count("/") != 2:
                raise ValueError(f"{origin!r} is not a chrome-extension://ID origin")
        return origins

    @property
    def bind_hosts(self) -> tuple[str, ...]:
        return ("127.0.0.1", "::1") if self.host == "localhost" else (self.host,)


# Keys that only the environment may set: a config file naming them is an error.
LOCATION_KEYS: Final = frozenset({"config_dir", "data_dir"})
# Keys only IT may set: read from the managed file, ignored in every other layer.
MANAGED_ONLY_KEYS: Final = frozenset({"user"})


def os_account() -> str:
    """The name of the account this process runs as, asked of the OS, never the environment.

    ``getpass.getuser()`` would read ``$LOGNAME``/``$USER`` first, which anyone can set.
    """
    if sys.platform == "win32":
        try:
            return os.getlogin()  # GetUserNameW: the account's name, not %USERNAME%
        except OSError:
            return "unknown"
    import pwd

    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:  # an account with no passwd entry (some containers)
        return f"uid-{os.getuid()}"


@dataclass(frozen=True)
class Locations:
    config_dir: Path
    site_config_dir: Path
    data_dir: Path

    @property
    def user_file(self) -> Path:
        return self.config_dir / CONFIG_FILE

    @property
    def managed_file(self) -> Path:
        return self.site_config_dir / CONFIG_FILE


def default_locations(env: Mapping[str, str] | None = None) -> Locations:
    env = os.environ if env is None else env

    def pick(var: str, fallback: str) -> Path:
        value = env.get(var)
        return Path(value) if value else Path(fallback)

    return Locations(
        config_dir=pick("POSTGUARD_CONFIG_DIR", platformdirs.user_config_dir(APP_NAME)),
        site_config_dir=pick("POSTGUARD_SITE_CONFIG_DIR", platformdirs.site_config_dir(APP_NAME)),
        data_dir=pick("POSTGUARD_DATA_DIR", platformdirs.user_data_dir(APP_NAME)),
    )


@dataclass(frozen=True)
class LoadedSettings:
    settings: Settings
    # Top-level key → where its value came from ("managed file /etc/...", "env POSTGUARD_PORT").
    sources: dict[str, str]
    locations: Locations


def load_settings(
    cli: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None
) -> LoadedSettings:
    """Merge every layer; a bad value is a UserError naming the file (or variable) and key."""
    env = os.environ if env is None else env
    locations = default_locations(env)
    layers: list[tuple[str, dict[str, Any]]] = [
        ("env", _from_env(env)),
        (f"user file {locations.user_file}", _read_toml(locations.user_file)),
        ("command line", dict(cli or {})),
        (f"managed file {locations.managed_file}", _read_toml(locations.managed_file)),
    ]
    merged: dict[str, Any] = {}
    sources: dict[str, str] = {}
    managed_origin = layers[-1][0]
    for origin, values in layers:
        _check_layer(origin, values)
        for key, value in values.items():
            if key in MANAGED_ONLY_KEYS and origin != managed_origin:
                continue
            if isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key] = {**merged[key], **value}
            else:
                merged[key] = value
            sources[key] = f"env {ENV_PREFIX}{key.upper()}" if origin == "env" else origin
    merged["config_dir"] = locations.config_dir
    merged["data_dir"] = locations.data_dir
    try:
        settings = Settings.model_validate(merged)
    except ValidationError as exc:
        raise UserError(_describe(exc, sources)) from None
    sources.setdefault("user", "OS account (only the managed file can set user)")
    for key in Settings.model_fields:
        sources.setdefault(key, "default")
    sources["config_dir"] = sources["data_dir"] = "location (env or platform default)"
    return LoadedSettings(settings=settings, sources=sources, locations=locations)


def _check_layer(origin: str, values: Mapping[str, Any]) -> None:
    for key in values:
        if key in LOCATION_KEYS:
            raise UserError(
                f"{origin}: {key} cannot be set here; use POSTGUARD_{key.upper()} instead"
            )
        if key not in Settings.model_fields:
            raise UserError(f"{origin}: unknown setting {key!r}")


def _describe(exc: ValidationError, sources: Mapping[str, str]) -> str:
    error = exc.errors()[0]
    loc = ".".join(str(part) for part in error["loc"])
    top = str(error["loc"][0]) if error["loc"] else ""
    where = sources.get(top, "default")
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"setting {loc} (from {where}): {message}"


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{path}: invalid TOML: {exc}") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror}") from None


def _from_env(env: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, raw in env.items():
        if not name.startswith(ENV_PREFIX):
            continue
        key = name.removeprefix(ENV_PREFIX).lower()
        section, _, sub = key.partition("__")
        field = Settings.model_fields.get(section)
        if field is None or section in LOCATION_KEYS or section in MANAGED_ONLY_KEYS:
            continue  # other POSTGUARD_* variables (locations, test switches) are not settings
        if sub:
            values.setdefault(section, {})[sub] = _env_value(raw, sub == "trusted_keys")
        else:
            values[section] = _env_value(raw, _is_list(section), section == "pack_dirs")
    return values


def _is_list(key: str) -> bool:
    return key in {"allowed_origins", "pack_dirs", "override_reasons"}


def _env_value(raw: str, as_list: bool, paths: bool = False) -> Any:
    if not as_list:
        return raw
    if raw.lstrip().startswith("["):
        try:
            return json.loads(raw)
        except json.JSONDecodeError as exc:
            raise UserError(f"environment: invalid JSON list {raw!r}: {exc.msg}") from None
    separator = os.pathsep if paths else ","
    return [part.strip() for part in raw.split(separator) if part.strip()]

"""What installing the agent as a service means on one platform: files, then commands.

A platform module (``systemd``, ``launchd``, ``taskscheduler``) only describes; ``apply``
writes, runs and removes.  So ``--dry-run`` prints exactly what would be done, and
uninstalling removes exactly the files installing wrote.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Literal

from agent.errors import UserError

Platform = Literal["linux", "macos", "windows"]
PLATFORMS: Final[tuple[Platform, ...]] = ("linux", "macos", "windows")
# Locations the installing shell pinned (tests, side-by-side installs) go into the service.
LOCATION_VARS: Final = ("POSTGUARD_CONFIG_DIR", "POSTGUARD_SITE_CONFIG_DIR", "POSTGUARD_DATA_DIR")


@dataclass(frozen=True)
class ServiceFile:
    path: Path
    content: bytes = b""
    # A symbolic link (systemd's "enable"), written as the link, not as content.
    link_to: Path | None = None
    # Permission bits to set (an executable wrapper script); None keeps the umask's.
    mode: int | None = None


@dataclass(frozen=True)
class Step:
    """A service manager command; ``may_fail`` for undoing what may not be there."""

    argv: tuple[str, ...]
    may_fail: bool = False


@dataclass(frozen=True)
class ServicePlan:
    platform: Platform
    files: tuple[ServiceFile, ...]
    # Run after the files are in place, before ``start``: register them with the OS
    # (the browsers' registry keys for the native messaging host on Windows).
    register: tuple[Step, ...] = ()
    # Run after the files are in place: make the service manager start the agent now.
    start: tuple[Step, ...] = ()
    # Run before the files are removed: stop the agent and forget the service.
    stop: tuple[Step, ...] = ()
    # Run after the files are removed (systemd re-reads its units).
    after_remove: tuple[Step, ...] = ()
    # Where the agent's log goes, in words for the user.
    logs: str = ""
    # Created before the start (a log directory); left in place by uninstall.
    make_dirs: tuple[Path, ...] = ()
    # Removed by uninstall when it leaves them empty.
    owned_dirs: tuple[Path, ...] = field(default_factory=tuple)


def this_platform() -> Platform:
    if sys.platform == "darwin":
        return "macos"
    if sys.platform == "win32":
        return "windows"
    if sys.platform.startswith("linux"):
        return "linux"
    raise UserError(f"postguard install supports Linux, macOS and Windows, not {sys.platform}")


def agent_command(platform: Platform, python: Path | None = None) -> list[str]:
    """The program and arguments that run ``postguard serve`` from this installation.

    The interpreter that runs ``postguard install`` is the one whose packages hold the agent
    (a venv, a pipx venv): the service needs no PATH.  ``-I`` keeps the working directory
    and PYTHON* variables from choosing what is imported.
    """
    interpreter = python or Path(sys.executable)
    if platform == "windows":
        # pythonw: no console window at every logon; the supervisor keeps the agent's log.
        windowed = interpreter.with_name("pythonw.exe")
        interpreter = windowed if windowed.name != interpreter.name else interpreter
    return [str(interpreter), "-I", "-m", "agent", "serve"]


def pinned_locations(env: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ) if env is None else env
    return {name: env[name] for name in LOCATION_VARS if env.get(name)}


def no_control_characters(value: str, what: str) -> str:
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        raise UserError(f"{what} contains a control character; it cannot go into a service file")
    return value

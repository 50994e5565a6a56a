"""The native messaging host's registration: a wrapper, a host manifest per browser, keys.

Chrome starts a native messaging host only when the host's manifest is where it looks
(a folder per browser on Linux and macOS, a registry key per browser on Windows) and
names the calling extension in ``allowed_origins``.  The manifest's ``path`` must be one
executable, so a small wrapper runs ``python -I -m agent native-host`` from the installation
that ran ``postguard install``, with the locations that shell pinned, like the service.

Registered for the user only, for Google Chrome, Chromium and Microsoft Edge; a browser
that is not installed just never reads its file.  Described here, carried out by ``apply``.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from agent.errors import UserError
from agent.native.host import HOST_NAME
from agent.service.plan import Platform, ServiceFile, Step, no_control_characters

MANIFEST_NAME: Final = f"{HOST_NAME}.json"
# Where each browser reads a user's host manifests (Linux: under $XDG_CONFIG_HOME).
LINUX_BROWSER_DIRS: Final = ("google-chrome", "chromium", "microsoft-edge")
MACOS_BROWSER_DIRS: Final = ("Google/Chrome", "Chromium", "Microsoft Edge")
WINDOWS_BROWSER_KEYS: Final = (
    r"HKCU\Software\Google\Chrome\NativeMessagingHosts",
    r"HKCU\Software\Chromium\NativeMessagingHosts",
    r"HKCU\Software\Microsoft\Edge\NativeMessagingHosts",
)


@dataclass(frozen=True)
class NativeHostPlan:
    files: tuple[ServiceFile, ...]
    register: tuple[Step, ...] = ()
    unregister: tuple[Step, ...] = ()
    owned_dirs: tuple[Path, ...] = ()


def host_command(platform: Platform, agent_command: Sequence[str]) -> list[str]:
    """``python -I -m agent native-host`` with the service's interpreter.

    On Windows the service runs ``pythonw.exe`` (no console); the host needs
    ``python.exe``, whose stdin and stdout are the pipes Chrome talks on.
    """
    python = agent_command[0]
    if platform == "windows" and python.lower().endswith("pythonw.exe"):
        python = python[: -len("pythonw.exe")] + "python.exe"
    return [python, "-I", "-m", "agent", "native-host"]


def manifest_bytes(wrapper: Path, origins: Sequence[str]) -> bytes:
    document = {
        "name": HOST_NAME,
        "description": "PostGuard: pairs the browser extension with this user's agent",
        "path": str(wrapper),
        "type": "stdio",
        # Chrome wants the origin with its trailing slash.
        "allowed_origins": [origin.rstrip("/") + "/" for origin in origins],
    }
    return (json.dumps(document, indent=2) + "\n").encode("utf-8")


def posix_wrapper(command: Sequence[str], environment: Mapping[str, str]) -> bytes:
    lines = ["#!/bin/sh", "# Written by `postguard install`; `postguard uninstall` removes it."]
    for key, value in sorted(environment.items()):
        no_control_characters(value, key)
        lines.append(f"{key}={shlex.quote(value)}; export {key}")
    for word in command:
        no_control_characters(word, repr(word))
    lines.append(f'exec {shlex.join(command)} "$@"')
    return ("\n".join(lines) + "\n").encode("utf-8")


def batch_wrapper(command: Sequence[str], environment: Mapping[str, str]) -> bytes:
    """A ``.bat`` (Chrome runs Windows hosts through ``cmd /c``); ``%`` doubled to stay literal."""

    def literal(value: str) -> str:
        no_control_characters(value, repr(value))
        if '"' in value:
            raise UserError(f"{value!r}: a Windows path cannot contain a double quote")
        return value.replace("%", "%%")

    lines = ["@echo off", "rem Written by `postguard install`; `postguard uninstall` removes it."]
    lines += [f'set "{key}={literal(value)}"' for key, value in sorted(environment.items())]
    lines.append(" ".join(f'"{literal(word)}"' for word in command) + " %*")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def plan(
    platform: Platform,
    agent_command: Sequence[str],
    environment: Mapping[str, str],
    origins: Sequence[str],
    *,
    home: Path,
    env: Mapping[str, str],
) -> NativeHostPlan:
    command = host_command(platform, agent_command)
    if platform == "windows":
        local = env.get("LOCALAPPDATA") or str(home / "AppData" / "Local")
        folder = Path(local) / "PostGuard" / "native-host"
        wrapper = folder / "postguard-native-host.bat"
        manifest = folder / MANIFEST_NAME
        return NativeHostPlan(
            files=(
                ServiceFile(wrapper, batch_wrapper(command, environment)),
                ServiceFile(manifest, manifest_bytes(wrapper, origins)),
            ),
            register=tuple(
                Step(
                    (
                        "reg",
                        "add",
                        rf"{key}\{HOST_NAME}",
                        "/ve",
                        "/t",
                        "REG_SZ",
                        "/d",
                        str(manifest),
                        "/f",
                    )
                )
                for key in WINDOWS_BROWSER_KEYS
            ),
            unregister=tuple(
                Step(("reg", "delete", rf"{key}\{HOST_NAME}", "/f"), may_fail=True)
                for key in WINDOWS_BROWSER_KEYS
            ),
            owned_dirs=(folder,),
        )
    if platform == "macos":
        support = home / "Library" / "Application Support"
        folder = support / "PostGuard" / "native-host"
        manifest_dirs = [support / name / "NativeMessagingHosts" for name in MACOS_BROWSER_DIRS]
    else:
        config = Path(env.get("XDG_CONFIG_HOME") or str(home / ".config"))
        data = Path(env.get("XDG_DATA_HOME") or str(home / ".local" / "share"))
        folder = data / "postguard-native-host"
        manifest_dirs = [config / name / "NativeMessagingHosts" for name in LINUX_BROWSER_DIRS]
    wrapper = folder / "postguard-native-host"
    document = manifest_bytes(wrapper, origins)
    return NativeHostPlan(
        files=(
            ServiceFile(wrapper, posix_wrapper(command, environment), mode=0o755),
            *(ServiceFile(d / MANIFEST_NAME, document) for d in manifest_dirs),
        ),
        owned_dirs=(folder,),
    )

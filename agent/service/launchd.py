"""macOS: a LaunchAgent in the user's ``~/Library/LaunchAgents``, loaded into the GUI session.

launchd starts it at login (``RunAtLoad``) and again whenever it exits with an error
(``KeepAlive`` / ``SuccessfulExit = false``); a clean stop stays stopped.  The plist is
written with ``plistlib``.
"""

from __future__ import annotations

import plistlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Final

from agent.service.plan import ServiceFile, ServicePlan, Step, no_control_characters

LABEL: Final = "com.postguard.agent"


def log_dir(home: Path) -> Path:
    return home / "Library" / "Logs" / "PostGuard"


def plist_bytes(command: Sequence[str], environment: Mapping[str, str], home: Path) -> bytes:
    for word in command:
        no_control_characters(word, repr(word))
    logs = log_dir(home)
    document = {
        "Label": LABEL,
        "ProgramArguments": list(command),
        "RunAtLoad": True,
        "KeepAlive": {"SuccessfulExit": False},
        # launchd's own floor between restarts, so a start that keeps failing is not a busy loop.
        "ThrottleInterval": 10,
        "ProcessType": "Background",
        "EnvironmentVariables": {"PYTHONUNBUFFERED": "1", **dict(environment)},
        "StandardOutPath": str(logs / "agent.log"),
        "StandardErrorPath": str(logs / "agent.log"),
    }
    return plistlib.dumps(document, fmt=plistlib.FMT_XML, sort_keys=True)


def plan(
    command: Sequence[str], environment: Mapping[str, str], *, home: Path, uid: int
) -> ServicePlan:
    path = home / "Library" / "LaunchAgents" / f"{LABEL}.plist"
    domain = f"gui/{uid}"
    return ServicePlan(
        platform="macos",
        files=(ServiceFile(path, plist_bytes(command, environment, home)),),
        # bootout first: bootstrap refuses a label that is already loaded (a re-install).
        start=(
            Step(("launchctl", "bootout", f"{domain}/{LABEL}"), may_fail=True),
            Step(("launchctl", "bootstrap", domain, str(path))),
        ),
        stop=(Step(("launchctl", "bootout", f"{domain}/{LABEL}"), may_fail=True),),
        logs=str(log_dir(home) / "agent.log"),
        make_dirs=(log_dir(home),),  # launchd does not create it
    )

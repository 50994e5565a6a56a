"""Linux: a systemd user unit, enabled for the user's login, restarted after a crash.

``enable`` is the symlink ``default.target.wants/postguard.service``, written like the unit,
so installing works before the user's service manager runs (a deployment tool, a first
login); ``systemctl --user`` then starts it now when a manager is reachable.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Final

from agent.service.plan import ServiceFile, ServicePlan, Step, no_control_characters

UNIT_NAME: Final = "postguard.service"
_BARE: Final = re.compile(r"[A-Za-z0-9_./:=@+,-]+")


def unit_dir(env: Mapping[str, str], home: Path) -> Path:
    """Where systemd reads a user's own units: ``$XDG_CONFIG_HOME/systemd/user``."""
    config = env.get("XDG_CONFIG_HOME") or str(home / ".config")
    return Path(config) / "systemd" / "user"


def quote(word: str) -> str:
    """One word of a unit's command line or Environment=, as systemd reads it back.

    Specifiers (``%``) and variables (``$``) are doubled so a path is taken literally.
    """
    no_control_characters(word, repr(word))
    escaped = word.replace("%", "%%").replace("$", "$$")
    if _BARE.fullmatch(word):
        return escaped
    return '"' + escaped.replace("\\", "\\\\").replace('"', '\\"') + '"'


def unit_text(command: Sequence[str], environment: Mapping[str, str]) -> str:
    env_lines = "".join(
        f"Environment={quote(f'{key}={value}')}\n" for key, value in sorted(environment.items())
    )
    return (
        "# Written by `postguard install`; `postguard uninstall` removes it.\n"
        "[Unit]\n"
        "Description=PostGuard policy agent (checks social media drafts on loopback)\n"
        # A start that keeps failing (a taken port, a refused managed file) stops retrying
        # after 10 attempts in 10 minutes instead of looping for ever; see the journal.
        "StartLimitIntervalSec=600\n"
        "StartLimitBurst=10\n"
        "\n"
        "[Service]\n"
        "Type=exec\n"
        f"ExecStart={' '.join(quote(word) for word in command)}\n"
        "Restart=on-failure\n"
        "RestartSec=5\n"
        "TimeoutStopSec=20\n"
        "Environment=PYTHONUNBUFFERED=1\n"
        f"{env_lines}"
        "NoNewPrivileges=yes\n"
        "\n"
        "[Install]\n"
        "WantedBy=default.target\n"
    )


def plan(
    command: Sequence[str], environment: Mapping[str, str], *, home: Path, env: Mapping[str, str]
) -> ServicePlan:
    units = unit_dir(env, home)
    unit = units / UNIT_NAME
    wants = units / "default.target.wants"
    systemctl = ("systemctl", "--user")
    return ServicePlan(
        platform="linux",
        files=(
            ServiceFile(unit, unit_text(command, environment).encode("utf-8")),
            ServiceFile(wants / UNIT_NAME, link_to=unit),
        ),
        start=(Step((*systemctl, "daemon-reload")), Step((*systemctl, "restart", UNIT_NAME))),
        stop=(Step((*systemctl, "stop", UNIT_NAME), may_fail=True),),
        after_remove=(Step((*systemctl, "daemon-reload"), may_fail=True),),
        logs=f"the user journal: journalctl --user -u {UNIT_NAME}",
        owned_dirs=(wants,),
    )

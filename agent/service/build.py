"""The ServicePlan for this machine (or, for ``--dry-run``, another platform's)."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from pathlib import Path

from agent.config import EXTENSION_ORIGIN
from agent.errors import UserError
from agent.service.plan import (
    Platform,
    ServicePlan,
    agent_command,
    pinned_locations,
    this_platform,
)


def plan_for(
    platform: Platform | None, *, dry_run: bool, origins: Sequence[str] = (EXTENSION_ORIGIN,)
) -> ServicePlan:
    """The service and the browsers' native messaging host; ``origins``: who may call it."""
    service = _service_plan(platform, dry_run=dry_run)
    from agent.service import nativehost

    env = dict(os.environ)
    host = nativehost.plan(
        service.platform,
        agent_command(service.platform),
        pinned_locations(env),
        origins,
        home=Path.home(),
        env=env,
    )
    return dataclasses.replace(
        service,
        files=(*service.files, *host.files),
        register=(*service.register, *host.register),
        stop=(*service.stop, *host.unregister),
        owned_dirs=(*service.owned_dirs, *host.owned_dirs),
    )


def _service_plan(platform: Platform | None, *, dry_run: bool) -> ServicePlan:
    native = this_platform()
    target = platform or native
    if target != native and not dry_run:
        raise UserError(f"--platform {target} only shows files (--dry-run); this is {native}")
    env = dict(os.environ)
    home = Path.home()
    command = agent_command(target)
    pinned = pinned_locations(env)
    if target == "linux":
        from agent.service import systemd

        return systemd.plan(command, pinned, home=home, env=env)
    if target == "macos":
        from agent.service import launchd

        uid = os.getuid() if hasattr(os, "getuid") else 501
        return launchd.plan(command, pinned, home=home, uid=uid)
    from agent.config import os_account
    from agent.service import taskscheduler

    user = env.get("USERDOMAIN", "") + "\\" + os_account() if target == native else os_account()
    return taskscheduler.plan(command, pinned, home=home, env=env, user=user)

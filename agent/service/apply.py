"""Carry out a ServicePlan: write or remove its files, run its service manager commands.

Installing twice writes nothing the second time and says so; uninstalling removes only
the files the plan names (and directories it owns that are left empty), so it is safe to
run on a machine where nothing was installed.  A service manager command that fails to
start the agent now is reported in one line; the files stay, so the agent starts at the
next login.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from collections.abc import Callable
from typing import Final

from agent.errors import UserError
from agent.service.plan import ServiceFile, ServicePlan, Step

COMMAND_TIMEOUT_S: Final = 60.0
Say = Callable[[str], None]


def show_command(step: Step) -> str:
    return shlex.join(step.argv)


def install(plan: ServicePlan, *, dry_run: bool, say: Say, warn: Say) -> None:
    for item in plan.files:
        _write(item, dry_run=dry_run, say=say)
    for step in plan.register:
        if dry_run:
            say(f"would run: {show_command(step)}")
            continue
        problem = _run(step)
        if problem:
            warn(
                f"could not register the browser's native messaging host ({show_command(step)}: "
                f"{problem}); the extension pairs with a code instead"
            )
    for directory in plan.make_dirs:
        if dry_run:
            say(f"would create {directory}/ (for the log)")
        else:
            directory.mkdir(parents=True, exist_ok=True)
    for step in plan.start:
        if dry_run:
            say(f"would run: {show_command(step)}")
            continue
        problem = _run(step)
        if problem and not step.may_fail:
            warn(
                f"installed, but starting it now failed ({show_command(step)}: {problem}); "
                "it starts at the next login"
            )
            break
    if not dry_run:
        say(f"logs: {plan.logs}")


def uninstall(plan: ServicePlan, *, dry_run: bool, say: Say) -> None:
    present = [item for item in plan.files if item.path.is_symlink() or item.path.exists()]
    for step in plan.stop:
        if dry_run:
            say(f"would run: {show_command(step)}")
        else:
            _run(step)
    for item in present:
        if dry_run:
            say(f"would remove {item.path}")
            continue
        item.path.unlink(missing_ok=True)
        say(f"removed {item.path}")
    for directory in plan.owned_dirs:
        if not dry_run and directory.is_dir() and not any(directory.iterdir()):
            directory.rmdir()
    for step in plan.after_remove:
        if dry_run:
            say(f"would run: {show_command(step)}")
        else:
            _run(step)
    if not present and not dry_run:
        say("nothing to remove: the agent was not installed as a service for this user")


def _write(item: ServiceFile, *, dry_run: bool, say: Say) -> None:
    if item.link_to is not None:
        current = os.readlink(item.path) if item.path.is_symlink() else None
        if current == str(item.link_to):
            say(f"unchanged {item.path} -> {item.link_to}")
        elif dry_run:
            say(f"would link {item.path} -> {item.link_to}")
        else:
            if item.path.exists() and not item.path.is_symlink():
                raise UserError(f"{item.path} exists and is not a link; remove it first")
            item.path.parent.mkdir(parents=True, exist_ok=True)
            item.path.unlink(missing_ok=True)
            item.path.symlink_to(item.link_to)
            say(f"linked {item.path} -> {item.link_to}")
        return
    try:
        current_bytes = item.path.read_bytes()
    except FileNotFoundError:
        current_bytes = None
    except OSError as exc:
        raise UserError(f"cannot read {item.path}: {exc.strerror}") from None
    if current_bytes == item.content and (item.mode is None or _mode(item) == item.mode):
        say(f"unchanged {item.path}")
        return
    if dry_run:
        say(f"would write {item.path}:")
        say(_printable(item.content))
        return
    try:
        item.path.parent.mkdir(parents=True, exist_ok=True)
        staging = item.path.with_name(item.path.name + ".tmp")
        staging.write_bytes(item.content)
        if item.mode is not None:
            staging.chmod(item.mode)
        os.replace(staging, item.path)
    except OSError as exc:
        raise UserError(f"cannot write {item.path}: {exc.strerror}") from None
    say(f"wrote {item.path}")


def _mode(item: ServiceFile) -> int:
    return item.path.stat().st_mode & 0o777


def _printable(content: bytes) -> str:
    for encoding in ("utf-8", "utf-16"):
        try:
            return content.decode(encoding).rstrip("\n")
        except UnicodeDecodeError:
            continue
    return f"({len(content)} bytes)"


def _run(step: Step) -> str | None:
    """None when the command succeeded; else its first line of complaint."""
    program = shutil.which(step.argv[0])
    if program is None:
        return f"{step.argv[0]} not found"
    try:
        done = subprocess.run(  # noqa: S603 - a fixed service manager command, no shell
            [program, *step.argv[1:]],
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return f"no answer within {COMMAND_TIMEOUT_S:.0f} s"
    except OSError as exc:
        return exc.strerror or str(exc)
    if done.returncode == 0:
        return None
    lines = (done.stderr or done.stdout).strip().splitlines()
    return (lines[0][:200] if lines else f"exit {done.returncode}").strip()

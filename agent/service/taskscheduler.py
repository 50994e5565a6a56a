"""Windows: a Task Scheduler task that runs at the user's logon, as the user, unelevated.

The task runs the agent under ``agent.service.supervise``, which restarts it after a crash
and keeps its log: Task Scheduler's own restart setting covers a task that fails to start,
not an agent that dies later.  A logon task is used rather than an HKCU ``Run`` entry for
that reason, and because it can be stopped and inspected (``schtasks /Query``).  The task
definition is Task Scheduler XML, written with ElementTree, in UTF-16 as ``schtasks /XML``
expects.
"""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Final

from agent.service.plan import ServiceFile, ServicePlan, Step, no_control_characters

TASK_NAME: Final = r"\PostGuard\Agent"
_NS: Final = "http://schemas.microsoft.com/windows/2004/02/mit/task"


def app_dir(env: Mapping[str, str], home: Path) -> Path:
    local = env.get("LOCALAPPDATA") or str(home / "AppData" / "Local")
    return Path(local) / "PostGuard"


def supervised(command: Sequence[str], log: Path) -> list[str]:
    """``command`` (``python -I -m agent serve``) run under the supervisor, logging to ``log``."""
    python, *_ = command
    return [python, "-I", "-m", "agent.service.supervise", "--log", str(log), "--", *command]


def task_xml(command: Sequence[str], user: str, environment: Mapping[str, str]) -> bytes:
    for word in (*command, user):
        no_control_characters(word, repr(word))
    ET.register_namespace("", _NS)

    def sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
        element = ET.SubElement(parent, f"{{{_NS}}}{tag}")
        if text is not None:
            element.text = text
        return element

    task = ET.Element(f"{{{_NS}}}Task", {"version": "1.2"})
    info = sub(task, "RegistrationInfo")
    sub(info, "Description", "PostGuard policy agent. Written by `postguard install`.")
    triggers = sub(task, "Triggers")
    logon = sub(triggers, "LogonTrigger")
    sub(logon, "Enabled", "true")
    sub(logon, "UserId", user)
    principal = sub(sub(task, "Principals"), "Principal", None)
    principal.set("id", "Author")
    sub(principal, "UserId", user)
    sub(principal, "LogonType", "InteractiveToken")
    sub(principal, "RunLevel", "LeastPrivilege")
    settings = sub(task, "Settings")
    sub(settings, "MultipleInstancesPolicy", "IgnoreNew")
    sub(settings, "DisallowStartIfOnBatteries", "false")
    sub(settings, "StopIfGoingOnBatteries", "false")
    sub(settings, "AllowHardTerminate", "true")
    sub(settings, "StartWhenAvailable", "true")
    sub(settings, "AllowStartOnDemand", "true")
    sub(settings, "Enabled", "true")
    sub(settings, "Hidden", "false")
    sub(settings, "ExecutionTimeLimit", "PT0S")  # no limit: it runs for the whole session
    restart = sub(settings, "RestartOnFailure")
    sub(restart, "Interval", "PT1M")
    sub(restart, "Count", "999")
    actions = sub(task, "Actions", None)
    actions.set("Context", "Author")
    exec_ = sub(actions, "Exec")
    program, *arguments = command
    sub(exec_, "Command", program)
    sub(exec_, "Arguments", _with_environment(arguments, environment))
    ET.indent(task)
    body = ET.tostring(task, encoding="unicode", xml_declaration=False)
    return ('<?xml version="1.0" encoding="UTF-16"?>\n' + body + "\n").encode("utf-16")


def _with_environment(arguments: Sequence[str], environment: Mapping[str, str]) -> str:
    """Task actions carry no environment: pinned locations go to the supervisor as options."""
    pinned = [f"--env={key}={value}" for key, value in sorted(environment.items())]
    # Words before "--" are the supervisor's options; the agent's command follows it.
    words = list(arguments)
    split = words.index("--") if "--" in words else len(words)
    return subprocess.list2cmdline([*words[:split], *pinned, *words[split:]])


def plan(
    command: Sequence[str],
    environment: Mapping[str, str],
    *,
    home: Path,
    env: Mapping[str, str],
    user: str,
) -> ServicePlan:
    directory = app_dir(env, home)
    log = directory / "logs" / "agent.log"
    xml_path = directory / "postguard-task.xml"
    schtasks = "schtasks"
    return ServicePlan(
        platform="windows",
        files=(ServiceFile(xml_path, task_xml(supervised(command, log), user, environment)),),
        start=(
            Step((schtasks, "/Create", "/TN", TASK_NAME, "/XML", str(xml_path), "/F")),
            Step((schtasks, "/End", "/TN", TASK_NAME), may_fail=True),
            Step((schtasks, "/Run", "/TN", TASK_NAME)),
        ),
        stop=(
            Step((schtasks, "/End", "/TN", TASK_NAME), may_fail=True),
            Step((schtasks, "/Delete", "/TN", TASK_NAME, "/F"), may_fail=True),
        ),
        logs=str(log),
        make_dirs=(log.parent,),
        owned_dirs=(directory,),
    )

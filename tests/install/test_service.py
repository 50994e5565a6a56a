"""``postguard install`` / ``uninstall``: the Linux unit for real under a tmp HOME (written,
verified by systemd, its ExecStart started); the macOS and Windows files as generated."""

from __future__ import annotations

import os
import plistlib
import shlex
import shutil
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from install_support import free_port, health, isolated_env, stop, wait_healthy

from agent.service import launchd, taskscheduler
from agent.service.plan import agent_command

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="systemd")


def postguard(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "agent", *args],
        env={**env, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def machine(tmp_path: Path, data_name: str = "data") -> tuple[dict[str, str], int]:
    """A user with pinned PostGuard locations and a settings file that picks a free port."""
    port = free_port()
    env = isolated_env(tmp_path, port)
    del env["POSTGUARD_PORT"]  # the service reads the port from the settings file, as deployed
    config = tmp_path / "pg config"
    config.mkdir()
    (config / "config.toml").write_text(f"port = {port}\n", encoding="utf-8")
    env.update(
        POSTGUARD_CONFIG_DIR=str(config),
        POSTGUARD_SITE_CONFIG_DIR=str(tmp_path / "managed"),
        POSTGUARD_DATA_DIR=str(tmp_path / data_name),
    )
    return env, port


def unit_path(env: dict[str, str]) -> Path:
    return Path(env["XDG_CONFIG_HOME"]) / "systemd" / "user" / "postguard.service"


def unit_exec(unit: str) -> tuple[list[str], dict[str, str]]:
    """ExecStart and Environment= of the unit, read back as systemd reads our quoting."""

    def words(value: str) -> list[str]:
        return [w.replace("%%", "%").replace("$$", "$") for w in shlex.split(value)]

    command: list[str] = []
    environment: dict[str, str] = {}
    for line in unit.splitlines():
        key, _, value = line.partition("=")
        if key == "ExecStart":
            command = words(value)
        elif key == "Environment":
            name, _, setting = words(value)[0].partition("=")
            environment[name] = setting
    return command, environment


@linux_only
def test_install_writes_an_enabled_user_unit_once(tmp_path: Path) -> None:
    env, _ = machine(tmp_path)
    dry = postguard(env, "install", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "would write" in dry.stdout and "ExecStart=" in dry.stdout
    assert not (tmp_path / "home" / ".config").exists(), "a dry run writes nothing"

    first = postguard(env, "install")
    assert first.returncode == 0, first.stderr
    unit = unit_path(env)
    link = unit.parent / "default.target.wants" / "postguard.service"
    assert unit.is_file() and link.is_symlink() and link.resolve() == unit
    text = unit.read_text()
    assert "Restart=on-failure" in text and "WantedBy=default.target" in text
    assert f"wrote {unit}" in first.stdout

    before = unit.stat().st_mtime_ns
    again = postguard(env, "install")
    assert again.returncode == 0, again.stderr
    assert f"unchanged {unit}" in again.stdout and f"unchanged {link}" in again.stdout
    assert unit.stat().st_mtime_ns == before
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    hosts = [
        Path(f"home/.config/{browser}/NativeMessagingHosts/com.postguard.agent.json")
        for browser in ("chromium", "google-chrome", "microsoft-edge")
    ]
    assert written == [
        *hosts,
        link.relative_to(tmp_path),
        unit.relative_to(tmp_path),
        Path("home/.local/share/postguard-native-host/postguard-native-host"),
        Path("pg config/config.toml"),
    ]


@linux_only
@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_systemd_accepts_the_unit(tmp_path: Path) -> None:
    env, _ = machine(tmp_path, data_name="data 100% $HOME")
    assert postguard(env, "install").returncode == 0
    verify = subprocess.run(
        ["systemd-analyze", "verify", str(unit_path(env))],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert verify.returncode == 0 and verify.stderr == "", verify.stderr


@linux_only
@pytest.mark.slow
def test_the_units_exec_start_runs_the_agent(tmp_path: Path) -> None:
    env, port = machine(tmp_path, data_name="data 100% $HOME")
    assert postguard(env, "install").returncode == 0
    command, environment = unit_exec(unit_path(env).read_text())
    assert command == agent_command("linux")
    assert environment["POSTGUARD_DATA_DIR"] == str(tmp_path / "data 100% $HOME")
    service_env = {k: v for k, v in env.items() if not k.startswith("POSTGUARD_")}
    log = tmp_path / "agent.log"
    with log.open("wb") as out:
        agent = subprocess.Popen(
            command, env={**service_env, **environment}, cwd="/", stdout=out, stderr=out
        )
    try:
        wait_healthy(port, agent, log)
        assert (tmp_path / "data 100% $HOME").is_dir(), "the agent uses the pinned data dir"
    finally:
        stop(agent)


@linux_only
def test_uninstall_removes_everything_install_wrote(tmp_path: Path) -> None:
    env, _ = machine(tmp_path)
    assert postguard(env, "install").returncode == 0
    units = unit_path(env).parent
    dry = postguard(env, "uninstall", "--dry-run")
    assert f"would remove {unit_path(env)}" in dry.stdout and unit_path(env).exists()
    done = postguard(env, "uninstall")
    assert done.returncode == 0, done.stderr
    assert not unit_path(env).exists()
    assert not (units / "default.target.wants").exists()
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == [tmp_path / "pg config/config.toml"]
    again = postguard(env, "uninstall")
    assert again.returncode == 0 and "nothing to remove" in again.stdout


def test_another_platform_only_with_dry_run(tmp_path: Path) -> None:
    env, _ = machine(tmp_path)
    other = "windows" if sys.platform != "win32" else "linux"
    refused = postguard(env, "install", "--platform", other)
    assert refused.returncode == 2 and "only shows files (--dry-run)" in refused.stderr
    shown = postguard(env, "install", "--dry-run", "--platform", "macos")
    assert shown.returncode == 0, shown.stderr
    assert "com.postguard.agent.plist" in shown.stdout and "<key>KeepAlive</key>" in shown.stdout


# -- macOS: the LaunchAgent ---------------------------------------------------------------------


def test_the_launch_agent_starts_at_login_and_after_a_crash(tmp_path: Path) -> None:
    command = ["/Users/jane/.local/pipx/venvs/postguard/bin/python", "-I", "-m", "agent", "serve"]
    plan = launchd.plan(command, {"POSTGUARD_DATA_DIR": "/tmp/d"}, home=tmp_path, uid=501)
    (item,) = plan.files
    assert item.path == tmp_path / "Library/LaunchAgents/com.postguard.agent.plist"
    plist = plistlib.loads(item.content)
    assert plist["Label"] == "com.postguard.agent"
    assert plist["ProgramArguments"] == command
    assert plist["RunAtLoad"] is True
    assert plist["KeepAlive"] == {"SuccessfulExit": False}
    assert plist["EnvironmentVariables"]["POSTGUARD_DATA_DIR"] == "/tmp/d"
    log = str(tmp_path / "Library/Logs/PostGuard/agent.log")
    assert plist["StandardErrorPath"] == plist["StandardOutPath"] == log
    assert [s.argv for s in plan.start] == [
        ("launchctl", "bootout", "gui/501/com.postguard.agent"),
        ("launchctl", "bootstrap", "gui/501", str(item.path)),
    ]
    assert [s.argv for s in plan.stop] == [("launchctl", "bootout", "gui/501/com.postguard.agent")]


# -- Windows: the logon task and its supervisor -------------------------------------------------

NS = {"t": "http://schemas.microsoft.com/windows/2004/02/mit/task"}


def test_the_logon_task_runs_the_supervised_agent_as_the_user(tmp_path: Path) -> None:
    command = [
        r"C:\Users\jane\pipx\venvs\postguard\Scripts\pythonw.exe",
        "-I",
        "-m",
        "agent",
        "serve",
    ]
    env = {"LOCALAPPDATA": str(tmp_path / "Local")}
    plan = taskscheduler.plan(
        command, {"POSTGUARD_DATA_DIR": r"D:\pg data"}, home=tmp_path, env=env, user=r"CORP\jane"
    )
    (item,) = plan.files
    assert item.path == tmp_path / "Local/PostGuard/postguard-task.xml"
    assert item.content.startswith("\ufeff".encode("utf-16")[:2])  # UTF-16, as schtasks wants
    task = ET.fromstring(item.content.decode("utf-16").split("\n", 1)[1])
    assert task.findtext("t:Triggers/t:LogonTrigger/t:UserId", namespaces=NS) == r"CORP\jane"
    principal = task.find("t:Principals/t:Principal", NS)
    assert principal is not None
    assert principal.findtext("t:RunLevel", namespaces=NS) == "LeastPrivilege"
    assert principal.findtext("t:LogonType", namespaces=NS) == "InteractiveToken"
    assert task.findtext("t:Settings/t:ExecutionTimeLimit", namespaces=NS) == "PT0S"
    assert task.findtext("t:Settings/t:RestartOnFailure/t:Count", namespaces=NS) == "999"
    assert task.findtext("t:Actions/t:Exec/t:Command", namespaces=NS) == command[0]
    arguments = task.findtext("t:Actions/t:Exec/t:Arguments", namespaces=NS)
    log = tmp_path / "Local/PostGuard/logs/agent.log"
    assert arguments == subprocess.list2cmdline(
        ["-I", "-m", "agent.service.supervise", "--log", str(log),
         r"--env=POSTGUARD_DATA_DIR=D:\pg data", "--", *command]
    )  # fmt: skip
    assert [s.argv[:2] for s in plan.start] == [
        ("schtasks", "/Create"), ("schtasks", "/End"), ("schtasks", "/Run")
    ]  # fmt: skip
    assert ("schtasks", "/Delete", "/TN", r"\PostGuard\Agent", "/F") in [s.argv for s in plan.stop]


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="kills with SIGKILL")
def test_the_supervisor_restarts_a_crashed_agent_and_stops_with_it(tmp_path: Path) -> None:
    env, port = machine(tmp_path)
    log = tmp_path / "logs" / "agent.log"
    supervisor = subprocess.Popen(
        [sys.executable, "-I", "-m", "agent.service.supervise", "--log", str(log),
         f"--env=POSTGUARD_DATA_DIR={tmp_path / 'data'}", "--", *agent_command("linux")],
        env={k: v for k, v in env.items() if k != "POSTGUARD_DATA_DIR"},
        cwd=tmp_path,
    )  # fmt: skip
    try:
        wait_healthy(port, supervisor, log)
        first = _agent_pid(supervisor.pid)
        assert first is not None
        os.kill(first, signal.SIGKILL)  # a crash
        deadline = time.monotonic() + 30
        while health(port) != 200 or _agent_pid(supervisor.pid) in (first, None):
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        assert "the agent exited with -9" in log.read_text()
        second = _agent_pid(supervisor.pid)
        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(timeout=30) == 0
        assert second is not None and not Path(f"/proc/{second}").exists()
    finally:
        stop(supervisor)


def _agent_pid(parent: int) -> int | None:
    children = Path(f"/proc/{parent}/task/{parent}/children")
    pids = children.read_text().split() if children.exists() else []
    return int(pids[0]) if pids else None

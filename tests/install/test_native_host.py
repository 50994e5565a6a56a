"""The native messaging host: registered by ``postguard install`` for each browser, removed by
``uninstall``, and answering Chrome's framing through the wrapper it registered, against a
real agent (real processes, a tmp HOME)."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from install_support import stop, wait_healthy
from test_service import machine, postguard

from agent.service import nativehost
from agent.service.plan import agent_command

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux paths")
OURS = "chrome-extension://fmiiiaehnajkhelcmmjanpbbckoigbbd"
IT_BUILD = "chrome-extension://abcdefghijklmnopabcdefghijklmnop"
BROWSERS = ("google-chrome", "chromium", "microsoft-edge")


def manifests(env: dict[str, str]) -> list[Path]:
    config = Path(env["XDG_CONFIG_HOME"])
    return [config / b / "NativeMessagingHosts" / "com.postguard.agent.json" for b in BROWSERS]


def wrapper(env: dict[str, str]) -> Path:
    return Path(env["XDG_DATA_HOME"]) / "postguard-native-host" / "postguard-native-host"


def frame(body: bytes) -> bytes:
    return struct.pack("=I", len(body)) + body


def ask(
    program: list[str], env: dict[str, str], data: bytes, origin: str = OURS + "/"
) -> tuple[int, dict[str, object], float]:
    """Run the host as Chrome does (origin as the argument); its exit code, reply, seconds."""
    started = time.monotonic()
    done = subprocess.run(
        [*program, origin], input=data, env=env, capture_output=True, timeout=60, check=False
    )
    elapsed = time.monotonic() - started
    (length,) = struct.unpack("=I", done.stdout[:4])
    assert len(done.stdout) == 4 + length, "one frame, nothing else on stdout"
    return done.returncode, json.loads(done.stdout[4:]), elapsed


@linux_only
def test_install_registers_the_host_for_each_browser_and_uninstall_removes_it(
    tmp_path: Path,
) -> None:
    env, port = machine(tmp_path)
    config = Path(env["POSTGUARD_CONFIG_DIR"]) / "config.toml"
    config.write_text(f'port = {port}\nallowed_origins = ["{OURS}", "{IT_BUILD}"]\n')
    assert postguard(env, "install").returncode == 0
    script = wrapper(env)
    assert script.stat().st_mode & 0o777 == 0o755
    text = script.read_text()
    assert text.startswith("#!/bin/sh\n")
    assert f"POSTGUARD_DATA_DIR={tmp_path / 'data'}; export POSTGUARD_DATA_DIR" in text
    assert text.rstrip().endswith('-I -m agent native-host "$@"')
    for path in manifests(env):
        document = json.loads(path.read_text())
        assert document == {
            "name": "com.postguard.agent",
            "description": document["description"],
            "path": str(script),
            "type": "stdio",
            "allowed_origins": [OURS + "/", IT_BUILD + "/"],
        }
    again = postguard(env, "install")
    assert f"unchanged {script}" in again.stdout

    done = postguard(env, "uninstall")
    assert done.returncode == 0, done.stderr
    assert not any(p.exists() for p in [script, *manifests(env)])
    assert not script.parent.exists()


@linux_only
@pytest.mark.slow
def test_the_registered_wrapper_pairs_against_the_real_agent(tmp_path: Path) -> None:
    env, port = machine(tmp_path)
    assert postguard(env, "install").returncode == 0
    # Chrome starts the host with its own environment: nothing of PostGuard's in it.
    browser_env = {k: v for k, v in env.items() if not k.startswith("POSTGUARD_")}
    host = [str(wrapper(env))]

    code, reply, _ = ask(host, browser_env, frame(b'{"type": "pair"}'))
    assert code == 1 and reply["error"] == {
        "code": "agent_not_running",
        "message": f"nothing answers on 127.0.0.1:{port}: the PostGuard agent is not running",
    }
    assert reply["port"] == port
    assert not (tmp_path / "data" / "pairing.json").exists(), "no code for an absent agent"

    log = tmp_path / "agent.log"
    with log.open("wb") as out:
        agent = subprocess.Popen(
            agent_command("linux"), env=env, cwd=tmp_path, stdout=out, stderr=out
        )
    try:
        wait_healthy(port, agent, log)
        code, reply, _ = ask(host, browser_env, frame(b'{"type": "pair"}'))
        assert code == 0 and reply["ok"] is True and reply["port"] == port, reply
        # The code is the agent's pending one: the agent takes it (the script form).
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/v1/pair",
            data=json.dumps({"code": reply["code"]}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200 and json.load(response)["token"]

        code, reply, _ = ask(host, browser_env, frame(b'{"type":"port"}'))
        assert (code, reply) == (0, {"ok": True, "port": port})
        code, reply, _ = ask(host, browser_env, frame(b'{"type":"pair"}'), origin=IT_BUILD + "/")
        assert code == 1 and reply["error"]["code"] == "not_allowed"  # type: ignore[index]
    finally:
        stop(agent)


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (struct.pack("=I", 1 << 30), "over the 4096-byte limit"),
        (struct.pack("=I", 50) + b'{"type": "pa', "the input ended inside the message"),
        (b"\x01\x00", "the input ended inside the length"),
        (frame(b'{"type": "pair", "extra": 1}'), "extra: Extra inputs are not permitted"),
        (frame(b'{"type": "token"}'), "type: Input should be 'pair' or 'port'"),
        (frame(b"\xff\xfe{}"), "Invalid JSON"),
        (frame(b"[" * 2000 + b"]" * 2000), "recursion limit exceeded"),
    ],
)
def test_bad_frames_get_one_line_and_no_code(tmp_path: Path, data: bytes, why: str) -> None:
    env, _ = machine(tmp_path)
    code, reply, elapsed = ask([sys.executable, "-m", "agent", "native-host"], env, data)
    assert code == 1 and reply["ok"] is False, reply
    error = reply["error"]
    assert isinstance(error, dict) and error["code"] == "bad_request"
    assert why in error["message"] and "\n" not in error["message"]
    assert elapsed < 30
    assert not (tmp_path / "data" / "pairing.json").exists()


def test_the_windows_host_is_a_batch_file_registered_for_each_browser(tmp_path: Path) -> None:
    command = [r"C:\Users\jane\pg\Scripts\pythonw.exe", "-I", "-m", "agent", "serve"]
    plan = nativehost.plan(
        "windows",
        command,
        {"POSTGUARD_DATA_DIR": r"D:\pg 100%"},
        [OURS],
        home=tmp_path,
        env={"LOCALAPPDATA": r"C:\Users\jane\AppData\Local"},
    )
    batch, manifest = plan.files
    assert batch.path.name == "postguard-native-host.bat"
    assert batch.content.decode().split("\r\n")[2:4] == [
        r'set "POSTGUARD_DATA_DIR=D:\pg 100%%"',
        r'"C:\Users\jane\pg\Scripts\python.exe" "-I" "-m" "agent" "native-host" %*',
    ]  # python.exe, not the service's pythonw.exe: Chrome talks on its stdin and stdout
    assert json.loads(manifest.content)["path"] == str(batch.path)
    keys = [step.argv[2] for step in plan.register]
    assert keys == [
        r"HKCU\Software\Google\Chrome\NativeMessagingHosts\com.postguard.agent",
        r"HKCU\Software\Chromium\NativeMessagingHosts\com.postguard.agent",
        r"HKCU\Software\Microsoft\Edge\NativeMessagingHosts\com.postguard.agent",
    ]
    assert all(step.argv[-3:] == ("/d", str(manifest.path), "/f") for step in plan.register)
    assert [s.argv[:3] for s in plan.unregister] == [("reg", "delete", k) for k in keys]
    assert all(s.may_fail for s in plan.unregister)


def test_the_macos_host_manifests_go_where_each_browser_reads_them(tmp_path: Path) -> None:
    plan = nativehost.plan("macos", ["/usr/bin/python3"], {}, [OURS], home=tmp_path, env={})
    support = tmp_path / "Library" / "Application Support"
    assert [f.path for f in plan.files[1:]] == [
        support / name / "NativeMessagingHosts" / "com.postguard.agent.json"
        for name in ("Google/Chrome", "Chromium", "Microsoft Edge")
    ]
    assert plan.files[0].mode == 0o755 and plan.register == ()

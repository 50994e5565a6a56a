"""`postguard sync` and `postguard status` against a site served by Python's own static
file server (any static server hosts a site unchanged)."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sync_support import Publisher, closed_port

from agent.cli import main

NOW = datetime.now(UTC)


@pytest.fixture
def http_server(publisher: Publisher) -> Iterator[str]:
    publisher.site.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-u",
            "-m",
            "http.server",
            "0",
            "--bind",
            "127.0.0.1",
            "-d",
            str(publisher.site),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    match = re.search(r"port (\d+)", proc.stdout.readline())
    assert match, "http.server did not start"
    yield f"http://127.0.0.1:{match.group(1)}/index.json"
    proc.kill()
    proc.wait()
    proc.stdout.close()


@pytest.fixture
def agent_env(
    tmp_path: Path,
    publisher: Publisher,
    http_server: str,
    monkeypatch: pytest.MonkeyPatch,
    no_keyring: None,
) -> Path:
    managed = tmp_path / "managed"
    managed.mkdir()
    keys = ", ".join(f'"{k}"' for k in publisher.public_keys)
    (managed / "config.toml").write_text(
        f'port = {closed_port()}\n[sync]\nindex_url = "{http_server}"\ntrusted_keys = [{keys}]\n'
    )
    monkeypatch.setenv("POSTGUARD_SITE_CONFIG_DIR", str(managed))
    monkeypatch.setenv("POSTGUARD_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("POSTGUARD_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


@pytest.mark.slow
def test_sync_and_status_from_the_command_line(
    agent_env: Path, publisher: Publisher, capsys: pytest.CaptureFixture[str]
) -> None:
    publisher.publish("1.0.0", now=NOW)
    assert main(["sync"]) == 0
    out = capsys.readouterr().out
    assert "sync updated: activated serial 1: acme 1.0.0" in out

    assert main(["sync"]) == 0
    assert "sync up to date" in capsys.readouterr().out

    publisher.publish("1.1.0", now=NOW)
    (publisher.site / "index.json.sig").unlink()
    assert main(["sync"]) == 1
    out = capsys.readouterr().out
    assert "sync refused: the pack index is not signed" in out
    assert "active packs: acme 1.0.0" in out and "last good packs stay active" in out

    assert main(["status"]) == 1  # not running, and sync is failing
    out = capsys.readouterr().out
    assert re.search(r"agent:\s+not running", out)
    assert re.search(r"packs:\s+acme 1.0.0", out)
    assert re.search(r"sync:\s+error", out)
    assert re.search(r"last error:\s+the pack index is not signed", out)


def test_sync_without_configuration_is_a_one_line_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("POSTGUARD_SITE_CONFIG_DIR", str(tmp_path / "none"))
    monkeypatch.setenv("POSTGUARD_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("POSTGUARD_DATA_DIR", str(tmp_path / "data"))
    for name in ("POSTGUARD_SYNC__INDEX_URL", "POSTGUARD_SYNC__TRUSTED_KEYS"):
        monkeypatch.delenv(name, raising=False)
    assert main(["sync"]) == 2
    assert "sync is not configured" in capsys.readouterr().err


@pytest.mark.usefixtures("no_keyring")
def test_status_before_any_sync_names_the_packs_the_agent_would_serve(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    managed = tmp_path / "managed"
    managed.mkdir()
    (managed / "config.toml").write_text(f"port = {closed_port()}\n")
    monkeypatch.setenv("POSTGUARD_SITE_CONFIG_DIR", str(managed))
    monkeypatch.setenv("POSTGUARD_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("POSTGUARD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("POSTGUARD_PACK_DIRS", raising=False)
    assert main(["status"]) == 1  # the agent is not running
    out = capsys.readouterr().out
    assert re.search(r"packs:\s+baseline \S+ \(served when the agent starts\)", out)

    monkeypatch.setenv("POSTGUARD_PACK_DIRS", str(tmp_path / "missing"))
    assert main(["status"]) == 1
    out = capsys.readouterr().out
    assert re.search(
        r"packs:\s+the configured packs do not load, so the agent would not start", out
    )


# -- `postguard check` meets the packs the agent enforces ---------------------------------------


def _check(cli_args: list[str], text: str, monkeypatch: pytest.MonkeyPatch) -> int:
    import io

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    return main(["check", *cli_args])


@pytest.mark.slow
def test_check_uses_the_synced_packs_and_bundled_on_request(
    agent_env: Path,
    publisher: Publisher,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    post = "we ship project acme 1x0x0 soon\n"
    # Never synced: the configured packs (here the bundled baseline), like the agent.
    assert _check([], post, monkeypatch) == 0
    assert capsys.readouterr().out.rstrip().endswith(f"packs: baseline {_baseline()}")

    publisher.publish("1.0.0", now=NOW)
    assert main(["sync"]) == 0
    capsys.readouterr()
    assert _check([], post, monkeypatch) == 1
    out = capsys.readouterr().out
    assert "confidential.codename (acme)" in out
    assert out.rstrip().endswith("packs: acme 1.0.0")

    assert _check(["--bundled"], post, monkeypatch) == 0
    assert capsys.readouterr().out.rstrip().endswith(f"packs: baseline {_baseline()}")


def test_bundled_and_pack_are_exclusive(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["check", "--bundled", "--pack", "x"])
    assert exc.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def _baseline() -> str:
    from agent.packs import load_pack_set
    from agent.paths import BUNDLED_PACKS

    return str(load_pack_set(list(BUNDLED_PACKS)).packs[0].meta.version)


# -- `postguard status` exits non-zero when the agent is down or sync is failing ----------------


@pytest.mark.slow
def test_status_exits_1_while_the_running_agent_cannot_sync(
    agent_env: Path, publisher: Publisher, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    publisher.publish("1.0.0", now=NOW)
    assert main(["sync"]) == 0
    log = tmp_path / "agent.log"
    with log.open("wb") as out:
        agent = subprocess.Popen([sys.executable, "-m", "agent", "serve"], stdout=out, stderr=out)
    try:
        deadline = time.monotonic() + 30
        code = main(["status"])
        while "agent:           running" not in (shown := capsys.readouterr().out):
            assert agent.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
            code = main(["status"])
        assert code == 0, shown
        assert re.search(r"sync:\s+ok", shown)

        # The pack server loses its site: every sync now fails, the packs stay.
        for name in ("index.json", "index.json.sig"):
            (publisher.site / name).unlink()
        assert main(["sync"]) == 1
        capsys.readouterr()
        assert main(["status"]) == 1
        shown = capsys.readouterr().out
        assert re.search(r"agent:\s+running", shown) and re.search(r"sync:\s+error", shown)
        assert main(["status", "--json"]) == 1
    finally:
        agent.terminate()
        agent.wait(timeout=20)

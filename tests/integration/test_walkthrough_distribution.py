"""Issue 4, "Done when": following docs/distribution.md and docs/events.md step by step, a
newcomer signs and serves the packs, points an agent at them, sees the synced versions in
``postguard status``, enrols with a collector, overrides through the API, and finds the
override in the collector's HTML report.

Commands come from the pages themselves (only host names, ports, paths and tokens are
replaced), so a step that stops working verbatim fails here.
"""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
import sys
import tomllib
from pathlib import Path

import pytest
from cli_support import POSTGUARD, Home, free_port, wait_for
from doc_commands import commands, shell_blocks
from walkthrough_support import DOCS, pair_and_override

from agent.events.upload_enrolment import dump_toml

REPO = DOCS.parent
DISTRIBUTION = (DOCS / "distribution.md").read_text(encoding="utf-8")
EVENTS = (DOCS / "events.md").read_text(encoding="utf-8")
# The upload must not wait for the idle poll: it is woken when the override is recorded.
IDLE_POLL_S = 600

pytestmark = pytest.mark.slow


def documented(page: str, *prefix: str) -> list[str]:
    """The first ``postguard PREFIX...`` command of the page, as its words."""
    for words in commands(page, "postguard"):
        if words[: len(prefix)] == list(prefix):
            return words
    raise AssertionError(f"no `postguard {' '.join(prefix)}` in the page")


def replaced(words: list[str], **values: str) -> list[str]:
    return [values.get(word, word) for word in words]


def managed_settings(index_url: str, public_key: str) -> str:
    """The page's [sync] example with this site's URL and key."""
    block = re.search(r"```toml\n(\[sync\].*?)```", DISTRIBUTION, re.S)
    assert block, "docs/distribution.md shows the [sync] settings"
    settings = tomllib.loads(block.group(1))
    settings["sync"].update(index_url=index_url, trusted_keys=[public_key])
    return dump_toml(settings)


def static_server(home: Home, port: int) -> Path:
    block = next(b for b in shell_blocks(DISTRIBUTION) if "http.server" in b)
    words = block.split()
    assert words[:3] == ["python3", "-m", "http.server"], block
    argv = [sys.executable, *replaced(words[1:], **{"8000": str(port)})]
    return home.start("site", argv, f"http://127.0.0.1:{port}/index.json")


def collector_events(db: Path) -> list[tuple[str, str]]:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return list(conn.execute("SELECT event_id, kind FROM events"))


def test_sign_serve_sync_enrol_override_report(home: Home) -> None:
    (home.cwd / "policy_packs").symlink_to(REPO / "policy_packs")
    (home.cwd / "examples").symlink_to(REPO / "examples")

    # 1-2. A signing key, then a signed site: the baseline with a company's pack on top.
    keygen = home.run(*documented(DISTRIBUTION, "pack", "keygen"))
    public_key = keygen.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"[A-Za-z0-9+/]{43}=", public_key), keygen.stdout
    home.run(*documented(DISTRIBUTION, "pack", "build"))
    index = json.loads((home.cwd / "site" / "index.json").read_text())
    published = ", ".join(f"{p['id']} {p['version']}" for p in index["packs"])

    # 3-4. Any static server; the managed settings point the agent at it.
    site_port = free_port(home.port)  # the agent's port is picked but not bound yet
    static_server(home, site_port)
    managed = home.root / "managed" / "config.toml"
    managed.parent.mkdir()
    managed.write_text(
        managed_settings(f"http://127.0.0.1:{site_port}/index.json", public_key),
        encoding="utf-8",
    )
    agent_log = home.start_agent()

    # 7. Sync now rather than at the first poll; status shows the synced versions.  The
    # agent's own first poll (at a random moment in its first minute) may get there first.
    synced_now = home.run(*documented(DISTRIBUTION, "sync")).stdout
    assert re.search(r"sync (updated|up to date)", synced_now), synced_now

    def synced() -> bool:
        shown = home.run(*documented(DISTRIBUTION, "status")).stdout
        return (
            f"packs:           {published} (from sync)" in shown and "sync:            ok" in shown
        )

    wait_for(synced, "the running agent reports the synced packs")

    # events.md: a collector, a token for it, and an enrolled agent.
    db = "events.sqlite3"
    collector_port = free_port(home.port, site_port)
    add_token = replaced(
        documented(EVENTS, "collector", "add-token"), **{"/srv/postguard/events.sqlite3": db}
    )
    collector_token = home.run(*add_token).stdout.strip()
    serve = replaced(
        documented(EVENTS, "collector", "serve"),
        **{
            "/srv/postguard/events.sqlite3": db,
            "0.0.0.0": "127.0.0.1",
            "8088": str(collector_port),
        },
    )
    home.start(
        "collector",
        [str(POSTGUARD), *serve],
        f"http://127.0.0.1:{collector_port}/services/collector/health",
    )
    user_settings = home.root / "config" / "config.toml"
    user_settings.parent.mkdir(exist_ok=True)
    user_settings.write_text(f"[upload]\ninterval_s = {IDLE_POLL_S}\n", encoding="utf-8")
    enroll = documented(EVENTS, "enroll", "http://127.0.0.1:8088")
    collector_url = f"http://127.0.0.1:{collector_port}"
    home.run(*replaced(enroll, **{"http://127.0.0.1:8088": collector_url, "T": collector_token}))
    assert "Restart the agent after enrolling" in EVENTS
    assert home.stop(agent_log) == 0
    home.start_agent()

    # An override through the API (docs/agent.md) reaches the collector at once.
    override_id, override = pair_and_override(home)
    took = wait_for(
        lambda: (override_id, "override") in collector_events(home.cwd / db),
        "the override reaches the collector",
        timeout_s=IDLE_POLL_S / 20,
    )
    print(f"override reached the collector {took:.2f} s after the API answered")
    wait_for(
        lambda: "pending uploads: 0" in home.run(*documented(DISTRIBUTION, "status")).stdout,
        "status shows nothing left to upload",
    )

    # The report.
    report = documented(EVENTS, "report", "--db", db, "--format", "html")
    home.run(*report)
    html = (home.cwd / "report.html").read_text(encoding="utf-8")
    finding = override["findings"][0]  # type: ignore[index]
    assert finding["rule_id"] in html
    assert str(override["justification"]) in html

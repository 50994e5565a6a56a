"""The steps of docs/agent.md that several walkthroughs share: pair, check, override."""

from __future__ import annotations

import json
from pathlib import Path

from cli_support import Home, request
from doc_commands import CurlCall, curl_calls

from agent.config import DEFAULT_PORT

DOCS = Path(__file__).resolve().parents[2] / "docs"
AGENT_DOC = DOCS / "agent.md"
FINDING_KEYS = ("rule_id", "pack", "start", "end", "matched")


def documented_calls() -> dict[str, CurlCall]:
    calls = {call.path: call for call in curl_calls(AGENT_DOC.read_text(encoding="utf-8"))}
    assert set(calls) == {"/v1/pair", "/v1/check", "/v1/overrides"}, calls
    return calls


def send(call: CurlCall, home: Home, **variables: str) -> dict[str, object]:
    """The doc's curl call, on this machine's port; a non-200 answer fails the test."""
    filled = call.substitute(**variables)
    assert f":{DEFAULT_PORT}/" in filled.url, "the docs show the default port"
    url = filled.url.replace(f":{DEFAULT_PORT}/", f":{home.port}/")
    answer = request(url, data=filled.data, headers=filled.headers)
    assert answer.status == 200, f"{call.path}: {answer.status} {answer.body!r}"
    body: dict[str, object] = answer.json()
    return body


def pair_and_override(home: Home) -> tuple[str, dict[str, object]]:
    """Pair, check and override exactly as docs/agent.md shows; the override id and body."""
    calls = documented_calls()
    code = home.run("pair", "--quiet").stdout.strip()
    token = send(calls["/v1/pair"], home, CODE=code)["token"]
    assert isinstance(token, str)
    assert send(calls["/v1/check"], home, TOKEN=token)["verdict"] == "warn"
    override_id = send(calls["/v1/overrides"], home, TOKEN=token)["override_id"]
    assert isinstance(override_id, str)
    body: dict[str, object] = json.loads(calls["/v1/overrides"].data or "{}")
    return override_id, body

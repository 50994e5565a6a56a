"""What the end-to-end tests do to a page: the fixture sites' selectors, typing,
reading back PostGuard's highlights, and the keystroke-pause → highlight timings
written for the benchmark report."""

from __future__ import annotations

import json
import math
import socket
import statistics
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import yaml
from playwright.sync_api import Locator, Page

from agent.paths import BUNDLED_PACKS_DIR, EXAMPLE_COMPANY

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
LATENCY_FILE = ARTIFACTS / "e2e-latency.json"
# Where each pack the e2e agent loads lives: the bundled baseline, the example company's.
PACKS = {"baseline": BUNDLED_PACKS_DIR / "baseline", "example-company": EXAMPLE_COMPANY}
DEBOUNCE_MS = 300  # extension/content/composer.js DEBOUNCE_MS
# How long an agent started by a test may take to answer: a cold compile of the bundled
# packs takes about 7 s on an idle 2-core runner and several times that on a loaded one;
# the deadline only bounds a hung agent.
START_TIMEOUT_S = 90

LINKEDIN = "https://www.linkedin.com/feed/"
X_HOME = "https://x.com/home"
X_REPLY = "https://x.com/mayachen/status/1"

# LinkedIn: the share box (a modal opened by "Start a post"), Quill's editor in it,
# its Post button; the comment box under the feed update.
SHARE_EDITOR = '[role="dialog"] .ql-editor'
SHARE_POST = '[role="dialog"] button.share-actions__primary-action'
COMMENT_EDITOR = "form.comments-comment-box__form .ql-editor"
COMMENT_SUBMIT = "form.comments-comment-box__form button[type=submit]"
X_EDITOR = '[data-testid="tweetTextarea_0"]'
X_POST = '[data-testid="tweetButtonInline"]'

WARN_RULE = "company_voice.on-behalf"
WARN_PHRASE = "Speaking on behalf of the company"
WARN_DRAFT = f"🚀🎉 {WARN_PHRASE}, we are thrilled to welcome our new interns!"
BLOCK_DRAFT = "Great quarter ahead, buy the stock before earnings 📈"
CLEAN_DRAFT = "Looking forward to the developer conference next week 👋"
# A company-pack rule whose policy section has its own link.
LINKED_RULE = ("example-company", "company_voice.example-co-statement")
LINKED_PHRASE = "Speaking for Example Co"
LINKED_DRAFT = f"{LINKED_PHRASE}, we welcome our new interns 🎉"

# ~900 characters that no rule flags: with the warn phrase, a ~1,000-character post.
FILLER = (
    "This spring our team visited a dozen meetups across the region, listening to "
    "developers talk about the tools they rely on every day. A few themes kept coming "
    "up: faster feedback while coding, clearer documentation, and examples that work "
    "the first time you copy them. We wrote down every suggestion, grouped them by "
    "topic, and shared the notes with everyone who came along. Some evenings were "
    "small, with six people around a table and a laptop; others filled a lecture hall. "
    "Either way, the best part was hearing how people actually build things, what "
    "slows them down, and what makes them smile when it finally clicks. Thank you to "
    "the organisers, the volunteers who ran the coffee and the microphones, and the "
    "speakers who stayed late to answer questions. If you missed the sessions, the "
    "slides and recordings are on the community site, and the next round starts in "
    "the autumn with new cities on the list. "
)

# Ranges of each PostGuard highlight, read back from the page's own CSS.highlights.
READ_HIGHLIGHTS = """() => {
  const out = {};
  for (const name of ["postguard-info", "postguard-warn", "postguard-block"]) {
    const h = CSS.highlights.get(name);
    out[name] = h ? [...h].map((r) => r.toString()) : [];
  }
  return out;
}"""


def chromium_args(sites_port: int) -> list[str]:
    """Debian's Chromium headless with the unpacked extension, the test sites mapped to loopback."""
    extension = ROOT / "extension"
    return [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--disable-extensions-except={extension}",
        f"--load-extension={extension}",
        f"--host-resolver-rules=MAP www.linkedin.com 127.0.0.1:{sites_port}, "
        f"MAP x.com 127.0.0.1:{sites_port}",
        "--ignore-certificate-errors",
    ]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def highlights(page: Page) -> dict[str, list[str]]:
    result: dict[str, list[str]] = page.evaluate(READ_HIGHLIGHTS)
    return result


def wait_for_highlight(page: Page, name: str, text: str, timeout_s: float = 5.0) -> None:
    start = time.perf_counter()
    while time.perf_counter() - start < timeout_s:
        if text in highlights(page)[name]:
            return
        time.sleep(0.01)
    raise AssertionError(f"{text!r} never highlighted as {name}; got {highlights(page)}")


def pill(page: Page) -> Locator:
    """The status pill on show (each composer on the page has one; the idle ones are hidden)."""
    return page.locator("postguard-ui .pill:not([hidden])").first


def gate(page: Page) -> Locator:
    return page.locator('postguard-ui .dialog[role="dialog"]')


def card(page: Page) -> Locator:
    return page.locator("postguard-ui .card")


def published(page: Page) -> Locator:
    return page.locator('[data-testid="published-item"]')


def open_share_box(page: Page) -> None:
    """LinkedIn's "Start a post": the share box opens with its editor focused."""
    page.get_by_role("button", name="Start a post").click()
    page.locator(SHARE_EDITOR).wait_for()


def type_into(page: Page, selector: str, text: str) -> None:
    """Click into the editor and type. LinkedIn's share box is a modal: when it is
    not open yet, it is opened through "Start a post" first, as a person would."""
    if selector == SHARE_EDITOR and page.locator(SHARE_EDITOR).count() == 0:
        open_share_box(page)
    page.click(selector)
    page.keyboard.type(text, delay=10)


def hover_highlight(page: Page) -> None:
    box = page.evaluate(
        """() => {
          const r = [...CSS.highlights.get("postguard-warn")][0].getClientRects()[0];
          return {x: r.left + r.width / 2, y: r.top + r.height / 2};
        }"""
    )
    page.mouse.move(box["x"], box["y"])


def feedback_events(audit: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in audit if e.get("kind") == "feedback"]


def override_events(audit: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in audit if e.get("kind") == "override"]


# --- what the bundled packs say ------------------------------------------------------


def pack_rule(pack: str, rule_id: str) -> dict[str, Any]:
    """A rule as its pack's YAML defines it, with `policy` completed as
    docs/pack-format.md describes: the pack's policy title, the rule's section, and
    the rule's own link or else the pack's (None when neither has one)."""
    meta = yaml.safe_load((PACKS[pack] / "pack.yaml").read_text())
    for path in sorted((PACKS[pack] / "rules").glob("*.yaml")):
        for rule in yaml.safe_load(path.read_text()).get("rules", []):
            if rule["id"] == rule_id:
                policy = rule["policy"]
                return {
                    **rule,
                    "policy": {
                        "title": meta["policy"]["title"],
                        "section": policy["section"],
                        "url": policy.get("url") or meta["policy"].get("url"),
                    },
                }
    raise AssertionError(f"no rule {rule_id} in the {pack} pack")


# --- the agent's audit log at its size cap ---------------------------------------------


def _feedback(port: int, token: str, comment: str | None) -> bool:
    """One feedback event through the agent's API: True if recorded, False if the
    agent answered 503 `not_recorded`; anything else fails the test."""
    body: dict[str, Any] = {"rule_id": WARN_RULE, "kind": "other"}
    if comment:
        body["comment"] = comment
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/v1/feedback",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return bool(json.loads(response.read())["feedback_id"])
    except urllib.error.HTTPError as refused:
        error = json.loads(refused.read())["error"]
        assert (refused.code, error["code"]) == (503, "not_recorded"), error
        return False


def fill_audit_log(port: int, token: str, *, big_chars: int, refusals: int = 5) -> int:
    """Record feedback until the agent's audit log is at its size cap; how many were stored.

    Big comments fill it quickly; then comment-less events (the smallest record there
    is) until `refusals` in a row are refused, so that no record as large as an
    override still fits anywhere.
    """
    comment = ("The underline on this phrase looks wrong to me. " * (big_chars // 48 + 1))[
        :big_chars
    ]
    stored = 0
    for size in (comment, None):
        refused = 0
        for _ in range(10_000):
            if _feedback(port, token, size):
                stored += 1
                refused = 0
            else:
                refused += 1
                if refused == (1 if size else refusals):
                    break
        else:
            raise AssertionError("the audit log never reached its size cap")
    return stored


# --- keystroke pause → highlight ----------------------------------------------------


def _latency_seq(page: Page) -> int:
    return int(page.locator("postguard-ui").get_attribute("data-latency-seq") or "0")


def timed_highlight(page: Page, body: str) -> float:
    """Replace the draft with `body` + the warn phrase, finishing with two typed keys;
    milliseconds from that last keystroke to the underline on screen, as the content
    script measured it (includes the typing-pause debounce). The editor has focus."""
    before = _latency_seq(page)
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    # All but the last two characters arrive at once (a paste); the last two are typed.
    # The debounce restarts on each, so only the final text is checked.
    page.keyboard.insert_text(body + WARN_PHRASE[:-2])
    page.keyboard.type(WARN_PHRASE[-2:], delay=20)
    seen = before
    for _ in range(3):
        page.wait_for_function(
            "seen => Number(document.querySelector('postguard-ui').dataset.latencySeq) > seen",
            arg=seen,
            timeout=5_000,
        )
        if highlights(page)["postguard-warn"] == [WARN_PHRASE]:
            latency = page.locator("postguard-ui").get_attribute("data-last-latency-ms")
            return float(latency or "nan")
        # A stall between the last two keys let the pause end on the text before the last
        # one; that sample is for a stale text, and the final text's check comes next.
        seen = _latency_seq(page)
    raise AssertionError(f"the warn phrase was never underlined: {highlights(page)}")


def percentile(samples: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def write_latency(samples: list[dict[str, Any]]) -> dict[str, Any]:
    """The file `postguard bench` reads: `samples_ms`, `debounce_ms`, `p50`, `p95` are
    the contract (keep the names); `samples` adds each sample's site and post length."""
    samples_ms = [float(s["in_page_ms"]) for s in samples]
    summary = {
        "samples_ms": [round(ms, 1) for ms in samples_ms],
        "debounce_ms": DEBOUNCE_MS,
        "p50": round(statistics.median(samples_ms), 1),
        "p95": round(percentile(samples_ms, 95), 1),
        "samples": samples,
    }
    ARTIFACTS.mkdir(exist_ok=True)
    LATENCY_FILE.write_text(json.dumps(summary, indent=2) + "\n")
    return summary

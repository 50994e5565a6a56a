"""The engine as a whole: spans, ordering, determinism, windows, platforms, layering."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from agent.engine import Engine
from agent.engine.result import Category, Platform, Severity, Verdict
from agent.packs.compile import compile_dirs
from agent.paths import BUNDLED_PACKS, EXAMPLE_COMPANY
from tests.engine.conftest import FIXTURES, NOW
from tests.engine.packfiles import rule_yaml, write_pack

MIXED = (
    "😀 Staging password is Winter2024! e\u0301 strictly confidential"
    " 👩\u200d👩\u200d👧 c o n f i d e n t i a l"
)


def utf16_slice(text: str, start: int, end: int) -> str:
    return text.encode("utf-16-le")[2 * start : 2 * end].decode("utf-16-le")


def test_spans_are_utf16_and_slice_back_to_matched(core_engine: Engine) -> None:
    result = core_engine.check(MIXED, Platform.LINKEDIN, NOW)
    assert [f.matched for f in result.findings] == [
        "password is Winter2024!",
        "strictly confidential",
        "c o n f i d e n t i a l",
    ]
    first = result.findings[0]
    assert (first.start, first.end) == (11, 34)  # the emoji counts two code units
    for finding in result.findings:
        assert utf16_slice(MIXED, finding.start, finding.end) == finding.matched


def test_findings_sorted_and_verdict(core_engine: Engine) -> None:
    result = core_engine.check(MIXED, Platform.LINKEDIN, NOW)
    keys = [(f.start, f.end, f.rule_id) for f in result.findings]
    assert keys == sorted(keys)
    assert result.verdict is Verdict.BLOCK
    assert [p.id for p in result.packs] == ["core"]


def test_check_is_deterministic(core_engine: Engine) -> None:
    first = core_engine.check(MIXED, Platform.X, NOW)
    for _ in range(100):
        assert core_engine.check(MIXED, Platform.X, NOW) == first


def test_finding_carries_every_field(core_engine: Engine) -> None:
    finding = core_engine.check("strictly confidential", Platform.LINKEDIN, NOW).findings[0]
    assert finding.category is Category.CONFIDENTIAL
    assert finding.severity is Severity.WARN
    assert finding.overridable is True
    assert finding.message == "Internal-only material."
    assert finding.policy.section == "2.1 Confidential information"
    assert finding.policy.title == "Test Social Media Policy"
    assert finding.policy.url == "https://intranet.example.com/policy"  # the pack's link
    assert finding.consequence == "Disciplinary action."
    assert finding.suggestions == ["Remove the internal detail."]
    assert finding.contact == "compliance@example.com"
    assert finding.explanation.matcher == "phrases"


def test_block_is_not_overridable_by_default(core_engine: Engine) -> None:
    info = core_engine.rule("core", "credentials.password-value")
    assert info is not None and info.severity is Severity.BLOCK and info.overridable is False
    card = core_engine.rule("core", "personal_data.card")
    assert card is not None and card.overridable is True  # explicitly overridable
    assert core_engine.rule("core", "no.such-rule") is None


@pytest.mark.parametrize(
    ("now", "fires"),
    [
        (datetime(2026, 12, 14, 23, 59, tzinfo=UTC), False),
        (datetime(2026, 12, 15, 0, 0, tzinfo=UTC), True),
        (datetime(2027, 1, 29, 23, 59), True),  # naive means UTC
        (datetime(2027, 1, 30, 0, 0, tzinfo=UTC), False),
    ],
)
def test_active_window(core_engine: Engine, now: datetime, fires: bool) -> None:
    result = core_engine.check("earnings look great", Platform.LINKEDIN, now)
    assert bool(result.findings) is fires


@pytest.mark.parametrize(("platform", "fires"), [(Platform.X, True), (Platform.LINKEDIN, False)])
def test_platforms(core_engine: Engine, platform: Platform, fires: bool) -> None:
    result = core_engine.check("use my discount code SAVE10", platform, NOW)
    assert bool(result.findings) is fires


def test_later_pack_relevels_and_disables(tmp_path: Path) -> None:
    layer = write_pack(
        tmp_path,
        [rule_yaml("match: {type: phrases, phrases: [roadmap]}", id="confidential.roadmap")],
        id="company",
        version="2026.11.1",
        meta_extra=(
            "adjust:\n"
            "  - {pack: core, rule: confidential.marker, severity: block}\n"
            "  - {pack: core, rule: harassment.insult, disable: true}\n"
        ),
    )
    engine = compile_dirs([FIXTURES / "core", layer])
    result = engine.check("confidential roadmap, you idiot", Platform.LINKEDIN, NOW)
    assert [(f.pack.id, f.rule_id, f.severity) for f in result.findings] == [
        ("core", "confidential.marker", Severity.BLOCK),
        ("company", "confidential.roadmap", Severity.WARN),
    ]
    marker = engine.rule("core", "confidential.marker")
    assert marker is not None and marker.overridable is False  # block defaults to not overridable
    assert engine.rule("core", "harassment.insult") is None
    assert [p.id for p in engine.packs] == ["core", "company"]
    assert engine.pack_infos[1].policy_url == "https://intranet.example.com/p"


def test_text_of_any_length(core_engine: Engine) -> None:
    text = ("lorem ipsum " * 20_000) + "strictly confidential"
    result = core_engine.check(text, Platform.LINKEDIN, NOW)
    assert [f.matched for f in result.findings] == ["strictly confidential"]
    assert result.findings[0].start == 240_000


def test_check_from_many_threads(core_engine: Engine) -> None:
    from concurrent.futures import ThreadPoolExecutor

    expected = core_engine.check(MIXED, Platform.LINKEDIN, NOW)
    with ThreadPoolExecutor(8) as pool:
        results = list(
            pool.map(lambda _: core_engine.check(MIXED, Platform.LINKEDIN, NOW), range(64))
        )
    assert all(r == expected for r in results)


def test_findings_name_the_last_layers_contact(tmp_path: Path) -> None:
    # The core fixture's contact is compliance@example.com; a company layer's is it@example.com.
    layer = write_pack(
        tmp_path, [rule_yaml("match: {type: phrases, phrases: [roadmap]}")], id="company"
    )
    alone = compile_dirs([FIXTURES / "core"])
    layered = compile_dirs([FIXTURES / "core", layer])
    text = "strictly confidential roadmap"

    assert [f.contact for f in alone.check(text, Platform.LINKEDIN, NOW).findings] == [
        "compliance@example.com"
    ]
    assert [
        (f.pack.id, f.contact) for f in layered.check(text, Platform.LINKEDIN, NOW).findings
    ] == [("core", "it@example.com"), ("company", "it@example.com")]
    marker = layered.rule("core", "confidential.marker")
    assert marker is not None and marker.contact == "it@example.com"
    # the pack's own metadata is unchanged: status views still show who owns what
    assert [p.contact for p in layered.pack_infos] == ["compliance@example.com", "it@example.com"]


def test_baseline_findings_name_the_company_contact() -> None:
    engine = compile_dirs([*BUNDLED_PACKS, EXAMPLE_COMPANY])
    company = engine.pack_infos[-1]
    assert company.ref.id == "example-company"
    findings = engine.check("Staging password is Winter2024!", Platform.LINKEDIN, NOW).findings
    assert [(f.pack.id, f.contact) for f in findings] == [("baseline", company.contact)]
    assert engine.pack_infos[0].contact != company.contact

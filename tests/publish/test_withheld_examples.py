"""A hashed rule's examples are run by ``pack build`` and never published in plain text."""

from __future__ import annotations

import gzip
import io
import tarfile
from pathlib import Path

import pytest

from agent.cli import main
from agent.engine.result import Platform
from agent.packs.compile import compile_dirs
from agent.packs.hashing import hashed_entries
from agent.publish.archive import extract_archive
from agent.publish.index import PackIndex
from tests.engine.conftest import NOW
from tests.engine.packfiles import META, RULE_HEAD

SALT = "5f1c" * 8
CODENAME = "Nightjar"


def _hashed_pack(root: Path, *, match_example: str = "Shipping Project Nightjar soon") -> Path:
    digests, max_words = hashed_entries([f"Project {CODENAME}"], SALT)
    hashes = "".join(f'        - "{d}"\n' for d in digests)
    pack = root / "acme"
    (pack / "rules").mkdir(parents=True)
    (pack / "pack.yaml").write_text(META.format(id="acme", version="1.0"))
    (pack / "rules" / "confidential.yaml").write_text(
        f"# The test entry is Project {CODENAME}; keep this file out of public view.\n"
        "rules:\n"
        + RULE_HEAD.format(id="confidential.codename", category="confidential", severity="warn")
        + "    match:\n"
        "      type: hashed_phrases\n"
        f'      salt: "{SALT}"\n'
        f"      max_words: {max_words}\n"
        "      hashes:\n" + hashes + "    examples:\n"
        f'      match: [{{text: "{match_example}", matched: "Project {CODENAME}"}}]\n'
        f'      no_match: ["a {CODENAME.lower()} sang at dusk"]\n'
        + RULE_HEAD.format(id="confidential.plain", category="confidential", severity="info")
        + "    match: {type: phrases, phrases: [roadmap]}\n"
        "    examples:\n"
        '      match: ["our roadmap leaked"]\n'
        '      no_match: ["a road map"]\n',
        encoding="utf-8",
    )
    return pack


def _build(pack: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    key = tmp_path / "signing.pem"
    tmp_path.mkdir(parents=True, exist_ok=True)
    if not key.exists():
        assert main(["pack", "keygen", "--out", str(key)]) == 0
    code = main(["pack", "build", str(pack), "--key", str(key), "--out", str(tmp_path / "site")])
    return code, capsys.readouterr().err


def _archive(tmp_path: Path) -> bytes:
    index = PackIndex.parse((tmp_path / "site" / "index.json").read_bytes())
    return (tmp_path / "site" / index.packs[0].url).read_bytes()


def test_the_published_archive_does_not_name_what_the_hashed_list_hides(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = _build(_hashed_pack(tmp_path / "src"), tmp_path, capsys)
    assert code == 0, err
    archive = _archive(tmp_path)
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar if m.isfile()}  # type: ignore[union-attr]
    assert CODENAME.lower().encode() not in gzip.decompress(archive).lower()  # tar xzO | grep -i
    published = members["rules/confidential.yaml"].decode()
    assert "withheld" in published
    assert "our roadmap leaked" in published  # rules without a hashed list keep their examples


def test_the_published_pack_still_checks_and_tests(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _build(_hashed_pack(tmp_path / "src"), tmp_path, capsys)[0] == 0
    unpacked = tmp_path / "agent" / "acme"
    unpacked.mkdir(parents=True)
    extract_archive(_archive(tmp_path), unpacked, max_bytes=1 << 20)

    engine = compile_dirs([unpacked])
    findings = engine.check("Project Nightjar launches", Platform.LINKEDIN, NOW).findings
    assert [f.rule_id for f in findings] == ["confidential.codename"]

    assert main(["pack", "test", str(unpacked)]) == 0
    out = capsys.readouterr().out
    assert (
        "acme 1.0: 2 rules, 2 examples, 0 failed,"
        " 1 hashed rule(s) with examples withheld at publication"
    ) in out

    # Republishing the published copy cannot run those examples: refused, saying why.
    code, err = _build(unpacked, tmp_path / "again", capsys)
    assert code == 1
    assert "confidential.codename: its examples were withheld when the pack was published" in err
    assert not (tmp_path / "again" / "site" / "index.json").exists()


def test_a_failing_hashed_example_is_reported_without_its_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pack = _hashed_pack(tmp_path / "src", match_example="Shipping Project Nightjar-ish soon")
    text = (pack / "rules" / "confidential.yaml").read_text()
    (pack / "rules" / "confidential.yaml").write_text(
        text.replace('matched: "Project Nightjar"', 'matched: "Shipping Project Nightjar"')
    )
    code, err = _build(pack, tmp_path, capsys)
    assert code == 1
    assert "acme/confidential.codename match example #1 (text not shown" in err
    assert "expected a finding on its `matched` text, got a finding on other text" in err
    assert CODENAME.lower() not in err.lower()
    assert not (tmp_path / "site" / "index.json").exists()

"""`postguard pack keygen` and `postguard pack build` through the real command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.cli import main
from agent.publish.index import PackIndex
from agent.publish.signing import verify_index


def keygen(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, str]:
    key = tmp_path / "signing.pem"
    assert main(["pack", "keygen", "--out", str(key)]) == 0
    public = capsys.readouterr().out.strip().splitlines()[-1]
    return key, public


def test_keygen_then_build_writes_a_verifiable_reproducible_site(
    tmp_path: Path, packs: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    key, public = keygen(tmp_path, capsys)
    site = tmp_path / "site"
    args = ["pack", "build", *map(str, packs), "--key", str(key), "--out", str(site)]
    assert main([*args, "--expires-in", "7d"]) == 0
    out = capsys.readouterr().out
    assert "0 failed" in out and "Published serial" in out

    index_bytes = (site / "index.json").read_bytes()
    assert verify_index(index_bytes, (site / "index.json.sig").read_bytes(), [public]) == public
    index = PackIndex.parse(index_bytes)
    assert [p.id for p in index.packs] == [p.name for p in packs]  # layer order kept
    assert (index.expires_at - index.issued_at).days == 7
    for entry in index.packs:
        archive = site / entry.url
        assert archive.stat().st_size == entry.size
        assert not entry.url.startswith("/")
    archives = {p.name: p.read_bytes() for p in (site / "packs").iterdir()}

    assert main(args) == 0  # rebuild: same archives, higher serial
    again = PackIndex.parse((site / "index.json").read_bytes())
    assert again.serial > index.serial
    assert {p.name: p.read_bytes() for p in (site / "packs").iterdir()} == archives


def test_a_failing_example_blocks_the_build(
    tmp_path: Path, packs: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    key, _ = keygen(tmp_path, capsys)
    rules = packs[0] / "rules" / "credentials.yaml"
    text = rules.read_text()
    rules.write_text(text.replace('- "Never reuse your password."', '- "password is Hunter22!"', 1))
    site = tmp_path / "site"
    code = main(["pack", "build", *map(str, packs), "--key", str(key), "--out", str(site)])
    err = capsys.readouterr().err
    assert code == 1
    assert "FAIL" in err and "build refused" in err
    assert not (site / "index.json").exists()


def test_changed_content_under_a_published_version_is_refused(
    tmp_path: Path, packs: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    key, _ = keygen(tmp_path, capsys)
    args = ["pack", "build", str(packs[0]), "--key", str(key), "--out", str(tmp_path / "site")]
    assert main(args) == 0
    (packs[0] / "rules" / "notes.txt").write_text("changed")
    assert main(args) == 2
    assert "raise its version" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--expires-in", "soon"], "not a duration"),
        (["--serial", "0"], "must be between 1 and 9007199254740991"),
        (["--serial", "9007199254740992"], "must be between 1 and 9007199254740991"),
    ],
)
def test_bad_options_are_one_line_errors(
    tmp_path: Path,
    packs: list[Path],
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    message: str,
) -> None:
    key, _ = keygen(tmp_path, capsys)
    args = ["pack", "build", str(packs[0]), "--key", str(key), "--out", str(tmp_path / "s")]
    assert main([*args, *extra]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_broken_yaml_is_a_one_line_error(
    tmp_path: Path, packs: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    key, _ = keygen(tmp_path, capsys)
    (packs[0] / "rules" / "credentials.yaml").write_text("rules: [unclosed\n")
    code = main(["pack", "build", str(packs[0]), "--key", str(key), "--out", str(tmp_path / "s")])
    err = capsys.readouterr().err
    assert code == 2 and "credentials.yaml" in err
    assert "Traceback" not in err

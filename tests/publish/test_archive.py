from __future__ import annotations

import gzip
import io
import os
import tarfile
from pathlib import Path

import pytest

from agent.publish.archive import ArchiveError, build_archive, extract_archive


def tar_gz(members: list[tarfile.TarInfo], data: dict[str, bytes] | None = None) -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        for info in members:
            content = (data or {}).get(info.name, b"")
            info.size = len(content) if info.isfile() else 0
            tar.addfile(info, io.BytesIO(content) if info.isfile() else None)
    return gzip.compress(raw.getvalue())


def member(name: str, kind: bytes = tarfile.REGTYPE, link: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = link
    return info


def test_archives_are_byte_identical_across_builds_and_mtimes(packs: list[Path]) -> None:
    first = build_archive(packs[0])
    for path in packs[0].rglob("*"):
        os.utime(path, (1_000_000, 1_000_000))
    (packs[0] / ".DS_Store").write_bytes(b"finder litter")
    assert build_archive(packs[0]) == first


def test_archive_entries_are_sorted_and_owner_free(packs: list[Path]) -> None:
    with tarfile.open(fileobj=io.BytesIO(build_archive(packs[0])), mode="r:gz") as tar:
        members = tar.getmembers()
    names = [m.name for m in members]
    assert names == sorted(names) and "pack.yaml" in names
    assert {(m.mtime, m.uid, m.gid, m.uname, m.mode) for m in members} == {(0, 0, 0, "", 0o644)}


def test_round_trip(packs: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    extract_archive(build_archive(packs[0]), out, max_bytes=1 << 24)
    for path in packs[0].rglob("*"):
        if path.is_file():
            assert (out / path.relative_to(packs[0])).read_bytes() == path.read_bytes()


def test_symlinks_in_a_pack_are_refused_at_build(packs: list[Path]) -> None:
    (packs[0] / "rules" / "link.yaml").symlink_to("/etc/passwd")
    with pytest.raises(ArchiveError, match="symbolic link"):
        build_archive(packs[0])


@pytest.mark.parametrize(
    ("members", "reason"),
    [
        ([member("../evil.yaml")], "safe relative path"),
        ([member("rules/../../evil.yaml")], "safe relative path"),
        ([member("/abs.yaml")], "safe relative path"),
        ([member("C:\\win.yaml")], "safe relative path"),
        ([member("link", tarfile.SYMTYPE, "/etc/passwd")], "not a regular file"),
        ([member("hard", tarfile.LNKTYPE, "pack.yaml")], "not a regular file"),
        ([member("dev", tarfile.CHRTYPE)], "not a regular file"),
        ([member("a.yaml"), member("a.yaml")], "appears twice"),
        ([], "empty"),
    ],
)
def test_hostile_archives_are_refused(
    tmp_path: Path, members: list[tarfile.TarInfo], reason: str
) -> None:
    data = tar_gz(members, {m.name: b"x" for m in members})
    with pytest.raises(ArchiveError, match=reason):
        extract_archive(data, tmp_path, max_bytes=1 << 20)
    assert not (tmp_path.parent / "evil.yaml").exists()


def test_size_and_member_caps(tmp_path: Path) -> None:
    big = tar_gz([member("big.yaml")], {"big.yaml": b"y" * 5000})
    with pytest.raises(ArchiveError, match="larger than 4096 bytes"):
        extract_archive(big, tmp_path, max_bytes=4096)
    many = tar_gz([member(f"f{i}.yaml") for i in range(20)])
    with pytest.raises(ArchiveError, match="more than 10 entries"):
        extract_archive(many, tmp_path / "m", max_bytes=1 << 20, max_members=10)


@pytest.mark.parametrize("cut", [10, 200, -30])
def test_truncated_or_corrupt_archives_are_refused(
    packs: list[Path], tmp_path: Path, cut: int
) -> None:
    data = build_archive(packs[0])
    with pytest.raises(ArchiveError, match="truncated or corrupt"):
        extract_archive(data[:cut], tmp_path, max_bytes=1 << 24)

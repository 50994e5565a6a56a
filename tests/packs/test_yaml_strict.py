"""One strict YAML loader reads every YAML document; what packs never need is refused first."""

from __future__ import annotations

import ast
import time
from pathlib import Path

import pytest

from agent.packs import PackError
from agent.packs.yaml_source import (
    MAX_DEPTH,
    MAX_SCALAR_CHARS,
    dump_yaml,
    load_yaml,
    parse_yaml,
)

AGENT = Path(__file__).resolve().parents[2] / "agent"
STRICT_LOADER = AGENT / "packs" / "yaml_source.py"
YAML_LIBRARIES = ("yaml", "_yaml", "ruamel", "ruyaml", "strictyaml", "oyaml")


def _yaml_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Call) and _imports_by_name(node):
            names = [a.value for a in node.args[:1] if isinstance(a, ast.Constant)]
        found += [f"{path.relative_to(AGENT.parent)}:{node.lineno}: {n}" for n in names if n]
    return [f for f in found if f.rsplit(": ", 1)[1].split(".")[0] in YAML_LIBRARIES]


def _imports_by_name(call: ast.Call) -> bool:
    """``__import__("yaml")`` or ``importlib.import_module("yaml")``."""
    return getattr(call.func, "id", None) == "__import__" or (
        getattr(call.func, "attr", None) == "import_module"
    )


def test_only_the_strict_loader_uses_a_yaml_library() -> None:
    offenders = [
        hit
        for path in sorted(AGENT.rglob("*.py"))
        if path != STRICT_LOADER
        for hit in _yaml_imports(path)
    ]
    assert not offenders, "YAML must be read through agent.packs.yaml_source:\n" + "\n".join(
        offenders
    )
    assert _yaml_imports(STRICT_LOADER)  # the walker does see imports


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("id: &name acme\n", "anchors (&name) are not allowed"),
        ("a: [1]\nb: *a\n", "aliases (*name) are not allowed"),
        ("base: {a: 1}\nrule:\n  <<: {a: 2}\n", "merge keys (<<) are not allowed"),
        ("a: !!binary aGVsbG8=\n", "tag 'tag:yaml.org,2002:binary' is not allowed"),
        ("a: !!set {x, y}\n", "tag 'tag:yaml.org,2002:set' is not allowed"),
        ("a: !!python/object:os.system {}\n", "is not allowed"),
        ("a: 1\n---\nb: 2\n", "one YAML document"),
        ("? [a, b]\n: 1\n", "keys must be plain words or strings"),
        ("a: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "\n", "levels deep"),
        ("a: " + "x" * (MAX_SCALAR_CHARS + 1) + "\n", f"the limit is {MAX_SCALAR_CHARS}"),
    ],
)
def test_what_packs_never_need_is_refused(text: str, reason: str) -> None:
    with pytest.raises(PackError) as caught:
        parse_yaml(text)
    assert reason in caught.value.message
    assert len(caught.value.message) < 400


def test_an_alias_bomb_is_refused_at_its_first_anchor() -> None:
    """Nine levels of nine aliases: 387 million strings if anything expanded it."""
    levels = ['l0: &l0 "lol"'] + [
        f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, 10)
    ]
    started = time.monotonic()
    with pytest.raises(PackError, match=r":1: invalid YAML: anchors \(&name\) are not allowed"):
        parse_yaml("\n".join(levels) + "\nid: *l9\n", path=Path("pack.yaml"))
    assert time.monotonic() - started < 1


def test_plain_pack_yaml_still_loads_with_lines(tmp_path: Path) -> None:
    path = tmp_path / "pack.yaml"
    path.write_text('id: acme\nversion: "1.0"\neffective: 2026-01-01\ntags: [a, b]\n')
    data = load_yaml(path)
    assert data == {
        "id": "acme",
        "version": "1.0",
        "effective": data["effective"],
        "tags": ["a", "b"],
    }
    assert str(data["effective"]) == "2026-01-01"
    assert data.key_lines == {"id": 1, "version": 2, "effective": 3, "tags": 4}


def test_dumped_yaml_loads_back_equal() -> None:
    data = parse_yaml(
        'a: "2026"\nb: 2026-01-01\nc: [yes, "yes", null, "null", 1.5, "<<", "*x", "&y"]\n'
        "d: {nested: {deeper: [1, {e: 'multi\\nline'}]}}\n"
    )
    assert parse_yaml(dump_yaml(data)) == data

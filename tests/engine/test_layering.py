"""The engine never imports the packs: packs compile into the engine, not the reverse.

A compiled engine read back from the start-up cache must run without the YAML loader
or the pack models, and a cycle between the two packages would make either one's import
order matter.  Every import statement counts, wherever it stands: at module level,
inside a function, or under ``if TYPE_CHECKING:`` (a type-only import is still a
dependency someone will one day make real).  The source is parsed rather than searched,
so docstrings that name ``agent.packs`` are fine and no spelling of an import slips by.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import agent.engine

FORBIDDEN = "agent.packs"
ENGINE_DIR = Path(agent.engine.__file__).parent
PACKAGE_ROOT = ENGINE_DIR.parent.parent  # the directory holding the `agent` package


def _is_forbidden(module: str) -> bool:
    return module == FORBIDDEN or module.startswith(FORBIDDEN + ".")


def _package_of(path: Path) -> list[str]:
    """The dotted package a module file belongs to, as parts (``agent.engine.matchers``)."""
    parts = list(path.relative_to(PACKAGE_ROOT).with_suffix("").parts)
    parts.pop()  # the module's own name, or the `__init__` of the package it is
    return parts


def _imported(node: ast.AST, package: list[str]) -> Iterator[str]:
    """The absolute module names one node imports (``from X import y`` yields X and X.y)."""
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
    elif isinstance(node, ast.ImportFrom):
        if node.level:
            base = package[: len(package) - node.level + 1]
            module = ".".join([*base, *([node.module] if node.module else [])])
        else:
            module = node.module or ""
        yield module
        yield from (f"{module}.{alias.name}" for alias in node.names)
    elif (
        isinstance(node, ast.Call)
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
        and (
            (isinstance(node.func, ast.Name) and node.func.id in ("__import__", "import_module"))
            or (isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
        )
    ):
        yield node.args[0].value


def forbidden_imports(source: str, path: Path) -> list[str]:
    """``line: module`` for each import of the packs anywhere in ``source``."""
    package = _package_of(path)
    return [
        f"{node.lineno}: {module}"
        for node in ast.walk(ast.parse(source, filename=str(path)))
        for module in _imported(node, package)
        if _is_forbidden(module)
    ]


ENGINE_FILES = sorted(ENGINE_DIR.rglob("*.py"))


def test_the_engine_sources_are_all_there() -> None:
    names = {p.relative_to(ENGINE_DIR).as_posix() for p in ENGINE_FILES}
    assert {"__init__.py", "engine.py", "matchers/pattern.py"} <= names


@pytest.mark.parametrize("path", ENGINE_FILES, ids=lambda p: p.relative_to(ENGINE_DIR).as_posix())
def test_no_engine_module_imports_the_packs(path: Path) -> None:
    assert forbidden_imports(path.read_text(encoding="utf-8"), path) == []


PATTERN = ENGINE_DIR / "matchers" / "pattern.py"


@pytest.mark.parametrize(
    "source",
    [
        "import agent.packs\n",
        "import agent.packs.loader as loader\n",
        "from agent.packs.models import PatternMatch\n",
        "from agent import packs\n",
        "from ...packs import compile\n",
        "from ...packs.loader import PackSet\n",
        "from ... import packs\n",
        "if TYPE_CHECKING:\n    from agent.packs.loader import PackSet\n",
        "def f():\n    from agent.packs.compile import compile_engine\n",
        "class C:\n    def m(self):\n        import agent.packs\n",
        "importlib.import_module('agent.packs.loader')\n",
        "__import__('agent.packs')\n",
    ],
)
def test_every_spelling_of_a_packs_import_is_caught(source: str) -> None:
    assert forbidden_imports(source, PATTERN) != []


@pytest.mark.parametrize(
    "source",
    [
        '"""Compiled by agent.packs.compile."""\n',
        "from agent.engine.result import Platform\n",
        "from .. import packs_like\n",
        "from ..packs import x\n",  # agent.engine.packs, not agent.packs
        "import agent.packsack\n",
    ],
)
def test_what_is_not_a_packs_import_passes(source: str) -> None:
    assert forbidden_imports(source, PATTERN) == []

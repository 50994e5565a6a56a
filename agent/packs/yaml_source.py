"""Safe YAML loading that remembers where every mapping, key and list item came from.

Mappings load as :class:`LineDict` and sequences as :class:`LineList`; both
carry the 1-based line of the node and of each key/item, so a validation
error deep inside a rule can name ``file:line``.  Aliases and duplicate keys
are refused: packs never need them, and aliases are how "billion laughs"
documents blow up memory.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

from agent.packs.errors import PackError

MAX_FILE_BYTES = 8 * 1024 * 1024


class LineDict(dict[str, Any]):
    line: int
    key_lines: dict[str, int]


class LineList(list[Any]):
    line: int
    item_lines: list[int]


# libyaml parses when available (a 200k-phrase list loads in a fraction of the time);
# construction stays in Python, so the line bookkeeping below applies to both.
_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[valid-type,misc]
    def construct_object(self, node: Node, deep: bool = False) -> Any:
        if node in self.constructed_objects:
            # the composer hands back the same node for every *alias
            raise yaml.MarkedYAMLError(
                problem="aliases (*name) are not allowed in packs", problem_mark=node.start_mark
            )
        return super().construct_object(node, deep=deep)

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> LineDict:
        result = LineDict()
        result.line = node.start_mark.line + 1
        result.key_lines = {}
        self.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                raise yaml.MarkedYAMLError(
                    problem=f"keys must be strings, got {key!r}", problem_mark=key_node.start_mark
                )
            if key in result:
                raise yaml.MarkedYAMLError(
                    problem=f"duplicate key {key!r}", problem_mark=key_node.start_mark
                )
            result[key] = self.construct_object(value_node, deep=True)
            result.key_lines[key] = key_node.start_mark.line + 1
        return result

    def construct_sequence(self, node: SequenceNode, deep: bool = False) -> list[Any]:
        result = LineList(self.construct_object(child, deep=True) for child in node.value)
        result.line = node.start_mark.line + 1
        result.item_lines = [child.start_mark.line + 1 for child in node.value]
        return result


def _construct_seq(loader: _Loader, node: SequenceNode) -> list[Any]:
    return loader.construct_sequence(node, deep=True)


def _construct_map(loader: _Loader, node: MappingNode) -> LineDict:
    return loader.construct_mapping(node, deep=True)


_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)
_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)


def load_yaml(path: Path) -> Any:
    """Load one YAML file safely; any problem is a :class:`PackError` with file:line."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise PackError(f"cannot read: {exc.strerror}", path=path) from None
    if size > MAX_FILE_BYTES:
        raise PackError(f"file is {size} bytes; the limit is {MAX_FILE_BYTES}", path=path)
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except OSError as exc:
        raise PackError(f"cannot read: {exc.strerror}", path=path) from None
    except UnicodeDecodeError as exc:
        raise PackError(f"not valid UTF-8 (byte {exc.start})", path=path) from None
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = " ".join(str(exc.problem or exc.context or "invalid YAML").split())
        raise PackError(f"invalid YAML: {problem}", path=path, line=line) from None
    except yaml.YAMLError as exc:
        raise PackError(f"invalid YAML: {' '.join(str(exc).split())}", path=path) from None
    except RecursionError:
        raise PackError("invalid YAML: nested too deeply", path=path) from None


def line_of(data: Any, loc: tuple[int | str, ...]) -> int | None:
    """The line of the deepest node along a pydantic error location."""
    line: int | None = getattr(data, "line", None)
    node = data
    for part in skip_tags(data, loc):
        if isinstance(node, LineDict) and isinstance(part, str) and part in node:
            line = node.key_lines.get(part, line)
            node = node[part]
        elif isinstance(node, LineList) and isinstance(part, int) and 0 <= part < len(node):
            line = node.item_lines[part]
            node = node[part]
        else:
            # a discriminator tag or a missing key: stay on the enclosing node
            continue
    return line


def skip_tags(data: Any, loc: tuple[int | str, ...]) -> list[int | str]:
    """``loc`` without union tags: ``match.phrases.x`` → ``match.x`` (type: phrases)."""
    parts: list[int | str] = []
    node = data
    skip_next_tag = False
    for part in loc:
        if skip_next_tag and isinstance(node, LineDict) and node.get("type") == part:
            skip_next_tag = False
            continue
        parts.append(part)
        if isinstance(node, LineDict) and isinstance(part, str):
            node = node.get(part)
        elif isinstance(node, LineList) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            node = None
        skip_next_tag = isinstance(node, LineDict) and "type" in node
    return parts

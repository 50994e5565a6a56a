"""The one YAML reader (and writer) of the agent: strict, bounded, and line-aware.

Every YAML document the agent or the CLI reads (pack files, and a downloaded
pack's ``pack.yaml`` before anything else looks at it) goes through
:func:`load_yaml` / :func:`parse_yaml`; no other module imports PyYAML (a test
walks the source to keep it so).  The document is checked event by event
*before* any node is built or any value constructed:

- no aliases (``*name``) and no anchors (``&name``): packs never need them, and
  aliases are how a "billion laughs" document of a few hundred bytes expands
  into gigabytes;
- at most :data:`MAX_DEPTH` levels of nesting, :data:`MAX_NODES` nodes and
  :data:`MAX_SCALAR_CHARS` characters in any one value, in a file of at most
  :data:`MAX_FILE_BYTES` bytes that is a regular file (never a FIFO or a device);
- one document, string keys, no duplicate keys, no merge keys (``<<``) and no
  explicit tags beyond the plain core types.

Mappings load as :class:`LineDict` and sequences as :class:`LineList`; both
carry the 1-based line of the node and of each key/item, so a validation
error deep inside a rule can name ``file:line``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

import yaml
from yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from agent.fsutil import read_regular_file
from agent.packs.errors import PackError

MAX_FILE_BYTES: Final = 8 * 1024 * 1024
MAX_DEPTH: Final = 32
MAX_NODES: Final = 1_000_000
MAX_SCALAR_CHARS: Final = 65_536

_CORE = "tag:yaml.org,2002:"
# The tags a pack may spell out (``!!str 2026``); implicit resolution also yields
# timestamps (``effective: 2026-01-01``), which are allowed because they are not spelt.
_SCALAR_TAGS = frozenset(_CORE + t for t in ("str", "int", "float", "bool", "null"))
_IMPLICIT_SCALAR_TAGS = _SCALAR_TAGS | {_CORE + "timestamp"}
_SEQ_TAG = _CORE + "seq"
_MAP_TAG = _CORE + "map"


class LineDict(dict[str, Any]):
    line: int
    key_lines: dict[str, int]


class LineList(list[Any]):
    line: int
    item_lines: list[int]


class _Refused(yaml.MarkedYAMLError):
    def __init__(self, problem: str, node_or_event: Node | Any) -> None:
        super().__init__(problem=problem, problem_mark=node_or_event.start_mark)


# libyaml parses when available (a 200k-phrase list loads in a fraction of the time);
# composition and construction stay in Python, so the checks and the line bookkeeping
# below apply to both.
_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[valid-type,misc]
    """Composes nodes from parser events itself, refusing what packs never need first."""

    _nodes = 0

    def get_single_node(self) -> Node | None:
        self.get_event()  # stream start
        node: Node | None = None
        if not self.check_event(StreamEndEvent):
            self.get_event()  # document start
            node = self._compose(depth=1)
            self.get_event()  # document end
            if not self.check_event(StreamEndEvent):
                raise _Refused("a file holds one YAML document; found a second", self.get_event())
        self.get_event()  # stream end
        return node

    def _compose(self, depth: int) -> Node:
        event = self.get_event()
        if isinstance(event, AliasEvent):
            raise _Refused("aliases (*name) are not allowed", event)
        if event.anchor is not None:
            raise _Refused("anchors (&name) are not allowed", event)
        if depth > MAX_DEPTH:
            raise _Refused(f"nested more than {MAX_DEPTH} levels deep", event)
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise _Refused(f"more than {MAX_NODES} values in one file", event)
        explicit = event.tag not in (None, "!")
        start: Any = event.start_mark  # libyaml's marks or PyYAML's: nodes take either
        if isinstance(event, ScalarEvent):
            if len(event.value) > MAX_SCALAR_CHARS:
                raise _Refused(
                    f"a value of {len(event.value)} characters; the limit is {MAX_SCALAR_CHARS}",
                    event,
                )
            tag = event.tag if explicit else self.resolve(ScalarNode, event.value, event.implicit)
            if tag == _CORE + "merge":
                raise _Refused("merge keys (<<) are not allowed", event)
            if tag not in (_SCALAR_TAGS if explicit else _IMPLICIT_SCALAR_TAGS):
                what = f"tag {_clip(tag)}" if explicit else f"the plain value {_clip(event.value)}"
                raise _Refused(f"{what} is not allowed; quote it or drop the tag", event)
            end: Any = event.end_mark
            return ScalarNode(tag, event.value, start, end, event.style)
        if isinstance(event, SequenceStartEvent):
            if explicit and event.tag != _SEQ_TAG:
                raise _Refused(f"tag {_clip(event.tag)} is not allowed on a list", event)
            seq = SequenceNode(_SEQ_TAG, [], start, None, flow_style=event.flow_style)
            while not self.check_event(SequenceEndEvent):
                seq.value.append(self._compose(depth + 1))
            seq.end_mark = self.get_event().end_mark
            return seq
        if isinstance(event, MappingStartEvent):
            if explicit and event.tag != _MAP_TAG:
                raise _Refused(f"tag {_clip(event.tag)} is not allowed on a mapping", event)
            mapping = MappingNode(_MAP_TAG, [], start, None, flow_style=event.flow_style)
            while not self.check_event(MappingEndEvent):
                key = self._compose(depth + 1)
                mapping.value.append((key, self._compose(depth + 1)))
            mapping.end_mark = self.get_event().end_mark
            return mapping
        raise _Refused("unexpected YAML structure", event)  # pragma: no cover - parser order

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> LineDict:
        result = LineDict()
        result.line = node.start_mark.line + 1
        result.key_lines = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag != _CORE + "str":
                raise _Refused("keys must be plain words or strings", key_node)
            key = key_node.value
            if key in result:
                raise _Refused(f"duplicate key {_clip(key)}", key_node)
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


_Loader.add_constructor(_SEQ_TAG, _construct_seq)
_Loader.add_constructor(_MAP_TAG, _construct_map)


def _clip(value: str | None, limit: int = 40) -> str:
    text = value or ""
    return repr(text[:limit]) + ("…" if len(text) > limit else "")


def load_yaml(path: Path) -> Any:
    """Read and parse one YAML file; any problem is a :class:`PackError` naming file:line."""
    try:
        raw = read_regular_file(path, MAX_FILE_BYTES)
    except OSError as exc:
        raise PackError(f"cannot read: {exc.strerror or exc}", path=path) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PackError(f"not valid UTF-8 (byte {exc.start})", path=path) from None
    return parse_yaml(text, path=path)


def parse_yaml(text: str, *, path: Path | None = None) -> Any:
    """Parse YAML text with the checks above; ``path`` only names the source in errors."""
    if len(text) > MAX_FILE_BYTES:
        raise PackError(f"the text is {len(text)} characters; the limit is {MAX_FILE_BYTES}")
    loader = _Loader(text)
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = " ".join(str(exc.problem or exc.context or "invalid YAML").split())
        raise PackError(f"invalid YAML: {problem[:300]}", path=path, line=line) from None
    except yaml.YAMLError as exc:
        raise PackError(f"invalid YAML: {' '.join(str(exc).split())[:300]}", path=path) from None
    except RecursionError:  # pragma: no cover - MAX_DEPTH keeps far below the limit
        raise PackError("invalid YAML: nested too deeply", path=path) from None
    finally:
        loader.dispose()


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True  # what is written here must load again under the rules above


def dump_yaml(data: Any) -> str:
    """YAML text for plain data (mappings, lists, strings, numbers, dates), keys in order.

    What it writes loads again through :func:`parse_yaml` to equal data: no anchors,
    no aliases, no tags.
    """
    text: str = yaml.dump(
        _plain(data),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )
    return text


def _plain(data: Any) -> Any:
    if isinstance(data, dict):
        return {key: _plain(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_plain(value) for value in data]
    return data


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

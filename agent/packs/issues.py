"""Turn pydantic validation errors into pack errors that name file, line, key and expectation."""

from __future__ import annotations

import types
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from agent.packs.errors import PackError
from agent.packs.yaml_source import LineDict, LineList, line_of, skip_tags


def issues_from(
    exc: ValidationError, data: Any, path: Path, model: type[BaseModel]
) -> list[PackError]:
    errors = list(exc.errors(include_url=False))
    # a `str | Model` union reports a failure for each branch; the model branch says more
    if len(errors) > 1:
        errors = [e for e in errors if not (e["type"] == "string_type" and e["loc"][-1] == "str")]
    issues: list[PackError] = []
    seen: set[str] = set()
    for error in errors:
        message = _describe(error, data, model)
        line = line_of(data, tuple(error["loc"]))
        if message not in seen:
            seen.add(message)
            issues.append(PackError(message, path=path, line=line))
    return issues


def _describe(error: ErrorDetails, data: Any, model: type[BaseModel]) -> str:
    loc = tuple(error["loc"])
    kind = error["type"]
    where = _key_path(data, loc)
    if kind == "extra_forbidden":
        parent = _key_path(data, loc[:-1])
        allowed = _allowed_keys(model, loc[:-1])
        expected = f"; expected one of: {', '.join(allowed)}" if allowed else ""
        return f"{parent or 'top level'}: unknown key {loc[-1]!r}{expected}"
    if kind == "missing":
        parent = _key_path(data, loc[:-1])
        return f"{parent or 'top level'}: missing required key {loc[-1]!r}"
    message = error["msg"].removeprefix("Value error, ")
    if kind == "model_type" or kind == "model_attributes_type":
        message = "expected a mapping of keys"
    return f"{where or 'top level'}: {message}"


def _key_path(data: Any, loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    node = data
    for part in skip_tags(data, loc):
        if isinstance(node, LineDict) and isinstance(part, str) and part in node:
            parts.append(f".{part}" if parts else part)
            node = node[part]
        elif isinstance(node, LineList) and isinstance(part, int) and 0 <= part < len(node):
            parts.append(f"[{part}]")
            node = node[part]
        elif isinstance(part, str) and not isinstance(node, (LineDict, LineList)):
            continue  # union branch or tag name
        elif isinstance(part, str) and isinstance(node, LineDict):
            parts.append(f".{part}" if parts else part)  # a missing key
            node = None
    return "".join(parts)


def _allowed_keys(model: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    """The keys the model at ``loc`` accepts (following lists and ``type`` tags)."""
    current: Any = model
    for part in loc:
        current = _step(current, part)
        if current is None:
            return []
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [f.alias or name for name, f in current.model_fields.items()]
    return []


def _unwrap(tp: Any) -> Any:
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    return tp


def _members(tp: Any) -> list[Any]:
    tp = _unwrap(tp)
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        return [_unwrap(t) for t in typing.get_args(tp)]
    return [tp]


def _step(tp: Any, part: int | str) -> Any:
    members = _members(tp)
    if isinstance(part, int):
        for member in members:
            if typing.get_origin(member) is list:
                return typing.get_args(member)[0]
        return None
    if len(members) > 1:  # a discriminated union: the part names the chosen member
        for member in members:
            tag = getattr(member, "model_fields", {}).get("type")
            if tag is not None and part in typing.get_args(tag.annotation):
                return member
    for member in members:
        if isinstance(member, type) and issubclass(member, BaseModel):
            for name, info in member.model_fields.items():
                if part in (name, info.alias):
                    return info.annotation
        if getattr(member, "__name__", None) == part:
            return member
    return None

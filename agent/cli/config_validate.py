"""``postguard config validate FILE``: every problem of a settings file, before it is rolled out.

A managed file with a typo stops every agent that reads it, so this reports all of its
problems at once, each as ``FILE:LINE: KEY: what is wrong`` (with "did you mean" for an
unknown key), and accepts exactly what the agent accepts: the same models
(``agent.config.Settings``) and the same sync checks the agent makes at start.

``tomllib`` parses the file; it keeps no positions, so ``_KeyLines`` finds the line of each
key by reading table headers and ``key =`` lines.  It only places messages: a key it cannot
place is reported against the file without a line.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from pydantic import BaseModel, ValidationError

from agent.errors import UserError

if TYPE_CHECKING:
    from agent.config import SyncSettings

# A settings file is a few kilobytes; anything this large is not one.
MAX_FILE_BYTES: Final = 1024 * 1024
# Enough to fix a file in a few rounds; the count of the rest is still reported.
MAX_PROBLEMS: Final = 50

_HEADER = re.compile(r"^\s*\[\[?\s*([^\[\]#]+?)\s*\]\]?\s*(#.*)?$")
_BARE_OR_QUOTED_KEY = r'(?:[A-Za-z0-9_-]+|"[^"\n]*"|\'[^\'\n]*\')'
_KEY_LINE = re.compile(rf"^\s*({_BARE_OR_QUOTED_KEY}(?:\s*\.\s*{_BARE_OR_QUOTED_KEY})*)\s*=")


@dataclass(frozen=True)
class Problem:
    key: str  # dotted, "" for the whole file
    line: int | None
    message: str

    def render(self, path: Path) -> str:
        where = f"{path}:{self.line}" if self.line else str(path)
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"


class _KeyLines:
    """The line of each dotted key and table header of a TOML text (first one wins)."""

    def __init__(self, text: str) -> None:
        self.lines: dict[tuple[str, ...], int] = {}
        table: tuple[str, ...] = ()
        for number, line in enumerate(text.splitlines(), start=1):
            header = _HEADER.match(line)
            if header:
                table = _split_key(header.group(1))
                self.lines.setdefault(table, number)
                continue
            key = _KEY_LINE.match(line)
            if key:
                self.lines.setdefault((*table, *_split_key(key.group(1))), number)

    def line_of(self, path: tuple[str, ...]) -> int | None:
        """The key's own line, else the line of the nearest table or key that holds it."""
        for end in range(len(path), 0, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return None


def _split_key(dotted: str) -> tuple[str, ...]:
    parts = re.findall(rf"{_BARE_OR_QUOTED_KEY}", dotted)
    return tuple(part.strip("\"'") for part in parts)


def read_settings_file(path: Path) -> tuple[str, dict[str, Any] | None, Problem | None]:
    """The text, and its values or the TOML error; a file that cannot be read is a UserError."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UserError(f"{path}: is a directory, not a settings file") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror}") from None
    if len(raw) > MAX_FILE_BYTES:
        return (
            "",
            None,
            Problem("", None, f"larger than {MAX_FILE_BYTES} bytes: not a settings file"),
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return "", None, Problem("", None, f"not UTF-8 (byte {exc.start})")
    try:
        return text, tomllib.loads(text), None
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        return (
            text,
            None,
            Problem("", int(found.group(1)) if found else None, f"invalid TOML: {message}"),
        )


def validate_settings_file(path: Path) -> list[Problem]:
    """Every problem the agent would refuse ``path`` for, in file order."""
    text, values, problem = read_settings_file(path)
    if problem is not None:
        return [problem]
    assert values is not None
    lines = _KeyLines(text)
    problems = _location_keys(values, lines)
    sync = _validated(values, lines, problems)
    if sync is not None:
        problems += _sync_problems(sync, lines)
    return sorted(problems, key=lambda p: (p.line or 0, p.key))


def _location_keys(values: dict[str, Any], lines: _KeyLines) -> list[Problem]:
    from agent.config import LOCATION_KEYS

    return [
        Problem(key, lines.line_of((key,)), f"cannot be set in a file; use POSTGUARD_{key.upper()}")
        for key in sorted(LOCATION_KEYS & values.keys())
    ]


def _validated(
    values: dict[str, Any], lines: _KeyLines, problems: list[Problem]
) -> SyncSettings | None:
    """Adds what the settings models refuse to ``problems``; the ``[sync]`` table if it is valid.

    The sync table is returned even when another table has a problem, so its start-time
    checks are reported in the same run.
    """
    from agent.config import LOCATION_KEYS, Settings, SyncSettings

    candidate = {k: v for k, v in values.items() if k not in LOCATION_KEYS}
    try:
        return Settings.model_validate(candidate).sync
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False)
        for error in errors:
            loc = tuple(str(part) for part in error["loc"])
            problems.append(_problem(Settings, loc, error["type"], error["msg"], lines))
        if any(error["loc"][:1] == ("sync",) for error in errors):
            return None
        return SyncSettings.model_validate(candidate.get("sync", {}))


def _problem(
    model: type[BaseModel], loc: tuple[str, ...], kind: str, msg: str, lines: _KeyLines
) -> Problem:
    key = ".".join(loc)
    if kind == "extra_forbidden":
        return Problem(key, lines.line_of(loc), f"unknown setting{_suggestion(model, loc)}")
    return Problem(key, lines.line_of(loc), msg.removeprefix("Value error, "))


def _suggestion(model: type[BaseModel], loc: tuple[str, ...]) -> str:
    """A close name at the same level, or the table a known name belongs in."""
    if len(loc) == 1:  # a table's key written above its header, e.g. poll_interval_s
        for name, field in model.model_fields.items():
            section = field.annotation
            is_table = isinstance(section, type) and issubclass(section, BaseModel)
            if is_table and loc[0] in section.model_fields:  # type: ignore[union-attr]
                return f" (did you mean '{name}.{loc[0]}', under [{name}]?)"
    known = list(_model_at(model, loc[:-1]).model_fields)
    guess = difflib.get_close_matches(loc[-1], known, n=1, cutoff=0.6)
    return f" (did you mean {'.'.join((*loc[:-1], guess[0]))!r}?)" if guess else ""


def _model_at(model: type[BaseModel], path: tuple[str, ...]) -> type[BaseModel]:
    for part in path:
        field = model.model_fields.get(part)
        annotation = field.annotation if field is not None else None
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return model
        model = annotation
    return model


def _sync_problems(sync: SyncSettings, lines: _KeyLines) -> list[Problem]:
    """The checks the agent makes of ``[sync]`` at start, which stop it when they fail."""
    from agent.sync.options import SyncOptions

    try:
        SyncOptions.from_settings(sync)
    except UserError as exc:
        key = "sync.trusted_keys" if "trusted_keys" in exc.message else "sync.index_url"
        message = exc.message.removeprefix(f"{key}: ").removeprefix(f"{key} ")
        return [Problem(key, lines.line_of(tuple(key.split("."))), message)]
    return []

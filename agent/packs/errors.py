"""Pack errors: one line that names the file, the line and what was expected."""

from __future__ import annotations

from pathlib import Path

from agent.errors import UserError


class PackError(UserError):
    """A pack that cannot be loaded: bad YAML, an unknown key, a bad regex, ..."""

    def __init__(self, message: str, *, path: Path | None = None, line: int | None = None) -> None:
        where = ""
        if path is not None:
            where = f"{path}:{line}: " if line is not None else f"{path}: "
        super().__init__(where + message)
        self.reason = message  # without the file and line, for callers that name the file
        self.path = path
        self.line = line

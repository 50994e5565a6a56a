"""Compiled regexes in the start-up cache: stored as their compiled code, not their source.

A pickled ``re.Pattern`` is its source text, so every start re-parsed and
re-compiled the packs' regexes: about 50 ms for the bundled packs, most of
what loading the cache cost.  The cache's pickler stores the compiled code
instead (what ``re`` hands to ``_sre.compile``), and loading builds the
pattern from it directly.  The code belongs to one Python build, which is
part of the cache key, so a file is only ever read by the build that wrote
it; a load that fails anyway is a cache miss like any other (the caller
recompiles).  Files are only unpickled after their HMAC verifies.
"""

from __future__ import annotations

import _sre  # type: ignore[import-not-found]
import copyreg
import io
import pickle
import re
from typing import Any

from agent.engine.sre import sre_compile, sre_parse


def _from_code(
    pattern: str,
    flags: int,
    code: list[int],
    groups: int,
    groupindex: dict[str, int],
    indexgroup: tuple[str | None, ...],
) -> re.Pattern[str]:
    compiled: re.Pattern[str] = _sre.compile(pattern, flags, code, groups, groupindex, indexgroup)
    return compiled


def _reduce(pattern: re.Pattern[str]) -> tuple[Any, tuple[Any, ...]]:
    """What ``re.compile`` does, stopping short of ``_sre.compile`` (3.11 ``re._compiler``)."""
    if not isinstance(pattern.pattern, str):
        return re.compile, (pattern.pattern, pattern.flags)  # bytes patterns: none in packs
    parsed = sre_parse.parse(pattern.pattern, pattern.flags)
    # the opcodes are named int constants; plain ints pickle without the re internals
    code = [int(word) for word in sre_compile._code(parsed, pattern.flags)]
    groupindex = dict(parsed.state.groupdict)
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    flags = pattern.flags | parsed.state.flags
    return _from_code, (
        pattern.pattern,
        flags,
        code,
        parsed.state.groups - 1,
        groupindex,
        tuple(indexgroup),
    )


_DISPATCH: dict[type, Any] = {**copyreg.dispatch_table, re.Pattern: _reduce}


def dumps(obj: object) -> bytes:
    """``pickle.dumps`` with compiled regexes stored as code; ``pickle.loads`` reads it."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _DISPATCH
    pickler.dump(obj)
    return buffer.getvalue()

"""Every bundled regex, and texts likely to exercise it: its own literals, pack examples, noise."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import strategies as st

from agent.packs.loader import load_pack_set
from agent.packs.models import ConditionalMatch, PatternMatch
from agent.paths import BUNDLED_PACKS, EXAMPLE_COMPANY


def _bundled() -> tuple[list[str], list[str]]:
    regexes: set[str] = set()
    texts: list[str] = []
    for rule in load_pack_set([*BUNDLED_PACKS, EXAMPLE_COMPANY]).rules:
        match = rule.rule.match
        parts = [match.trigger, match.require] if isinstance(match, ConditionalMatch) else [match]
        regexes.update(p.regex for p in parts if isinstance(p, PatternMatch))
        examples = rule.rule.examples
        texts += [e.text for e in (*examples.positives(), *examples.negatives())]
    return sorted(regexes), texts


REGEXES, EXAMPLES = _bundled()

NOISE = st.sampled_from(
    [
        *(" ", "  ", "\n", "\t", "\u00a0", "\u2003", ".", ",", ":", "-", "'", "’", "#", "@", "%"),
        *("K", "ſ", "ı", "İ", "é", "ß", "😀", "\u200b", "4111", "2026", "٣", "AB12", "x", "_"),
    ]
)


def literals(regex: str) -> list[str]:
    """Pieces of the regex's own text likely to match: its literals, cased three ways, and
    its symbols (a regex of emoji alone has no other literal)."""
    words = re.findall(r"[A-Za-z0-9#@:/._’'-]{2,}", regex.replace(r"\s+", " "))
    pieces = [w.replace("\\", "") for w in words]
    symbols = sorted({c for c in regex if unicodedata.category(c) == "So"})
    return pieces + [p.upper() for p in pieces] + [p.title() for p in pieces] + symbols


def texts_for(regex: str) -> st.SearchStrategy[str]:
    pieces = st.one_of(
        st.sampled_from(literals(regex)),
        st.sampled_from(EXAMPLES),
        NOISE,
        st.text(max_size=4),
    )
    return st.lists(pieces, max_size=30).map("".join)

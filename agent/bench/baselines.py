"""The two reference points for phrase matching, over the same phrases as the engine.

- the naive approach: one compiled regex alternation, case-insensitive, whole words;
- the floor: a bare pyahocorasick scan of the lower-cased text, no normalisation,
  no span mapping, no findings.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import ahocorasick


def regex_scanner(phrases: list[str]) -> Callable[[str], int]:
    alternation = "|".join(re.escape(phrase) for phrase in phrases)
    pattern = re.compile(rf"\b(?:{alternation})\b", re.IGNORECASE)

    def scan(text: str) -> int:
        return sum(1 for _ in pattern.finditer(text))

    return scan


def bare_automaton(phrases: list[str]) -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for index, phrase in enumerate(phrases):
        automaton.add_word(phrase.lower(), index)
    automaton.make_automaton()
    return automaton


def bare_scanner(automaton: ahocorasick.Automaton) -> Callable[[str], int]:
    def scan(text: str) -> int:
        return sum(1 for _ in automaton.iter(text.lower()))

    return scan

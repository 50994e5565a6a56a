"""The phrase pass and the regex pre-checks share one pass over a post's text."""

from __future__ import annotations

from agent.engine.matchers.base import Scan
from agent.engine.matchers.phrases import PhraseIndex
from agent.engine.normalize import TextViews
from agent.engine.text_index import TextIndex


def _indexes() -> tuple[PhraseIndex, TextIndex, int, int]:
    text_index = TextIndex()
    literal = text_index.add_literals(frozenset({"iban"}))
    anchor = text_index.add_prefixes(frozenset({"ssn"}))
    phrases = PhraseIndex()
    slot = phrases.new_slot()
    phrases.add(["internal only"], flavour="folded", whole_word=True, slot=slot)
    phrases.freeze(text_index.freeze())
    return phrases, text_index, literal, anchor


def test_a_post_with_line_breaks_is_read_once_for_phrases_and_pre_checks() -> None:
    phrases, text_index, literal, anchor = _indexes()
    scan = Scan(TextViews("Our IBAN:\nsee the SSN\tform.\n\nInternal\nonly"), text_index)
    phrases.scan(scan)
    shared = scan._text_hits  # filled by the phrase pass, not by a pass of its own
    assert shared is not None
    assert scan.literals() == {literal}
    assert scan.anchor_starts(anchor) == [18]
    assert scan._text_hits is shared
    assert [(h.start, h.end) for h in scan.hits(1)] == [(29, 42)]

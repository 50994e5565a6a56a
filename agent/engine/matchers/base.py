"""What every compiled matcher shares: hits in original code points, and the scan context."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from agent.engine.anchors import fold_for_anchors
from agent.engine.normalize import TextViews
from agent.engine.prefilter import count_digits
from agent.engine.proximity import WordMap
from agent.engine.result import Severity
from agent.engine.text_index import TextHits, TextIndex


@dataclass(frozen=True, slots=True)
class Hit:
    """One match, as a half-open span of original code points, with its explanation."""

    start: int
    end: int
    detail: str
    validator: str | None = None
    validator_result: bool | None = None
    context: tuple[str, ...] = ()
    severity: Severity | None = None  # raised by evidence (``escalate``); None: the rule's
    # The primary term when evidence widened the span ("you … idiot"): suppressors are
    # measured from the term itself, so "he called me an idiot" is reported speech.
    term: tuple[int, int] | None = None


@dataclass(slots=True)
class Scan:
    """Per-check state: the text's views and the results of the shared passes.

    ``slots`` holds the hits of every phrase set and hashed list, found in one
    pass per normalisation flavour; matchers look their slot up here.
    """

    views: TextViews
    index: TextIndex | None = None
    # time.monotonic() by which the check's regex work must be done (pack_regex.Clock)
    deadline: float = float("inf")
    slots: dict[int, list[Hit]] = field(default_factory=dict)
    _digits: int = -1
    _text_hits: TextHits | None = None
    _anchor_text: str | None = None
    _anchored: bool = False  # whether the folded text lines up with the cased view
    _words: WordMap | None = None
    # Word-list hits are recorded cheaply in the pass and turned into Hits only for the
    # slots a rule asks for: most list terms are evidence, read only near a primary hit.
    resolvers: list[Callable[[int], list[Hit]]] = field(default_factory=list)
    _resolved: set[int] = field(default_factory=set)
    # Per-check memo of proximity clauses' sorted hits, keyed by the clause's identity.
    clauses: dict[int, Any] = field(default_factory=dict)

    def words(self) -> WordMap:
        """Word and sentence positions of the post, for proximity (tokenised on first need)."""
        if self._words is None:
            self._words = WordMap(self.views.text)
        return self._words

    def hits(self, slot: int) -> list[Hit]:
        if self.resolvers and slot not in self._resolved:
            self._resolved.add(slot)
            for resolve in self.resolvers:
                found = resolve(slot)
                if found:
                    self.slots.setdefault(slot, []).extend(found)
        return self.slots.get(slot, [])

    def _text_for_anchors(self) -> str:
        """The cased view folded for the pre-checks (once; the length check goes with it)."""
        if self._anchor_text is None:
            cased = self.views.cased
            self._anchor_text = fold_for_anchors(cased.text, cased.wide)
            # a text whose folding changed its length (none today) is searched in full
            self._anchored = len(self._anchor_text) == len(cased.text)
        return self._anchor_text

    def _text(self) -> TextHits:
        """The shared literal and prefix pass over the folded text, run on first need."""
        if self._text_hits is None:
            index = self.index
            if index is None or index.empty:
                self._text_hits = TextHits()  # nothing registered: no rule asks for anchors
            else:
                self._text_hits = index.scan(self._text_for_anchors(), anchored=self._anchored)
        return self._text_hits

    def share_text_pass(self, folded: str) -> tuple[TextHits | None, bool]:
        """Hits for the phrase pass over ``folded`` to fill, when the pre-checks read that text.

        Returns the empty hits and whether to record anchor starts, or ``(None, False)``
        when the pre-checks need a pass of their own (or already ran).
        """
        if self._text_hits is not None or self.index is None or self.index.empty:
            return None, False  # no pre-check keys: nothing to fill, no pass to save
        if self._text_for_anchors() != folded:
            return None, False
        self._text_hits = TextHits()
        return self._text_hits, self._anchored

    def literals(self) -> set[int]:
        """The literal sets (prefilter slots) that occur in the text."""
        return self._text().literals

    def digits(self) -> int:
        """Digit characters in the cased view, counted once, on first need."""
        if self._digits < 0:
            cased = self.views.cased
            self._digits = count_digits(cased.text, cased.wide)
        return self._digits

    def anchor_starts(self, slot: int) -> list[int] | None:
        """Where the anchored regex of ``slot`` may match, or ``None``: try everywhere."""
        hits = self._text()
        if not self._anchored or self.index is None:
            return None
        return hits.starts.get(slot, [])


class Matcher(Protocol):
    @property
    def kind(self) -> str: ...

    @property
    def required_literals(self) -> frozenset[int]:
        """Pre-check literal sets every hit needs: without one of them, ``find`` finds nothing."""
        ...

    def find(self, scan: Scan) -> list[Hit]: ...

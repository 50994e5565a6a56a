"""What every compiled matcher shares: hits in original code points, and the scan context."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from agent.engine.normalize import TextViews
from agent.engine.prefilter import count_digits


@dataclass(frozen=True, slots=True)
class Hit:
    """One match, as a half-open span of original code points, with its explanation."""

    start: int
    end: int
    detail: str
    validator: str | None = None
    validator_result: bool | None = None
    context: tuple[str, ...] = ()


@dataclass(slots=True)
class Scan:
    """Per-check state: the text's views and the results of the shared passes.

    ``slots`` holds the hits of every phrase set and hashed list, found in one
    pass per normalisation flavour; matchers look their slot up here.
    """

    views: TextViews
    slots: dict[int, list[Hit]] = field(default_factory=dict)
    literals: set[int] = field(default_factory=set)  # literal sets that occur in the text
    _digits: int = -1

    def hits(self, slot: int) -> list[Hit]:
        return self.slots.get(slot, [])

    def digits(self) -> int:
        """Digit characters in the cased view, counted once, on first need."""
        if self._digits < 0:
            self._digits = count_digits(self.views.cased.text)
        return self._digits


class Matcher(Protocol):
    @property
    def kind(self) -> str: ...

    def find(self, scan: Scan) -> list[Hit]: ...

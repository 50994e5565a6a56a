"""Regular expressions over the cased view, with an optional validator and context words."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import ClassVar

from agent.engine.anchors import (
    StartGuard,
    anchor_prefixes,
    matches_at,
    start_guard,
    worth_anchoring,
)
from agent.engine.matchers.base import Hit, Scan
from agent.engine.matchers.words import Clause
from agent.engine.pack_regex import Clock, Match, Pattern, compile_pack_regex
from agent.engine.prefilter import Requirement, requirement
from agent.engine.regex_parts import Finder, leftmost_first, split
from agent.engine.text_index import TextIndex
from agent.engine.validators import VALIDATORS, Validator, ValidatorOptions


@dataclass(frozen=True, slots=True)
class PatternContext:
    """Words one of which must stand within ``window`` characters of a match.

    The words are a word-list clause, so they ride the one word pass like every list:
    a post without any of them never runs the regex, and a match looks its neighbours
    up by position instead of searching the text around it again.
    """

    clause: Clause
    window: int

    def around(self, scan: Scan, start: int, end: int) -> tuple[str, ...]:
        hits, starts, _ = self.clause.sorted_hits(scan)
        text = scan.views.text
        found: dict[str, None] = {}
        first = bisect_left(starts, start - self.window - _LONGEST_TERM)
        for hit in hits[first:]:
            if hit.start > end + self.window:
                break
            if hit.end >= start - self.window:
                found[text[hit.start : hit.end].lower()] = None
        return tuple(found)


_LONGEST_TERM = 200  # characters: a context term that ends in the window starts after this


@dataclass(frozen=True, slots=True)
class _Part:
    """One part of a rule's regex (:mod:`agent.engine.regex_parts`), or the whole of it,
    with what its matches need and where they can start."""

    regex: Pattern[str]
    literal_slots: tuple[int, ...]  # each slot's literals must occur in the text
    min_digits: int  # the text must hold at least this many digits
    marks: str  # the text must hold each of these characters
    anchor_slot: int  # 0: no literal prefix starts every match; search everywhere
    guard: StartGuard | None  # what never stands right before a match (anchors.start_guard)

    @classmethod
    def compile(cls, source: str, index: TextIndex, whole: Pattern[str] | None = None) -> _Part:
        """``whole``: the rule's compiled regex when this part is all of it (the rule
        checks what its matches need itself)."""
        needs = requirement(source) if whole is None else Requirement()
        prefixes = anchor_prefixes(source)
        return cls(
            regex=compile_pack_regex(source) if whole is None else whole,
            literal_slots=tuple(index.add_literals(s) for s in needs.literal_sets),
            min_digits=needs.digits,
            marks="".join(sorted(needs.marks)),
            anchor_slot=index.add_prefixes(prefixes) if prefixes else 0,
            guard=start_guard(source) if prefixes else None,
        )

    def possible(self, scan: Scan, text: str) -> bool:
        """Whether the text holds what every match needs."""
        if self.literal_slots and not scan.literals().issuperset(self.literal_slots):
            return False
        if self.min_digits and scan.digits() < self.min_digits:
            return False
        return not self.marks or all(map(text.__contains__, self.marks))

    def starts(self, scan: Scan, text: str) -> list[int] | None:
        """Where matches may start, or ``None``: search everywhere."""
        starts = scan.anchor_starts(self.anchor_slot) if self.anchor_slot else None
        if starts and self.guard is not None:
            starts = self.guard.keep(starts, text)
        return starts if starts is not None and worth_anchoring(starts, text) else None

    def matches(self, scan: Scan, text: str, clock: Clock) -> Iterator[Match[str]]:
        """What ``finditer`` of this part yields."""
        starts = self.starts(scan, text)
        if starts is None:
            return clock.finditer(self.regex, text)
        regex = self.regex
        return matches_at(lambda text, pos: clock.match(regex, text, pos), text, starts)

    def finder(self, scan: Scan, text: str, clock: Clock) -> Finder:
        """This part's first match at or after a position (positions asked in ascending order)."""
        regex = self.regex
        starts = self.starts(scan, text)
        if starts is None:
            return lambda pos: clock.search(regex, text, pos)
        following = iter(starts)

        def first_from(pos: int) -> Match[str] | None:
            for start in following:
                if start >= pos:
                    found = clock.match(regex, text, start)
                    if found is not None:
                        return found
            return None

        return first_from


@dataclass(frozen=True, slots=True)
class PatternMatcher:
    regex: Pattern[str]
    group: str | None
    validator_name: str | None
    validator: Validator | None
    options: ValidatorOptions
    context: PatternContext | None
    literal_slots: tuple[int, ...]  # each slot's literals must occur in the text
    min_digits: int  # the text must hold at least this many digits
    marks: str  # the text must hold each of these characters
    parts: tuple[_Part, ...]  # the regex itself, or its parts (regex_parts.split)
    kind: ClassVar[str] = "pattern"

    @classmethod
    def compile(
        cls,
        source: str,
        index: TextIndex,
        *,
        group: str | None = None,
        validator: str | None = None,
        min_entropy: float | None = None,
        allowed_domains: Iterable[str] = (),
        context: PatternContext | None = None,
    ) -> PatternMatcher:
        """The matcher of regex ``source``, reporting its ``group`` (the whole match when
        None); ``validator`` names one of :data:`VALIDATORS`, and ``min_entropy`` and
        ``allowed_domains`` are its options."""
        options = ValidatorOptions(
            min_entropy=min_entropy,
            allowed_domains=frozenset(d.lower().strip(".") for d in allowed_domains),
        )
        needs = requirement(source)
        regex = compile_pack_regex(source)
        sources = split(source)
        parts: tuple[_Part, ...]
        if len(sources) == 1:
            parts = (_Part.compile(source, index, whole=regex),)
        else:
            parts = tuple(_Part.compile(part, index) for part in sources)
        return cls(
            regex=regex,
            group=group,
            validator_name=validator,
            validator=VALIDATORS[validator] if validator else None,
            options=options,
            context=context,
            literal_slots=tuple(index.add_literals(s) for s in needs.literal_sets),
            min_digits=needs.digits,
            marks="".join(sorted(needs.marks)),
            parts=parts,
        )

    @property
    def required_literals(self) -> frozenset[int]:
        return frozenset(self.literal_slots)

    def find(self, scan: Scan) -> list[Hit]:
        if self.literal_slots and not scan.literals().issuperset(self.literal_slots):
            return []
        if self.context is not None and not self.context.clause.sorted_hits(scan)[0]:
            return []  # no context word anywhere: no match can have one near it
        if self.min_digits and scan.digits() < self.min_digits:
            return []
        view = scan.views.cased
        text = view.text
        if self.marks and not all(map(text.__contains__, self.marks)):
            return []
        parts = [part for part in self.parts if part.possible(scan, text)]
        if not parts:
            return []
        hits: list[Hit] = []
        clock = Clock(scan.deadline)  # raises RegexTimeout when the rule's time runs out
        if len(parts) == 1:
            matches = parts[0].matches(scan, text, clock)
        else:
            matches = leftmost_first([part.finder(scan, text, clock) for part in parts])
        for found in matches:
            names = found.re.groupindex  # a part may lack a group of the regex
            if self.group:
                start, end = found.span(self.group) if self.group in names else (-1, -1)
            else:
                start, end = found.span()
            if start < 0 or start >= end:
                continue
            found_context: tuple[str, ...] = ()
            if self.context is not None:
                found_context = self.context.around(scan, *view.original_span(start, end))
                if not found_context:
                    continue
            result: bool | None = None
            detail = "regex matched"
            if self.validator is not None:
                value = found.group("value") if "value" in names else None
                ok, note = self.validator(value or text[start:end], self.options)
                if not ok:
                    continue
                result, detail = True, f"regex matched; {self.validator_name}: {note}"
            if found_context:
                detail += f"; context: {', '.join(found_context)}"
            orig_start, orig_end = view.original_span(start, end)
            hits.append(
                Hit(orig_start, orig_end, detail, self.validator_name, result, found_context)
            )
        return hits

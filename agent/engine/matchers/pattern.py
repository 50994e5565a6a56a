"""Regular expressions over the cased view, with an optional validator and context words."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from agent.engine.matchers.base import Hit, Scan
from agent.engine.normalize import normalise_phrase
from agent.engine.prefilter import LiteralIndex, requirement
from agent.engine.validators import VALIDATORS, Validator, ValidatorOptions
from agent.packs.models import PatternMatch


@dataclass(frozen=True, slots=True)
class _Context:
    regex: re.Pattern[str]
    window: int

    def around(self, text: str, start: int, end: int) -> tuple[str, ...]:
        lo, hi = max(0, start - self.window), min(len(text), end + self.window)
        found = dict.fromkeys(m.group().lower() for m in self.regex.finditer(text, lo, hi))
        return tuple(found)


@dataclass(frozen=True, slots=True)
class PatternMatcher:
    regex: re.Pattern[str]
    group: str | None
    validator_name: str | None
    validator: Validator | None
    options: ValidatorOptions
    context: _Context | None
    literal_slots: tuple[int, ...]  # each slot's literals must occur in the text
    min_digits: int  # the text must hold at least this many digits
    kind: ClassVar[str] = "pattern"

    @classmethod
    def compile(cls, spec: PatternMatch, literals: LiteralIndex) -> PatternMatcher:
        context = None
        if spec.context is not None:
            words = sorted(
                {normalise_phrase(w, "cased") for w in spec.context.words} - {""},
                key=lambda w: (-len(w), w),
            )
            alternation = "|".join(re.escape(w) for w in words)
            context = _Context(
                re.compile(rf"(?<!\w)(?:{alternation})(?!\w)", re.IGNORECASE),
                spec.context.window,
            )
        options = ValidatorOptions(
            min_entropy=spec.min_entropy,
            allowed_domains=frozenset(d.lower().strip(".") for d in spec.allowed_domains or ()),
        )
        needs = requirement(spec.regex)
        return cls(
            regex=re.compile(spec.regex),
            group=spec.group,
            validator_name=spec.validator,
            validator=VALIDATORS[spec.validator] if spec.validator else None,
            options=options,
            context=context,
            literal_slots=tuple(literals.add(s) for s in needs.literal_sets),
            min_digits=needs.digits,
        )

    def find(self, scan: Scan) -> list[Hit]:
        if not scan.literals.issuperset(self.literal_slots):
            return []
        if self.min_digits and scan.digits() < self.min_digits:
            return []
        view = scan.views.cased
        text = view.text
        hits: list[Hit] = []
        has_value = "value" in self.regex.groupindex
        for found in self.regex.finditer(text):
            start, end = found.span(self.group) if self.group else found.span()
            if start < 0 or start >= end:
                continue
            found_context: tuple[str, ...] = ()
            if self.context is not None:
                found_context = self.context.around(text, start, end)
                if not found_context:
                    continue
            result: bool | None = None
            detail = "regex matched"
            if self.validator is not None:
                value = found.group("value") if has_value and found.group("value") else None
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

"""Word lists with proximity: a primary term, the evidence it needs nearby, and escalation.

Every list's keys sit in the shared automaton (one pass over the post fills
every list's slot); this matcher only combines the slots: a candidate is each
occurrence of a primary term; each ``near`` clause must find one of its terms
within its window, no ``not_near`` clause may, and every ``escalate`` step whose
clauses all hold raises the finding's severity.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from agent.engine.matchers.base import Hit, Scan
from agent.engine.proximity import Window, WordMap
from agent.engine.result import Severity


@dataclass(frozen=True, slots=True)
class Clause:
    """A set of terms: the slots of the lists it names (each with its label for explanations)."""

    slots: tuple[tuple[int, str], ...]

    def hits(self, scan: Scan) -> list[tuple[Hit, str]]:
        found: list[tuple[Hit, str]] = []
        for slot, label in self.slots:
            for hit in scan.hits(slot):
                found.append((hit, label))
        return found

    def sorted_hits(self, scan: Scan) -> tuple[list[Hit], list[int], dict[int, str]]:
        """The clause's hits by position, their starts, and each hit's label (by id)."""
        cached = scan.clauses.get(id(self))
        if cached is None:
            pairs = sorted(self.hits(scan), key=lambda pair: pair[0].start)
            hits = [hit for hit, _ in pairs]
            labels = {id(hit): label for hit, label in pairs}
            cached = scan.clauses[id(self)] = (hits, [hit.start for hit in hits], labels)
        return cached


@dataclass(frozen=True, slots=True)
class Near:
    clause: Clause
    window: Window

    def nearest(self, target: Hit, scan: Scan, words: WordMap) -> tuple[Hit, str] | None:
        hits, starts, labels = self.clause.sorted_hits(scan)
        if not hits:
            return None
        best = self.window.nearest(target, hits, starts, words)
        return None if best is None else (best, labels[id(best)])


@dataclass(frozen=True, slots=True)
class Escalation:
    severity: Severity
    near: tuple[Near, ...]


def describe(hit: Hit, label: str, text: str) -> str:
    quoted = text[hit.start : hit.end]
    return f'{label} "{quoted}"' if label else f'"{quoted}"'


@dataclass(frozen=True, slots=True)
class WordsMatcher:
    primary: Clause
    near: tuple[Near, ...]
    not_near: tuple[Near, ...]
    escalate: tuple[Escalation, ...]
    kind: ClassVar[str] = "words"
    required_literals: ClassVar[frozenset[int]] = frozenset()

    def find(self, scan: Scan) -> list[Hit]:
        candidates = self.primary.hits(scan)
        if not candidates:
            return []
        text = scan.views.text
        words: WordMap | None = None
        hits: list[Hit] = []
        for hit, label in candidates:
            if (self.near or self.not_near or self.escalate) and words is None:
                words = scan.words()
            start, end = hit.start, hit.end
            evidence: list[str] = []
            context: list[str] = []
            for near in self.near:
                assert words is not None
                found = near.nearest(hit, scan, words)
                if found is None:
                    break
                other, other_label = found
                start, end = min(start, other.start), max(end, other.end)
                evidence.append(describe(other, other_label, text))
                context.append(text[other.start : other.end])
            else:
                assert words is not None or not self.not_near
                if any(n.nearest(hit, scan, words) for n in self.not_near if words is not None):
                    continue
                severity: Severity | None = None
                for step in self.escalate:
                    assert words is not None
                    support = [n.nearest(hit, scan, words) for n in step.near]
                    if all(support) and (severity is None or step.severity.rank > severity.rank):
                        severity = step.severity
                        evidence.extend(describe(o, lab, text) for o, lab in filter(None, support))
                detail = describe(hit, label, text)
                if evidence:
                    detail += " near " + ", ".join(evidence)
                if severity is not None:
                    detail += f" → {severity.value}"
                term = (hit.start, hit.end) if (start, end) != (hit.start, hit.end) else None
                hits.append(
                    Hit(start, end, detail, context=tuple(context), severity=severity, term=term)
                )
        return hits

"""A trigger that needs a companion: a discount code without ``#ad`` is a finding."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from agent.engine.matchers.base import Hit, Matcher, Scan


@dataclass(frozen=True, slots=True)
class ConditionalMatcher:
    trigger: Matcher
    require: Matcher
    kind: ClassVar[str] = "conditional"

    @property
    def required_literals(self) -> frozenset[int]:
        return self.trigger.required_literals  # no trigger hit, no finding

    def find(self, scan: Scan) -> list[Hit]:
        triggered = self.trigger.find(scan)
        if not triggered or self.require.find(scan):
            return []
        return [
            Hit(
                hit.start,
                hit.end,
                f"{self.trigger.kind} trigger ({hit.detail}) without the required"
                f" {self.require.kind} match anywhere in the text",
                hit.validator,
                hit.validator_result,
                hit.context,
                severity=hit.severity,  # the trigger's evidence raised it: keep that
                term=hit.term,  # suppressors measure from the trigger's own term
            )
            for hit in triggered
        ]

"""Pattern rules: regex, reported group, validators and context words."""

from __future__ import annotations

import pytest

from tests.engine.conftest import EngineFor, check, matched

PASSWORD = r"""
match:
  type: pattern
  regex: '(?i)\bpassword\s*(?:is|:|=)\s*(?P<value>\S{6,})'
  validator: entropy
"""
CARD = r"""
match:
  type: pattern
  regex: '\b(?:\d[ -]?){12,18}\d\b'
  validator: luhn
"""
CARD_CONTEXT = r"""
match:
  type: pattern
  regex: '\b(?:\d[ -]?){12,18}\d\b'
  validator: luhn
  context: {words: [card, "credit card"], window: 20}
"""
GROUP = r"""
match:
  type: pattern
  regex: 'token=(?P<token>[A-Za-z0-9]{8,})'
  group: token
"""
EMAIL = r"""
match:
  type: pattern
  regex: '[\w.+-]+@[\w-]+(?:\.[\w-]+)+'
  validator: email_domain_not_allowed
  allowed_domains: [example.com]
"""


@pytest.mark.parametrize(
    ("body", "text", "expected"),
    [
        (PASSWORD, "Staging password is Winter2024!", ["password is Winter2024!"]),
        (PASSWORD, "PASSWORD: Tr0ub4dor&3", ["PASSWORD: Tr0ub4dor&3"]),
        (PASSWORD, "password is aaaaaaaa", []),  # low entropy: not a secret
        (PASSWORD, "never reuse your password", []),
        (CARD, "card 4111 1111 1111 1111", ["4111 1111 1111 1111"]),
        (CARD, "card 4111 1111 1111 1112", []),  # fails Luhn
        (CARD, "card ４１１１ １１１１ １１１１ １１１１", ["４１１１ １１１１ １１１１ １１１１"]),
        (CARD_CONTEXT, "my card: 4111111111111111", ["4111111111111111"]),
        (CARD_CONTEXT, "order 4111111111111111 shipped", []),  # no context word
        (CARD_CONTEXT, "Credit Card 4111111111111111", ["4111111111111111"]),
        (CARD_CONTEXT, "card" + " " * 30 + "4111111111111111", []),  # outside the window
        (GROUP, "url?token=abcdef123456", ["abcdef123456"]),
        (GROUP, "url?token=short", []),
        (EMAIL, "write to jane@gmail.com", ["jane@gmail.com"]),
        (EMAIL, "write to jane@example.com", []),
    ],
)
def test_pattern(engine_for: EngineFor, body: str, text: str, expected: list[str]) -> None:
    assert matched(check(engine_for(body), text)) == expected


def test_explanation_names_validator_and_context(engine_for: EngineFor) -> None:
    finding = check(engine_for(CARD_CONTEXT), "card 4111111111111111").findings[0]
    assert finding.explanation.matcher == "pattern"
    assert finding.explanation.validator == "luhn"
    assert finding.explanation.validator_result is True
    assert finding.explanation.context == ["card"]
    assert "Luhn" in finding.explanation.detail


def test_pattern_runs_on_normalised_text(engine_for: EngineFor) -> None:
    # Cyrillic "р" and "о" in "password", a zero-width space inside the value
    text = "раsswоrd is Win\u200bter2024!"
    assert matched(check(engine_for(PASSWORD), text)) == [text]

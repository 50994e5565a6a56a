"""Each validator with valid and invalid inputs side by side."""

from __future__ import annotations

import pytest

from agent.engine.validators import VALIDATORS, ValidatorOptions, shannon_entropy

CASES = [
    # (validator, text, expected, options)
    ("luhn", "4111 1111 1111 1111", True, {}),
    ("luhn", "4111 1111 1111 1112", False, {}),
    ("luhn", "5500-0000-0000-0004", True, {}),
    ("luhn", "0000 0000 0000 0000", False, {}),  # all the same digit
    ("luhn", "79927398713", False, {}),  # passes Luhn but too short for a card
    ("iban", "GB82 WEST 1234 5698 7654 32", True, {}),
    ("iban", "GB82 WEST 1234 5698 7654 33", False, {}),
    ("iban", "DE89370400440532013000", True, {}),
    ("iban", "DE8937040044053201300", False, {}),  # wrong length for DE
    ("iban", "hello world", False, {}),
    ("us_ssn", "536-22-1234", True, {}),
    ("us_ssn", "000-22-1234", False, {}),
    ("us_ssn", "666-22-1234", False, {}),
    ("us_ssn", "912-22-1234", False, {}),
    ("us_ssn", "536-00-1234", False, {}),
    ("us_ssn", "536-22-0000", False, {}),
    ("us_ssn", "078-05-1120", False, {}),  # the Woolworth wallet number
    ("entropy", "Winter2024!", True, {}),
    ("entropy", "aaaaaaaa", False, {}),
    ("entropy", "abcabcabc", False, {}),
    ("entropy", "abcdefgh", True, {"min_entropy": 2.5}),
    ("entropy", "abcdefgh", False, {"min_entropy": 3.5}),
    ("aba_routing", "011000015", True, {}),
    ("aba_routing", "011000016", False, {}),
    ("aba_routing", "111111111", False, {}),
    ("email", "jane.doe@corp.example.com", True, {}),
    ("email", "jane..doe@corp.com", False, {}),
    ("email", "jane@localhost", False, {}),
    ("email_domain_not_allowed", "jane@gmail.com", True, {"allowed_domains": ["example.com"]}),
    ("email_domain_not_allowed", "jane@example.com", False, {"allowed_domains": ["example.com"]}),
    ("email_domain_not_allowed", "j@eu.example.com", False, {"allowed_domains": ["example.com"]}),
    ("phone", "+1 (415) 555-2671", True, {}),
    ("phone", "555-0000", False, {}),  # too few distinct digits
    ("phone", "12345", False, {}),
    ("ipv4", "10.20.30.40", True, {}),
    ("ipv4", "10.20.30.400", False, {}),
    ("ipv4", "10.020.30.40", False, {}),
]


@pytest.mark.parametrize(("name", "text", "expected", "options"), CASES)
def test_validator(name: str, text: str, expected: bool, options: dict[str, object]) -> None:
    opts = ValidatorOptions(
        min_entropy=options.get("min_entropy"),  # type: ignore[arg-type]
        allowed_domains=frozenset(options.get("allowed_domains", [])),  # type: ignore[arg-type]
    )
    ok, note = VALIDATORS[name](text, opts)
    assert ok is expected, note
    assert note


def test_every_validator_has_cases() -> None:
    assert {case[0] for case in CASES} == set(VALIDATORS)


@pytest.mark.parametrize(("text", "bits"), [("", 0.0), ("aaaa", 0.0), ("ab", 1.0), ("abcd", 2.0)])
def test_shannon_entropy(text: str, bits: float) -> None:
    assert shannon_entropy(text) == pytest.approx(bits)

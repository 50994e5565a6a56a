"""Named validators a ``pattern`` rule can call: packs are data, checksums are code.

Each validator takes the matched text (the ``value`` group when the regex has
one) and the rule's options, and answers ``(valid, note)``; the note goes
into the finding's explanation.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ValidatorOptions:
    min_entropy: float | None = None
    allowed_domains: frozenset[str] = frozenset()


Validator = Callable[[str, ValidatorOptions], tuple[bool, str]]

DEFAULT_MIN_ENTROPY = 3.0
_DIGITS = re.compile(r"\d")


def _digits(text: str) -> str:
    return "".join(_DIGITS.findall(text))


def luhn(text: str, _: ValidatorOptions) -> tuple[bool, str]:
    digits = _digits(text)
    if not 12 <= len(digits) <= 19 or len(set(digits)) == 1:
        return False, f"{len(digits)} digits is not a card number"
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    ok = total % 10 == 0
    return ok, "Luhn checksum passes" if ok else "Luhn checksum fails"


_IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AT": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29, "CH": 21, "CY": 28,
    "CZ": 24, "DE": 22, "DK": 18, "EE": 20, "ES": 24, "FI": 18, "FR": 27, "GB": 22, "GI": 23,
    "GR": 27, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IS": 26, "IT": 27, "LI": 21, "LT": 20,
    "LU": 20, "LV": 21, "MC": 27, "MT": 31, "NL": 18, "NO": 15, "PL": 28, "PT": 25, "QA": 29,
    "RO": 24, "SA": 24, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "TR": 26,
}  # fmt: skip


def iban(text: str, _: ValidatorOptions) -> tuple[bool, str]:
    compact = re.sub(r"[\s-]", "", text).upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}", compact):
        return False, "not shaped like an IBAN"
    expected = _IBAN_LENGTHS.get(compact[:2])
    if expected is not None and len(compact) != expected:
        return False, f"{compact[:2]} IBANs have {expected} characters"
    rearranged = compact[4:] + compact[:4]
    number = int("".join(str(int(c, 36)) for c in rearranged))
    ok = number % 97 == 1
    return ok, "IBAN mod-97 check passes" if ok else "IBAN mod-97 check fails"


def us_ssn(text: str, _: ValidatorOptions) -> tuple[bool, str]:
    digits = _digits(text)
    if len(digits) != 9:
        return False, "an SSN has 9 digits"
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    if area in ("000", "666") or area >= "900" or group == "00" or serial == "0000":
        return False, "area, group or serial number is never issued"
    if digits in ("078051120", "219099999", "123456789"):
        return False, "a well-known sample number"
    return True, "SSN area, group and serial are valid"


def shannon_entropy(text: str) -> float:
    if not text:
        return 0.0
    counts = Counter(text)
    size = len(text)
    return -sum(n / size * math.log2(n / size) for n in counts.values())


def entropy(text: str, options: ValidatorOptions) -> tuple[bool, str]:
    threshold = options.min_entropy or DEFAULT_MIN_ENTROPY
    value = shannon_entropy(text)
    ok = value >= threshold
    sign = "≥" if ok else "<"
    return ok, f"entropy {value:.2f} bits/char {sign} {threshold:g}"


def aba_routing(text: str, _: ValidatorOptions) -> tuple[bool, str]:
    digits = _digits(text)
    if len(digits) != 9 or len(set(digits)) == 1:
        return False, "a routing number has 9 digits"
    weights = (3, 7, 1) * 3
    ok = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 10 == 0
    return ok, "ABA checksum passes" if ok else "ABA checksum fails"


_EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@(?P<domain>(?:[A-Za-z0-9-]{1,63}\.)+[A-Za-z]{2,24})"
)
_EXAMPLE_DOMAINS = ("example.com", "example.org", "example.net")


def _email_domain(text: str) -> str | None:
    found = _EMAIL.fullmatch(text.strip())
    if found is None:
        return None
    local = text.split("@", 1)[0]
    if local.startswith(".") or local.endswith(".") or ".." in local:
        return None
    return found["domain"].lower()


def email(text: str, _: ValidatorOptions) -> tuple[bool, str]:
    domain = _email_domain(text)
    if domain is None:
        return False, "not a well-formed email address"
    return True, f"well-formed address at {domain}"


def email_domain_not_allowed(text: str, options: ValidatorOptions) -> tuple[bool, str]:
    domain = _email_domain(text)
    if domain is None:
        return False, "not a well-formed email address"
    for allowed in options.allowed_domains:
        if domain == allowed or domain.endswith("." + allowed):
            return False, f"{domain} is an allowed domain"
    return True, f"{domain} is not an allowed domain"


def phone(text: str, _: ValidatorOptions) -> tuple[bool, str]:
    digits = _digits(text)
    if not 7 <= len(digits) <= 15:
        return False, f"{len(digits)} digits is not a phone number"
    if len(set(digits)) <= 2:
        return False, "too few distinct digits for a phone number"
    if re.fullmatch(r"(19|20)\d{2}", digits[:4]) and len(digits) == 8:
        return False, "looks like a date"
    return True, f"{len(digits)}-digit phone number"


def ipv4(text: str, _: ValidatorOptions) -> tuple[bool, str]:
    parts = text.strip().split(".")
    if len(parts) != 4 or not all(p.isdecimal() and len(p) <= 3 for p in parts):
        return False, "not an IPv4 address"
    if any(int(p) > 255 or (len(p) > 1 and p[0] == "0") for p in parts):
        return False, "octets must be 0-255 without leading zeros"
    return True, "a valid IPv4 address"


VALIDATORS: dict[str, Validator] = {
    "luhn": luhn,
    "iban": iban,
    "us_ssn": us_ssn,
    "entropy": entropy,
    "aba_routing": aba_routing,
    "email": email,
    "email_domain_not_allowed": email_domain_not_allowed,
    "phone": phone,
    "ipv4": ipv4,
}

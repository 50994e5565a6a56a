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


# --- Credentials -------------------------------------------------------------

# Words that stand for a value rather than being one: docs, samples and templates,
# "hunter2", the internet's joke password, and the top entries of every "most common
# passwords" list, which awareness posts quote (quoting them leaks nothing).
_PLACEHOLDER_WORDS = frozenset(
    """
    changeme changeit change_me example examples sample placeholder redacted removed hidden
    dummy fake test testing tests none null nil undefined empty true false password passwd
    passphrase pass pwd secret secrets token tokens key apikey api_key value string foo bar baz
    foobar qux todo tbd fixme xxx yyy zzz abc abcd abcdef abc123 1234 12345 123456 12345678
    123456789 qwerty letmein user username login default demo mypassword mysecret
    mytoken yourpassword yoursecret yourtoken insert replace enter omitted snip asterisks
    hunter2 password1 password123 passw0rd p@ssw0rd p@ssword qwerty123 iloveyou welcome1
    trustno1 1q2w3e4r
    """.split()
)
_PLACEHOLDER_PARTS = re.compile(
    r"(?i)example|placeholder|redacted|changeme|dummy|your[_-]|^my[_-]|_here$|[_-]goes[_-]"
    r"|x{4,}|\*{3,}|(.)\1{7,}|\.{3}|…|<[^>]*>|^\{\{[^{}]*\}\}$|^\{\d{0,2}\}$"
)
# A reference to a value held elsewhere: $VAR, ${VAR}, $(cmd), %VAR%, @VAR@, #{x}.
_REFERENCE = re.compile(
    r"^(?:\$\{?[A-Za-z_][\w.]*\}?|\$\d+|\$[({].*|%[A-Za-z_]\w*%|@[A-Za-z_]\w*@"
    r"|#\{[^}]*\}|\$\{\{.*\}\}|\[[^\]]*\])$"
)
# Code that computes the value: os.environ["X"], config.secret, getpass(), this.apiKey.
_CODE = re.compile(
    r"^(?:[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+(?:\(.*\)?|\[.*\]?)?|[A-Za-z_]\w*(?:\(.*\)?|\[.*\]?)[\w.]*)$"
)
# An environment variable name used as the value (API_KEY=DB_PASSWORD).
_RUN = re.compile(r"[A-Za-z0-9]+")


def _longest_run(value: str) -> int:
    """Identifiers in code are short words; issued tokens are long random runs."""
    return max((len(run) for run in _RUN.findall(value)), default=0)


_ENV_NAME = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")
_QUOTES = "\"'`“”‘’"
MIN_SECRET_CHARS = 4
# A value written out letter by letter ("t u l i p 2 0 2 4 !", "A K I A …") is judged
# as the value it spells.
_LETTER_SPACED = re.compile(r"(?:\S )+\S")


def _unspaced(value: str) -> str:
    return value.replace(" ", "") if _LETTER_SPACED.fullmatch(value) else value


def _placeholder_reason(text: str) -> str | None:
    # Trailing code punctuation is not part of the value: `$input;`, `this.apiKey,`.
    value = _unspaced(text.strip().strip(_QUOTES).rstrip(";,)").strip(_QUOTES).strip())
    bare = re.sub(r"[\s_.:/@-]", "", value)
    if len(value) < MIN_SECRET_CHARS:
        return f"{len(value)} characters is too short for a secret"
    if len(set(bare.lower())) <= 1:
        return "all one character"
    # "12-34-56" is a real safe combination even though "123456" is a placeholder PIN.
    if value.lower() in _PLACEHOLDER_WORDS or (
        bare.lower() in _PLACEHOLDER_WORDS and not bare.isdigit()
    ):
        return f"{value!r} is a placeholder word"
    if _REFERENCE.match(value):
        return "a reference to a variable, not a value"
    if _CODE.match(value) and _longest_run(value) <= 20:
        return "code that looks the value up, not the value"
    if _ENV_NAME.match(value):
        return "the name of another variable"
    found = _PLACEHOLDER_PARTS.search(value)
    if found:
        return f"placeholder text {found.group()!r}"
    return None


def not_placeholder(text: str, _: ValidatorOptions) -> tuple[bool, str]:
    reason = _placeholder_reason(text)
    if reason is not None:
        return False, reason
    return True, "not a placeholder"


def _char_classes(text: str) -> int:
    return sum(
        bool(re.search(pattern, text)) for pattern in (r"[a-z]", r"[A-Z]", r"\d", r"[^\w\s]|_")
    )


# customer_id, order-total, customerId, OrderTotal: names, not values.
_IDENTIFIER = re.compile(r"[a-z]+(?:[_.-][a-z]+)+|[a-z]+(?:[A-Z][a-z]+)+|(?:[A-Z][a-z]+){2,}")


def secret_value(text: str, options: ValidatorOptions) -> tuple[bool, str]:
    """A value that is no placeholder and looks made up rather than written."""
    reason = _placeholder_reason(text)
    if reason is not None:
        return False, reason
    value = _unspaced(text.strip().strip(_QUOTES))
    if _IDENTIFIER.fullmatch(value):
        return False, "an identifier made of words, not a secret"
    bits = shannon_entropy(value)
    classes = _char_classes(value)
    threshold = options.min_entropy or 2.5
    # A word ("ship", "enabled") has one class; a made-up value mixes classes or is
    # long and varied ("hopenobodyfindsthisone" is 22 letters of 14 kinds).
    if classes >= 2 and bits >= threshold:
        return True, f"{classes} kinds of characters, entropy {bits:.2f}"
    if len(value) >= 16 and bits >= 3.0:
        return True, f"{len(value)} characters, entropy {bits:.2f}"
    return False, f"reads like a word ({classes} kind of characters, entropy {bits:.2f})"


# --- Government identifiers ----------------------------------------------------


def _compact(text: str) -> str:
    return re.sub(r"[\s./:-]", "", text).upper()


_DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


def es_dni(text: str, _: ValidatorOptions) -> tuple[bool, str]:
    """Spanish DNI/NIF (8 digits and a letter) and NIE (X, Y or Z, 7 digits, a letter)."""
    code = _compact(text)
    found = re.fullmatch(r"([XYZ]?)(\d{7,8})([A-Z])", code)
    if found is None or (found[1] and len(found[2]) != 7):
        return False, "not shaped like a DNI or NIE"
    number = int(str("XYZ".index(found[1])) + found[2] if found[1] else found[2])
    ok = _DNI_LETTERS[number % 23] == found[3]
    return ok, "DNI/NIE letter matches" if ok else "DNI/NIE letter does not match"


def fr_nir(text: str, _: ValidatorOptions) -> tuple[bool, str]:
    """French social security number: 13 characters and a two-digit key (97 - n mod 97)."""
    code = _compact(text)
    if not re.fullmatch(r"[1-478]\d{4}(?:\d{2}|2A|2B)\d{6}\d{2}", code):
        return False, "not shaped like a NIR"
    body = code[:13].replace("2A", "19").replace("2B", "18")
    ok = 97 - int(body) % 97 == int(code[13:])
    return ok, "NIR key matches" if ok else "NIR key does not match"


def nl_bsn(text: str, _: ValidatorOptions) -> tuple[bool, str]:
    """Dutch citizen service number: 9 digits passing the eleven test."""
    digits = _digits(text).zfill(9)
    if len(digits) != 9 or len(set(digits)) == 1:
        return False, "a BSN has 9 digits"
    total = sum(int(d) * w for d, w in zip(digits, (9, 8, 7, 6, 5, 4, 3, 2, -1), strict=True))
    ok = total % 11 == 0
    return ok, "BSN eleven test passes" if ok else "BSN eleven test fails"


_CF_ODD = dict(
    zip(
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        (1, 0, 5, 7, 9, 13, 15, 17, 19, 21) * 1
        + (1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25)
        + (24, 23),
        strict=True,
    )
)
_CF_SHAPE = re.compile(
    r"[A-Z]{6}[\dLMNPQRSTUV]{2}[ABCDEHLMPRST][\dLMNPQRSTUV]{2}[A-Z][\dLMNPQRSTUV]{3}[A-Z]"
)


def it_codice_fiscale(text: str, _: ValidatorOptions) -> tuple[bool, str]:
    code = _compact(text)
    if not _CF_SHAPE.fullmatch(code):
        return False, "not shaped like a codice fiscale"
    total = 0
    for index, char in enumerate(code[:15]):
        if index % 2 == 0:
            total += _CF_ODD[char]
        else:
            total += int(char) if char.isdigit() else ord(char) - ord("A")
    ok = chr(ord("A") + total % 26) == code[15]
    return ok, "codice fiscale check letter matches" if ok else "check letter does not match"


def de_steuer_id(text: str, _: ValidatorOptions) -> tuple[bool, str]:
    """German tax id: 11 digits, ISO 7064 mod 11,10 check digit.

    In the first ten digits at most one digit repeats, at most three times.
    """
    digits = _digits(text)
    if len(digits) != 11 or digits[0] == "0":
        return False, "a Steuer-ID has 11 digits and no leading zero"
    counts = sorted(Counter(digits[:10]).values(), reverse=True)
    if counts[0] > 3 or (len(counts) > 1 and counts[1] > 1):
        return False, "digit pattern is never issued"
    product = 10
    for char in digits[:10]:
        total = (int(char) + product) % 10 or 10
        product = total * 2 % 11
    check = (11 - product) % 10
    ok = check == int(digits[10])
    return ok, "Steuer-ID check digit matches" if ok else "Steuer-ID check digit fails"


def pt_nif(text: str, _: ValidatorOptions) -> tuple[bool, str]:
    digits = _digits(text)
    if len(digits) != 9 or digits[0] not in "1235689" or len(set(digits)) == 1:
        return False, "a NIF has 9 digits"
    total = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True))
    check = 11 - total % 11
    ok = (0 if check >= 10 else check) == int(digits[8])
    return ok, "NIF check digit matches" if ok else "NIF check digit fails"


def br_cpf(text: str, _: ValidatorOptions) -> tuple[bool, str]:
    digits = [int(d) for d in _digits(text)]
    if len(digits) != 11 or len(set(digits)) == 1:
        return False, "a CPF has 11 digits"
    for size in (9, 10):
        total = sum(d * w for d, w in zip(digits[:size], range(size + 1, 1, -1), strict=True))
        if total * 10 % 11 % 10 != digits[size]:
            return False, "CPF check digits fail"
    return True, "CPF check digits match"


_VERHOEFF_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9), (1, 2, 3, 4, 0, 6, 7, 8, 9, 5), (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7), (4, 0, 1, 2, 3, 9, 5, 6, 7, 8), (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2), (7, 6, 5, 9, 8, 2, 1, 0, 4, 3), (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)  # fmt: skip
_VERHOEFF_P = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9), (1, 5, 7, 6, 2, 8, 3, 0, 9, 4), (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7), (9, 4, 5, 3, 1, 2, 6, 8, 7, 0), (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5), (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)  # fmt: skip


def in_aadhaar(text: str, _: ValidatorOptions) -> tuple[bool, str]:
    digits = _digits(text)
    if len(digits) != 12 or digits[0] in "01" or digits == digits[::-1]:
        return False, "an Aadhaar number has 12 digits and starts with 2-9"
    check = 0
    for index, char in enumerate(reversed(digits)):
        check = _VERHOEFF_D[check][_VERHOEFF_P[index % 8][int(char)]]
    ok = check == 0
    return ok, "Verhoeff checksum passes" if ok else "Verhoeff checksum fails"


def _luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def ca_sin(text: str, _: ValidatorOptions) -> tuple[bool, str]:
    digits = _digits(text)
    if len(digits) != 9 or digits[0] in "08" or len(set(digits)) == 1:
        return False, "a SIN has 9 digits and does not start with 0 or 8"
    ok = _luhn_ok(digits)
    return ok, "SIN Luhn checksum passes" if ok else "SIN Luhn checksum fails"


_NINO = re.compile(r"[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\d{6}[A-D]")


def uk_nino(text: str, _: ValidatorOptions) -> tuple[bool, str]:
    code = _compact(text)
    if not _NINO.fullmatch(code) or code[:2] in ("BG", "GB", "KN", "NK", "NT", "TN", "ZZ"):
        return False, "prefix or suffix letters are never issued"
    return True, "National Insurance number letters are valid"


def au_tfn(text: str, _: ValidatorOptions) -> tuple[bool, str]:
    digits = _digits(text)
    if len(digits) != 9 or len(set(digits)) == 1:
        return False, "a TFN has 9 digits"
    weights = (1, 4, 3, 7, 5, 8, 6, 9, 10)
    ok = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11 == 0
    return ok, "TFN checksum passes" if ok else "TFN checksum fails"


_CURP_VALUES = {c: i for i, c in enumerate("0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ")}
_CURP = re.compile(r"[A-Z][AEIOUX][A-Z]{2}\d{6}[HMX][A-Z]{2}[B-DF-HJ-NP-TV-Z]{3}[A-Z\d]\d")


def mx_curp(text: str, _: ValidatorOptions) -> tuple[bool, str]:
    code = _compact(text)
    if not _CURP.fullmatch(code):
        return False, "not shaped like a CURP"
    total = sum(_CURP_VALUES[c] * (18 - i) for i, c in enumerate(code[:17]))
    ok = (10 - total % 10) % 10 == int(code[17])
    return ok, "CURP check digit matches" if ok else "CURP check digit fails"


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
    "not_placeholder": not_placeholder,
    "secret_value": secret_value,
    "es_dni": es_dni,
    "fr_nir": fr_nir,
    "nl_bsn": nl_bsn,
    "it_codice_fiscale": it_codice_fiscale,
    "de_steuer_id": de_steuer_id,
    "pt_nif": pt_nif,
    "br_cpf": br_cpf,
    "in_aadhaar": in_aadhaar,
    "ca_sin": ca_sin,
    "uk_nino": uk_nino,
    "au_tfn": au_tfn,
    "mx_curp": mx_curp,
}

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
    # placeholders: what docs and samples write instead of a secret
    ("not_placeholder", "Winter2024!", True, {}),
    ("not_placeholder", "q8ZfT2xV9mK4rB7nW1pL", True, {}),
    ("not_placeholder", "root", True, {}),  # a real (weak) password
    ("not_placeholder", "xxxxxxxx", False, {}),
    ("not_placeholder", "AKIAXXXXXXXXXXXXXXXX", False, {}),
    ("not_placeholder", "********", False, {}),
    ("not_placeholder", "${DB_PASSWORD}", False, {}),
    ("not_placeholder", "$DB_PASSWORD", False, {}),
    ("not_placeholder", "$(cat token.txt)", False, {}),
    ("not_placeholder", "%DB_PASS%", False, {}),
    ("not_placeholder", "<token>", False, {}),
    ("not_placeholder", "{{ secrets.DEPLOY_TOKEN }}", False, {}),
    ("not_placeholder", "[PASSWORD]", False, {}),
    ("not_placeholder", "your_api_key", False, {}),
    ("not_placeholder", "YOUR_API_KEY_GOES_HERE", False, {}),
    ("not_placeholder", "AKIAIOSFODNN7EXAMPLE", False, {}),
    ("not_placeholder", "changeme", False, {}),
    ("not_placeholder", "password", False, {}),
    ("not_placeholder", "secret", False, {}),
    ("not_placeholder", "REDACTED", False, {}),
    ("not_placeholder", "dummy", False, {}),
    ("not_placeholder", "test", False, {}),
    ("not_placeholder", "None", False, {}),
    ("not_placeholder", "null", False, {}),
    ("not_placeholder", "abc", False, {}),  # too short
    ("not_placeholder", "DB_PASSWORD", False, {}),  # another variable's name
    ("not_placeholder", "os.environ['SECRET_KEY']", False, {}),
    ("not_placeholder", "this.apiKey,", False, {}),
    ("not_placeholder", "getpass()", False, {}),
    ("not_placeholder", "$input;", False, {}),
    ("not_placeholder", "AIzaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", False, {}),
    ("not_placeholder", "dp.pt.Lq8Zr2Vx5Nc9Tb3Mw7Kd1Fh4Jg6Ys0Pa2Ue5Ri8Ow", True, {}),
    ("secret_value", "Zf3D0LXCM3EIMbgJpUNnkRt", True, {}),
    ("secret_value", "hopenobodyfindsthisone", True, {}),  # long and varied
    ("secret_value", "c4f1e9a27b3d8e6f05a1", True, {}),
    ("secret_value", "ship", False, {}),
    ("secret_value", "enabled", False, {}),
    ("secret_value", "customer_id", False, {}),
    ("secret_value", "customerId", False, {}),
    ("secret_value", "your_api_key", False, {}),
    ("secret_value", "Bearer", False, {}),
    ("not_placeholder", "hunter2", False, {}),  # the internet's joke password
    ("not_placeholder", "P@ssw0rd", False, {}),
    ("not_placeholder", "12-34-56", True, {}),  # a safe combination, not the PIN 123456
    ("not_placeholder", "123456", False, {}),  # tops every "most common passwords" list
    ("not_placeholder", "t u l i p 2 0 2 4 !", True, {}),  # spelled out letter by letter
    ("not_placeholder", "e x a m p l e k e y 4 2", False, {}),
    ("not_placeholder", "A K I A X X X X X X X X X X X X X X X X", False, {}),
    ("secret_value", "g h p _ L w D w X S B U 3 7 e 1 F u 5 l r 5", True, {"min_entropy": 3.0}),
    ("secret_value", "a b a b a b a b a b a b a b a b", False, {"min_entropy": 3.0}),
    ("secret_value", "944ff770e4b9447a3d54ec6390bf6118", True, {"min_entropy": 3.0}),
    # government ids
    ("es_dni", "55555555K", True, {}),
    ("es_dni", "1111111-G", True, {}),
    ("es_dni", "X9613851N", True, {}),
    ("es_dni", "Y8063915-Z", True, {}),
    ("es_dni", "55555555J", False, {}),
    ("es_dni", "Y8063915Q", False, {}),
    ("es_dni", "W8063915Q", False, {}),
    ("fr_nir", "2 55 08 14 168 025 38", True, {}),
    ("fr_nir", "2 55 08 14 168 025 39", False, {}),
    ("fr_nir", "5 55 08 14 168 025 38", False, {}),
    ("nl_bsn", "123456782", True, {}),
    ("nl_bsn", "111222333", True, {}),
    ("nl_bsn", "123456789", False, {}),
    ("nl_bsn", "000000000", False, {}),
    ("it_codice_fiscale", "RSSMRA85T10A562S", True, {}),
    ("it_codice_fiscale", "AAAAAA00B11C333Y", True, {}),
    ("it_codice_fiscale", "AAAAAA00B11C333N", False, {}),
    ("it_codice_fiscale", "A55AAA00B11C333N", False, {}),
    ("de_steuer_id", "12345678903", True, {}),
    ("de_steuer_id", "98 765 432 106", True, {}),
    ("de_steuer_id", "12345678901", False, {}),
    ("de_steuer_id", "02345678903", False, {}),
    ("de_steuer_id", "11112345678", False, {}),  # a digit four times is never issued
    ("pt_nif", "501964843", True, {}),
    ("pt_nif", "501964844", False, {}),
    ("pt_nif", "401964843", False, {}),  # 4 is not a valid first digit
    ("br_cpf", "529.982.247-25", True, {}),
    ("br_cpf", "529.982.247-26", False, {}),
    ("br_cpf", "111.111.111-11", False, {}),
    ("in_aadhaar", "3123 4567 8909", True, {}),
    ("in_aadhaar", "400123456787", True, {}),
    ("in_aadhaar", "123456789012", False, {}),  # starts with 1
    ("in_aadhaar", "312345678900", False, {}),
    ("ca_sin", "130 692 544", True, {}),
    ("ca_sin", "347-677-452", True, {}),
    ("ca_sin", "130 692 545", False, {}),
    ("ca_sin", "046 454 286", False, {}),  # 0 is never a first digit
    ("ca_sin", "111 111 111", False, {}),
    ("uk_nino", "AB 12 34 56 C", True, {}),
    ("uk_nino", "hh 01 02 03 d", True, {}),
    ("uk_nino", "AA 12 34 56 H", False, {}),
    ("uk_nino", "FQ 00 00 00 C", False, {}),
    ("uk_nino", "NT 99 88 77 A", False, {}),
    ("au_tfn", "876 543 210", True, {}),
    ("au_tfn", "824 753 557", False, {}),
    ("mx_curp", "HEGG560427MVZRRL04", True, {}),
    ("mx_curp", "HEGG560427MVZRRL05", False, {}),
    ("mx_curp", "HEGG5604", False, {}),
]


@pytest.mark.parametrize(("name", "text", "expected", "options"), CASES)
def test_validator(name: str, text: str, expected: bool, options: dict[str, object]) -> None:
    opts = ValidatorOptions(
        min_entropy=options.get("min_entropy"),  # type: ignore[arg-type]
        allowed_domains=frozenset(options.get("allowed_domains", [])),  # type: ignore[call-overload]
    )
    ok, note = VALIDATORS[name](text, opts)
    assert ok is expected, note
    assert note


def test_every_validator_has_cases() -> None:
    assert {case[0] for case in CASES} == set(VALIDATORS)


@pytest.mark.parametrize(("text", "bits"), [("", 0.0), ("aaaa", 0.0), ("ab", 1.0), ("abcd", 2.0)])
def test_shannon_entropy(text: str, bits: float) -> None:
    assert shannon_entropy(text) == pytest.approx(bits)

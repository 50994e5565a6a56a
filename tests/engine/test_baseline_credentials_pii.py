"""The baseline's credential and personal-data rules on the real engine and pack.

Secrets and other people's ids are caught where they appear in posts (code,
config, command lines, plain sentences); placeholders, documentation samples,
hashes and ids whose checksum fails stay quiet.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import agent.paths
from agent.engine import Engine
from agent.engine.result import Category, CheckResult, Platform
from agent.packs.compile import compile_dirs

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def engine() -> Engine:
    return compile_dirs([agent.paths.BUNDLED_PACKS[0]])


def _check(engine: Engine, text: str) -> CheckResult:
    return engine.check(text, Platform.LINKEDIN, NOW)


def _rules(result: CheckResult, category: Category) -> list[str]:
    return [f.rule_id for f in result.findings if f.category is category]


SECRETS = [
    ("Staging creds, don't judge: DB_PASS=Kq7!tide44", "credentials.password-value"),
    ("the wifi password is Sunflower#12, enjoy the offsite", "credentials.password-value"),
    ("pw for the staging box: Lantern-2291", "credentials.password-value"),
    ('config = {"clientSecret": "Vq7-pL2w_Xz9rT4kQ"}', "credentials.secret-assignment"),
    ("ACME_TOKEN=Zf3D0LXCM3EIMbgJpUNnkRt in the pipeline", "credentials.secret-assignment"),
    ("-H 'X-Api-Key: c4f1e9a27b3d8e6f05a1b2c3'", "credentials.secret-assignment"),
    ("curl -u deploy:Qv7!zr29Lm https://ci.acme.io/api", "credentials.cli-credential"),
    ("mysql -u app -p'Tb7#qq91x' orders", "credentials.cli-credential"),
    ("postgres://app:Sup3rS3cret@db.prod.acme.io:5432/orders", "credentials.connection-string"),
    ("token glpat-AbCdEfGhIjKlMnOpQrSt for the runner", "credentials.dev-platform-token"),
    ("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 is the admin token", "credentials.saas-api-token"),
    ("HF_TOKEN=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", "credentials.cloud-api-key"),
    ("-----BEGIN EC PRIVATE KEY----- MHcCAQEEI...", "credentials.private-key"),
    # a password word and the value with no connector, leetspeak, letter-spacing
    ("conference wifi password Otter@73harbor, enjoy", "credentials.password-in-prose"),
    ("p4ss Heron&31copper on the shared NAS", "credentials.password-in-prose"),
    ("th3 r00t p4ssw0rd for the printer is Quokka!2023", "credentials.password-value"),
    ("p a s s w o r d for the kiosk is t u l i p 2 0 2 4 !", "credentials.password-value"),
    ("pw in base64 is SGFyYm9yIzIyOTE=", "credentials.password-value"),
    (
        "Asked for the DB password in a public channel. I gave it (Kelp!Forest22)",
        "credentials.password-in-prose",
    ),
    # user and password together
    ("admin / Cobalt@60falcon works on the lobby kiosk", "credentials.login-pair"),
    (
        "shared netflix for the break room: breakroom@acme.io / popcorn2025!",
        "credentials.login-pair",
    ),
    ("basic auth for the preview site is preview:R8kLq2VzXn4Tb", "credentials.login-pair"),
    # codes that open doors and accounts
    (
        "the door code for the server room is 4471# and the alarm PIN is 0925",
        "credentials.access-code",
    ),
    ("safe combination 14-27-39, the key is in the drawer", "credentials.access-code"),
    ("2FA backup codes: 4821-9937 6650-1284", "credentials.access-code"),
    # keys named in prose, and vendor formats
    (
        "Datadog API key for the helm chart: 58ff46e1b2c39d7a0f4e8b6c1d2a3f90",
        "credentials.labelled-secret",
    ),
    (
        "auth token 655ee9a1c4b7d2e8f3a6b9c0d1e2f3a4 for the sms gateway",
        "credentials.labelled-secret",
    ),
    ("A K I A Q 3 T W 7 R Y 5 U I O P 2 A S D is the leaked key", "credentials.aws-access-key"),
    (
        "hvs.CAESIJ7x2LmN9pR4sT6vW8yZ1aB3cD5eF7gJ0hK2mX4nPqRsTuVwXyZ01234 is the root token",
        "credentials.cloud-api-key",
    ),
    (
        "discord bot token MTAxNTI4OTk0NzMyNjk1MDQ2.GbXq2K.wK3vL9pQ7rT4zY1bN6cM8dF2hJ5gS0aXeUo",
        "credentials.shaped-token",
    ),
    ("telegram bot 1916687065:LqH2mN9pR4sT6vW8yZ1aB3cD5eF7gJ0hK_x", "credentials.shaped-token"),
    ("docker hub token dckr_pat_Qm7Tz2LxVb9WkPaRsYdNcEf", "credentials.dev-platform-token"),
]


@pytest.mark.parametrize(("text", "rule"), SECRETS)
def test_secret_is_caught_by_its_rule(engine: Engine, text: str, rule: str) -> None:
    assert rule in _rules(_check(engine, text), Category.CREDENTIALS)


QUIET = [
    "In your .env set API_KEY=<your-api-key> and never commit the file.",
    "export OPENAI_API_KEY=$OPENAI_API_KEY in CI, the secret lives in the vault.",
    "password: ${DB_PASSWORD} comes from the environment, not from the repo.",
    "Set token: {{ secrets.DEPLOY_TOKEN }} in the workflow and you are done.",
    "Use curl -u $USER:$TOKEN https://api.example.com and keep the token in a keychain.",
    "client_secret: xxxxxxxxxxxxxxxxxxxx in the sample config, fill in your own.",
    "DB_PASSWORD=changeme in docker-compose is only for the local demo.",
    "Authorization: Bearer <token> goes in the header, see the docs.",
    "postgres://user:password@localhost:5432/mydb is the default in the tutorial.",
    "the docs use AKIAIOSFODNN7EXAMPLE as the sample access key",
    "Shipped v2.3: commit 3f9c2a7e1b4d5c6f8a9b0c1d2e3f4a5b6c7d8e9f fixes the login race.",
    "Release checksum (sha256): 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "Trace id 550e8400-e29b-41d4-a716-446655440000 if support asks, the bug is fixed now.",
    "Docs: https://docs.example.com/auth/tokens#rotation explain how to rotate an API key.",
    "Key takeaway from the offsite: ship smaller changes.",
    "Our new password policy is live: passphrases, no rotation, MFA everywhere.",
    "docker run -p 8080:80 nginx, then open the browser",
    "secret: ******** (hidden in the screenshot)",
    "Use a password manager, and reset your password if you reused it anywhere.",
    "The password is on the whiteboard in the ops room, ask Dana.",
    'Every time I see "password: hunter2" in a meme I feel old.',
    "A PIN code is usually 4 to 6 digits; never share it, not even with the bank.",
    "Enter the 6-digit verification code we text you, it expires in 10 minutes.",
    "Error code 502 again, our zip code is 94107 and the promo code is SPRING25.",
    "Order #4471 shipped today; call +1 415 555 0132 if it does not arrive by 2024-06-14.",
    "Version 2.14.3 is out. Please pass v2.3-rc1 and JIRA-4521 to QA.",
    "Contact sales@northwind.io / +1 415 555 0100 for pricing.",
    "Our CI/CD pipeline runs in 4 minutes and admin/ops rotation starts Monday.",
    "Access tokens expire after 60 minutes; refresh tokens last 30 days.",
    "Shipped the API key rotation in commit 9b2e4c1d7a3f8e6b5c4d3a2b1c0f9e8d7c6b5a4f.",
    "session token 550e8400-e29b-41d4-a716-446655440000 in the trace, harmless",
    "My boarding pass is 14C and the day pass is $20.",
    'If you ever see "-----BEGIN RSA PRIVATE KEY-----" in a diff, stop the merge.',
    "Your router's admin page is usually at 192.168.1.1 or 192.168.0.1.",
    "We moved from LastPass to 1Password last year and the team loves it.",
]


@pytest.mark.parametrize("text", QUIET)
def test_placeholders_and_public_values_stay_quiet(engine: Engine, text: str) -> None:
    assert _rules(_check(engine, text), Category.CREDENTIALS) == []


def test_a_vendor_key_in_an_assignment_is_one_finding(engine: Engine) -> None:
    text = "OPENAI_API_KEY=sk-proj-abc123def456ghi789jkl012mno345pqr678"
    assert _rules(_check(engine, text), Category.CREDENTIALS) == ["credentials.cloud-api-key"]


IDS = [
    ("Mi NIE es X9613851N, por si lo necesitas", "personal_data.es-dni"),
    ("il codice fiscale del paziente è RSSMRA85T10A562S", "personal_data.it-codice-fiscale"),
    ("payroll needs her NI: AB 12 34 56 C", "personal_data.uk-nino"),
    ("my SIN is 130-692-544", "personal_data.ca-sin"),
    ("her TFN is 876 543 210", "personal_data.au-tfn"),
    ("My Aadhaar number is 4001 2345 6787", "personal_data.in-aadhaar"),
    ("PAN of the vendor: ABBPM4567S", "personal_data.in-pan"),
    ("Meine Steuer-ID: 12345678903.", "personal_data.de-steuer-id"),
    ("numéro de sécu : 2 55 08 14 168 025 38", "personal_data.fr-nir"),
    ("zijn BSN is 123456782", "personal_data.nl-bsn"),
    ("o NIF do cliente é 501 964 843", "personal_data.pt-nif"),
    ("CPF do cliente: 529.982.247-25", "personal_data.br-cpf"),
    ("la CURP del empleado es HEGG560427MVZRRL04", "personal_data.mx-curp"),
    ("Reisepass C01234565 ausgestellt am 01.01.2020", "personal_data.national-id"),
    ("SSN: 536221984 on the intake sheet", "personal_data.us-ssn"),
]


@pytest.mark.parametrize(("text", "rule"), IDS)
def test_government_id_is_caught_by_its_rule(engine: Engine, text: str, rule: str) -> None:
    assert rule in _rules(_check(engine, text), Category.PERSONAL_DATA)


@pytest.mark.parametrize(
    "text",
    [
        "DNI 55555555J del cliente",  # wrong check letter, and a sample (one digit repeated)
        "call 130 692 544 for tickets",  # no label
        "Steuer-ID 12345678901",  # check digit fails, and a counting run
        "Bestellnummer 12345678903",  # no label
        "zijn BSN is 123456789",  # eleven test fails, and a counting run
        "IBAN DE89 3704 0044 0532 0130 01 has a typo",  # neither an IBAN nor a card
        "Our order 1234567890123456 shipped today",
    ],
)
def test_numbers_that_fail_their_check_stay_quiet(engine: Engine, text: str) -> None:
    assert _rules(_check(engine, text), Category.PERSONAL_DATA) == []


@pytest.mark.parametrize(
    ("text", "checksum_rule"),
    [
        ("my SIN is 130-692-545", "personal_data.ca-sin"),  # Luhn fails
        ("CPF do cliente: 529.982.247-26", "personal_data.br-cpf"),  # check digits fail
    ],
)
def test_a_labelled_id_with_a_bad_check_digit_is_still_an_id(
    engine: Engine, text: str, checksum_rule: str
) -> None:
    # the checksum rule stays quiet, but the label says what the number is: a typo
    # in someone's id does not make it less theirs
    found = _rules(_check(engine, text), Category.PERSONAL_DATA)
    assert checksum_rule not in found
    assert found == ["personal_data.labelled-id"]


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("Pray for my coworker, he starts chemo on Monday", True),
        ("Sarah from accounting is pregnant, she told me in the kitchen", True),
        ("My manager is on stress leave again", True),
        ("I was diagnosed with ADHD at 30, and here is what I learned", False),
        ("Proud to support our cancer research charity run this weekend", False),
        ("Our new health plan covers therapy sessions for everyone", False),
    ],
)
def test_health_of_others_needs_a_person_and_a_condition(
    engine: Engine, text: str, flagged: bool
) -> None:
    rules = _rules(_check(engine, text), Category.PERSONAL_DATA)
    assert ("personal_data.health-of-others" in rules) is flagged


# --- Personal data of other people: contact details, health, private life, pay, homes ---
#
# Each rule needs evidence that the detail belongs to someone other than the author
# (a name with a role, "her", "the candidate", "someone on my team"); the author's own
# details, public contact points, general advice and published samples stay quiet.
# These tests read the word-list and pattern rules; the trained model that reads whole
# posts is measured on the labelled corpus instead.


def _listed(engine: Engine, text: str) -> list[str]:
    """Personal-data rule ids for ``text``, leaving out the trained model's findings."""
    found = _rules(_check(engine, text), Category.PERSONAL_DATA)
    return [rule for rule in found if not rule.endswith(".model")]


OTHERS_DETAILS = [
    ("@lee_m here's Bogdan's cell for the airport run: +40 721 555 019", "phone-of-others"),
    ("our receptionist's personal number is 0113 496 0521, don't tell her", "phone-of-others"),
    (
        "ring Malik on oh-seven-nine-one-one two-three-four five-six-seven, he won't mind",
        "phone-of-others",
    ),
    ("the customer's mobile is O7911 2O4 553, she wants a call back", "phone-of-others"),
    ("the applicant who ghosted us: tomas.v@outlook.com, good luck everyone", "email-of-others"),
    (
        "our old design lead freelances now: m.lind [at] proton [dot] me, she says hi",
        "email-of-others",
    ),
    ("Noor on my team is expecting twins and has not told the director yet", "health-of-others"),
    ("someone on my team has schizophrenia, it's Piotr, and I'm done covering", "health-of-others"),
    ("The finalist we turned down was 61 and wore an insulin pump", "health-of-others"),
    (
        "My colleague Ade donated a kidney to his sister and is back on light duties",
        "health-of-others",
    ),
    ("Jonas aus der Buchhaltung ist wegen Burnout krankgeschrieben", "health-of-others"),
    ("Priya is pregnant and due in March, keep it quiet", "health-status-of-others"),
    ("Big news from the office: Daniel has been diagnosed with MS", "health-status-of-others"),
    ("plot twist: my team lead is gay and his husband works for a rival", "private-life-of-others"),
    ("Our CFO is getting divorced and his wife wants half the shares", "private-life-of-others"),
    ("found out Marta in accounts makes 92k and never answers an email", "compensation-of-others"),
    (
        "payroll sent round Dan Okoye's offer letter by mistake: $140k base",
        "compensation-of-others",
    ),
    ("Priya (staff engineer) is on £94k + 10% bonus, apparently", "compensation-of-others"),
    ("the PA sent me her boss's home address (14 Rowan Close, Kent) for a gift", "home-address"),
    ("that courier lives at Flat 2, 8 Broadway, Leeds and never rings", "home-address"),
    ("Thank you note from Mr. Owen Pryce, 31 Mill Lane, Ripon HG4 1AB", "home-address"),
    ("his alien registration number is A208-311-774, USCIS lost it again", "national-id"),
    ("раssроrt no. for Mr Haddad (our guest speaker) is P07731254", "national-id"),
    ("the card that bounced is 4539.1488.0343.6467, can billing check it", "payment-card"),
    ("DOB of the new starter: 3 June 1992, can HR fix the form", "date-of-birth"),
    ("call Joe at four one five, five five five, 2 6 0 8, he won't mind", "phone-of-others"),
    ("Pour joindre Mme Claire Dubois : 06 21 44 50 37, elle préfère les SMS", "phone-of-others"),
    ("order 4471 went to Ellen Shaw, 12 Lake Terrace, Madison WI 53703, enjoy", "home-address"),
    (
        "Familie Weber wohnt übrigens in der Gartenstraße 12, falls jemand vorbeikommt",
        "home-address",
    ),
    ("reminder that Dev Rana got a 20% raise to €91,000 while we got 2%", "compensation-of-others"),
    ("my colleague's NI number (AB123456C) keeps bouncing at HMRC", "national-id"),
    (
        "the white van with plate 8KTR214 keeps taking my spot, it's Gary from sales",
        "vehicle-plate",
    ),
]


@pytest.mark.parametrize(("text", "rule"), OTHERS_DETAILS)
def test_another_persons_detail_is_caught_by_its_rule(engine: Engine, text: str, rule: str) -> None:
    assert f"personal_data.{rule}" in _listed(engine, text)


OWN_OR_PUBLIC = [
    "my cell is 07700 900777, text me any time about the meetup",
    "My number changed, the new one is 07700 900888, please update it",
    "Customers can reach our support team on 0800 123 4567, free from landlines",
    "Journalists: our press office is on +44 20 7946 0123, not my colleagues' phones",
    "Media contact: Sam Lee, sam.lee@northwind.io, +1 415 555 0100",
    "She asked me to share this: press enquiries go to media@northwind.io",
    "In the tutorial our test users are alice@example.com and bob@example.com",
    "She grew revenue from 2 300 000 to 12 500 000 euros in three years",
    "I was diagnosed with breast cancer last year and I'm back at work this month",
    "After my surgery I learned to ask for help, and my manager was great about it",
    "We're hiring ICU nurses and oncology specialists for our new hospital wing",
    "New research shows depression is underdiagnosed in engineers",
    "Anyone who is pregnant can ask HR about the new parental leave policy",
    "Interviewing candidates? Never ask if they are pregnant or plan to be",
    "Our CEO spoke openly on a podcast about her breast cancer, and I'm proud of her",
    "A colleague of mine wrote a great piece on postpartum depression at work",
    "My mum had a stroke last year, and I want to talk about carers at work",
    "Our Pride employee network turns five this month, happy Pride everyone",
    "Eid Mubarak to all my colleagues celebrating this week",
    "I make 68k and honestly I'm fine with it",
    "Senior engineers in London earn £95k on average according to the survey",
    "The salary band for this role is $120k to $150k, it's in the job post",
    "Tesla's new base model is $35k, cheaper than ever",
    "Kim's team made $250k in sales this quarter, huge congrats",
    "Our Leeds office is at 14 Canal Street, LS1 4DL, signs in the lobby",
    "my home address is 12 Park Road, Bath, for the book swap parcels",
    "Congratulations to Dr. Lena Ross on her appointment as Chief Medical Officer",
    "Proud of my colleague Tariq for winning the national engineering award this week",
    "For integration tests use the provider's documented test card 4242 4242 4242 4242",
    "Our validator's unit tests use the example IBAN GB82 WEST 1234 5698 7654 32",
    "my birthday is on the 29th of February, cake accepted any day",
    "passport photos for the 2026 offsite are due Friday",
    "For Neurodiversity Week we asked our autistic colleagues what helps them focus",
    "Our team moved to 2 Pier Road, Brighton, come say hi at the open day",
    "Visit us at Acme Coffee, 12 High Street, Leeds LS1 2AB, open from 7am",
    "Press contact: Mr. Tom Hale, head of communications, +44 20 7946 0201",
    "Her case number is 0161 496 0732 in the new system",
    "Registration for the summit is now open, use code EARLY24 for a discount",
    "Ravi's team made 120k in new bookings this quarter, what a result",
]


@pytest.mark.parametrize("text", OWN_OR_PUBLIC)
def test_own_public_and_general_details_stay_quiet(engine: Engine, text: str) -> None:
    assert _listed(engine, text) == []


def test_a_health_fact_is_underlined_once_whichever_way_it_is_said(engine: Engine) -> None:
    # "my manager ... is pregnant" is health-of-others' finding; the third-person
    # rule only speaks when no such subject stands nearby, so nothing is doubled.
    for text, rule in [
        ("My manager is pregnant and hasn't told anyone", "personal_data.health-of-others"),
        ("Ana is pregnant and hasn't told anyone", "personal_data.health-status-of-others"),
    ]:
        assert _listed(engine, text) == [rule]


def test_a_phone_number_after_emoji_is_spanned_in_utf16(engine: Engine) -> None:
    text = "🙏🏽 our office manager's personal number is 0161 496 0732, don't tell her"
    [finding] = [
        f for f in _check(engine, text).findings if f.rule_id == "personal_data.phone-of-others"
    ]
    assert finding.matched == "0161 496 0732"
    utf16 = text.encode("utf-16-le")
    assert utf16[finding.start * 2 : finding.end * 2].decode("utf-16-le") == finding.matched


def test_a_spelled_out_address_is_underlined_whole(engine: Engine) -> None:
    text = "reach our old design lead at k.nowak [at] fastmail [dot] com, she said it's fine"
    [finding] = [
        f for f in _check(engine, text).findings if f.rule_id == "personal_data.email-of-others"
    ]
    assert finding.matched == "k.nowak [at] fastmail [dot] com"

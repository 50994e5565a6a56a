"""Deterministic benchmark inputs: post texts and phrase lists.

Posts are assembled from the sentence bank in :mod:`agent.bench.post_bank`, so the
engine reads what employees write: digits, emoji, names, mentions, hashtags, URLs,
quotes and line breaks, at the density of real posts. Phrases are made of invented
words (like codenames and customer names) that never occur in that bank, so an
everyday post matches only the phrases planted in it on purpose; phrases that could
turn up in ordinary prose would measure the cost of thousands of findings instead of
the scan.
"""

from __future__ import annotations

import random
import re
import string
from collections.abc import Callable

from agent.bench import post_bank as bank

_Draw = Callable[[random.Random], str]

# Shortened-link codes without vowels or leetspeak digits (0 1 3 4 5 7), so no code can
# spell an invented phrase in any view of the text.
_CODE_CHARS = "".join(c for c in string.ascii_letters if c.lower() not in "aeiou") + "2689"


def _code(rng: random.Random) -> str:
    return "".join(rng.choice(_CODE_CHARS) for _ in range(rng.randint(6, 8)))


def _slug(rng: random.Random) -> str:
    return "-".join(rng.sample(bank.SLUG_WORDS, rng.randint(2, 4)))


def _url(rng: random.Random) -> str:
    domain = rng.choice(bank.DOMAINS)
    return rng.choice(bank.URL_SHAPES).format(
        domain=domain,
        slug=_slug(rng),
        short=_code(rng),
        repo=f"{domain.split('.')[0]}/{rng.choice(bank.SLUG_WORDS)}",
    )


def _one_of(*draws: _Draw) -> _Draw:
    return lambda rng: rng.choice(draws)(rng)


def _int(low: int, high: int, shape: str = "{}") -> _Draw:
    return lambda rng: shape.format(rng.randint(low, high))


def _date(rng: random.Random) -> str:
    month, day = rng.choice(bank.SLOT_LISTS["month"]), rng.randint(1, 28)
    return rng.choice((f"{month} {day}", f"{day} {month}", f"{day}/{rng.randint(1, 12)}"))


def _salary(rng: random.Random) -> str:
    low = rng.randint(90, 180)
    return f"${low}k–${low + rng.randint(20, 60)}k"


# The number shapes of real posts: counts, money, percentages, times, versions, dates.
_NUMBERS: dict[str, _Draw] = {
    "n": _int(2, 12),
    "count": _int(15, 400),
    "big": _one_of(_int(1_200, 98_000, "{:,}"), _int(2, 90, "{}k"), _int(200, 950)),
    "pct": _int(5, 95, "{}%"),
    "money": _one_of(
        lambda rng: f"${rng.randint(1, 9)}.{rng.randint(1, 9)}M",
        _int(10, 900, "€{}k"),
        _int(100, 5_000, "${:,}"),
        _int(2, 40, "£{}M"),
    ),
    "salary": _salary,
    "budget": _one_of(_int(5, 30, "${}00"), _int(5, 30, "€{}00"), _int(1, 3, "£{},000")),
    "price": _one_of(_int(5, 49, "${}"), _int(4, 29, "€{}.99")),
    "year": _int(2019, 2027),
    "quarter": lambda rng: f"Q{rng.randint(1, 4)} {rng.randint(2025, 2027)}",
    "time": _one_of(
        lambda rng: f"{rng.randint(1, 12)}{rng.choice(('am', 'pm', ' a.m.', ' PM'))}",
        lambda rng: f"{rng.randint(7, 22)}:{rng.choice(('00', '15', '30', '45'))}",
    ),
    "mult": _one_of(_int(2, 10, "{}x"), _int(2, 5, "{}×"), lambda rng: "1.5x"),
    "version": _one_of(
        lambda rng: f"v{rng.randint(1, 5)}.{rng.randint(0, 12)}",
        lambda rng: f"{rng.randint(1, 4)}.{rng.randint(0, 9)}.{rng.randint(0, 20)}",
    ),
    "date": _date,
    "ms": _one_of(_int(40, 900, "{} ms"), _int(1, 9, "{}.5s")),
    "booth": _one_of(_int(100, 999), lambda rng: f"{rng.choice('ABCDE')}{rng.randint(1, 40)}"),
    "age": _int(28, 61),
    "duration": lambda rng: (
        f"{rng.randint(3, 5)}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"
    ),
    "url": _url,
    "person": lambda rng: (
        f"{rng.choice(bank.SLOT_LISTS['first'])} {rng.choice(bank.SLOT_LISTS['last'])}"
    ),
}


class _Slots(dict[str, str]):
    """Fills one template: each ``{slot}`` drawn once, ``{slot2}`` independently of it."""

    def __init__(self, rng: random.Random) -> None:
        super().__init__()
        self._rng = rng

    def __missing__(self, key: str) -> str:
        kind = key.rstrip("0123456789")
        draw = _NUMBERS.get(kind)
        value = draw(self._rng) if draw else self._rng.choice(bank.SLOT_LISTS[kind])
        self[key] = value
        return value


def fill(template: str, rng: random.Random) -> str:
    """``template`` with each ``{slot}`` replaced by a value drawn from ``rng``."""
    return template.format_map(_Slots(rng))


def _hashtags(rng: random.Random) -> str:
    return " ".join(rng.sample(bank.SLOT_LISTS["hashtag"], rng.randint(1, 5)))


def _post_blocks(rng: random.Random) -> list[str]:
    """One post as paragraphs: an X one-liner, or a LinkedIn post with lists and hashtags."""
    topic = bank.TOPICS[rng.choice(sorted(bank.TOPICS))]
    if rng.random() < 0.25:
        reply = fill("{handle} ", rng) if rng.random() < 0.3 else ""
        return [f"{reply}{fill(rng.choice(topic), rng)} {_hashtags(rng)}"]
    sentences = [fill(t, rng) for t in rng.sample(topic, rng.randint(3, 8))]
    sentences = [s + " " + fill("{emoji}", rng) if rng.random() < 0.1 else s for s in sentences]
    blocks = [fill(rng.choice(bank.OPENERS), rng)] if rng.random() < 0.35 else []
    one_per_line = rng.random() < 0.3  # the "one sentence per line" style
    while sentences:
        if len(sentences) >= 3 and rng.random() < 0.2:
            marker = rng.choice(bank.BULLETS)
            blocks.append("\n".join(marker + s for s in sentences[:3]))
            del sentences[:3]
            continue
        take = rng.randint(1, 3)
        blocks.append(("\n" if one_per_line else " ").join(sentences[:take]))
        del sentences[:take]
    if rng.random() < 0.6:
        blocks.append(fill(rng.choice(bank.CLOSERS), rng))
    if rng.random() < 0.7:
        blocks.append(_hashtags(rng))
    if rng.random() < 0.3:  # typed on a phone: typographic apostrophes
        blocks = [b.replace("'", "’") for b in blocks]
    return blocks


def _bank_words() -> frozenset[str]:
    """Every word the bank can produce, camelCase and hashtags split, case-folded."""
    texts = [*bank.OPENERS, *bank.CLOSERS, *bank.URL_SHAPES, *bank.DOMAINS, *bank.SLUG_WORDS]
    texts += [t for topic in bank.TOPICS.values() for t in topic]
    texts += [v for values in bank.SLOT_LISTS.values() for v in values]
    words = re.findall(r"[A-Z]?[^\W\d_A-Z]+|[A-Z]+(?![^\W\d_A-Z])", " ".join(texts))
    words += re.findall(r"[^\W\d_]+", " ".join(texts))
    return frozenset(w.casefold() for w in words)


BANK_WORDS = _bank_words()

_ONSETS = ("b", "c", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "dr")
_VOWELS = ("a", "e", "i", "o", "u", "ae", "io")
_CODAS = ("", "", "n", "r", "x", "l", "s", "th")


def _pseudo_word(rng: random.Random) -> str:
    syllables = rng.randint(2, 3)
    return "".join(rng.choice(_ONSETS) + rng.choice(_VOWELS) for _ in range(syllables)) + (
        rng.choice(_CODAS)
    )


def generate_phrases(count: int, seed: int) -> list[str]:
    """``count`` distinct phrases of one to three invented words, in a stable order.

    A phrase with a word the sentence bank can produce (a name such as "Fatima", a
    word such as "data") is skipped, so only planted phrases occur in a generated post.
    """
    rng = random.Random(seed)  # noqa: S311 - reproducible inputs, not secrets
    seen: set[str] = set()
    phrases: list[str] = []
    while len(phrases) < count:
        words = [_pseudo_word(rng) for _ in range(rng.choice((1, 2, 2, 3)))]
        phrase = " ".join(words)
        if phrase not in seen and BANK_WORDS.isdisjoint(words):
            seen.add(phrase)
            phrases.append(phrase)
    return phrases


def planted_sentence(phrase: str) -> str:
    """The sentence that carries a planted phrase, title-cased so matching needs case folding."""
    return f"Working with {phrase.title()} this week."


def generate_post(chars: int, seed: int, plant: list[str]) -> str:
    """A post of exactly ``chars`` characters with each phrase of ``plant`` in it.

    Ordinary posts follow one another, separated by blank lines; the planted sentences
    are paragraphs of their own, spread evenly, and the text is cut (at a space or line
    break where it can) and padded only after the last of them.
    """
    rng = random.Random(seed)  # noqa: S311 - reproducible inputs, not secrets
    planted = [planted_sentence(phrase) for phrase in plant]
    length = sum(len(p) + 2 for p in planted) - 2
    if length > chars:
        raise ValueError(f"{len(plant)} planted phrases do not fit in {chars} characters")
    blocks: list[str] = []
    while length < chars:
        for block in _post_blocks(rng):
            blocks.append(block)
            length += len(block) + 2
            if length >= chars:
                break
    # Every slot is before the last ordinary block, so cutting the tail never reaches a plant.
    ordinary = len(blocks)
    for index, sentence in reversed(list(enumerate(planted))):
        blocks.insert((index + 1) * ordinary // (len(planted) + 1), sentence)
    text = "\n\n".join(blocks)
    if len(text) > chars:
        last_plant = max((text.rfind(p) + len(p) for p in planted), default=0)
        space = max(text.rfind(" ", 0, chars + 1), text.rfind("\n", 0, chars + 1))
        text = text[: max(space, last_plant) if space > 0 else chars].rstrip()
    return text.ljust(chars, ".")

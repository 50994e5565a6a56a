"""Deterministic benchmark inputs: post texts and phrase lists.

Phrases are made of invented words (like codenames and customer names), so an
everyday post matches only the phrases planted in it on purpose; drawing them
from the post vocabulary would turn every word pair into a finding and measure
the cost of thousands of findings instead of the scan.
"""

from __future__ import annotations

import random

_POST_VOCABULARY = """
    team launch product customer growth thanks proud week year quarter market
    people work great new role journey learning leadership culture hiring event
    conference talk panel insights data cloud platform security design engineer
    engineering sales partner partners community mentor mentoring career skills
    future today tomorrow together share shared building build built results
    progress strategy vision mission value values impact innovation research
    study report trends industry digital transformation experience customers
    success story stories lessons honored excited thrilled announce joined
    welcome congratulations colleagues friends network connect meeting workshop
    webinar session keynote demo feature release update roadmap feedback users
    support service quality speed scale reliable simple open source community
    developers analytics insight teams remote office hybrid balance wellbeing
    health focus goals planning retrospective sprint agile delivery shipping
    milestone anniversary celebrate celebrating grateful inspiring inspired
    opportunity opportunities challenge challenges solution solutions problem
    problems ideas idea question questions answer answers podcast episode guest
    article blog read reading writing book recommend recommendation tips advice
    the and for with our this that from into about over after before during
    while more most very really just also still even every each many some
"""
POST_WORDS: tuple[str, ...] = tuple(_POST_VOCABULARY.split())

HASHTAGS: tuple[str, ...] = (
    "#leadership",
    "#hiring",
    "#engineering",
    "#careers",
    "#innovation",
    "#teamwork",
    "#opensource",
    "#security",
)

# Astral and combining characters keep the UTF-16 span mapping on the measured path.
EMOJI: tuple[str, ...] = ("🚀", "🎉", "👏", "💡", "🙌", "✨", "👍🏽")

_ONSETS = ("b", "c", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "dr")
_VOWELS = ("a", "e", "i", "o", "u", "ae", "io")
_CODAS = ("", "", "n", "r", "x", "l", "s", "th")


def _pseudo_word(rng: random.Random) -> str:
    syllables = rng.randint(2, 3)
    return "".join(rng.choice(_ONSETS) + rng.choice(_VOWELS) for _ in range(syllables)) + (
        rng.choice(_CODAS)
    )


def generate_phrases(count: int, seed: int) -> list[str]:
    """``count`` distinct phrases of one to three invented words, in a stable order."""
    rng = random.Random(seed)  # noqa: S311 - reproducible inputs, not secrets
    seen: set[str] = set()
    phrases: list[str] = []
    while len(phrases) < count:
        phrase = " ".join(_pseudo_word(rng) for _ in range(rng.choice((1, 2, 2, 3))))
        if phrase not in seen and phrase.lower() not in POST_WORDS:
            seen.add(phrase)
            phrases.append(phrase)
    return phrases


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(POST_WORDS) for _ in range(rng.randint(6, 18))]
    words[0] = words[0].capitalize()
    tail = rng.choice((".", ".", ".", "!", "?"))
    sentence = " ".join(words) + tail
    if rng.random() < 0.15:
        sentence += " " + rng.choice(EMOJI)
    if rng.random() < 0.1:
        sentence += " " + rng.choice(HASHTAGS)
    return sentence


def planted_sentence(phrase: str) -> str:
    """The sentence that carries a planted phrase, title-cased so matching needs case folding."""
    return f"Working with {phrase.title()} this week."


def generate_post(chars: int, seed: int, plant: list[str]) -> str:
    """A post of exactly ``chars`` characters with each phrase of ``plant`` in it.

    Planted phrases are spread evenly through the text.
    """
    rng = random.Random(seed)  # noqa: S311 - reproducible inputs, not secrets
    sentences: list[str] = []
    length = 0
    while length < chars:
        sentence = _sentence(rng)
        sentences.append(sentence)
        length += len(sentence) + 1
    for index, phrase in enumerate(plant):
        slot = (index + 1) * len(sentences) // (len(plant) + 1)
        sentences.insert(slot, planted_sentence(phrase))
    text = " ".join(sentences)
    # Cut at the last space before the limit so no planted phrase is split, then pad.
    if len(text) > chars:
        cut = text.rfind(" ", 0, chars)
        text = text[: cut if cut > 0 else chars]
    return text.ljust(chars, ".")

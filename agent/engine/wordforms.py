"""Word forms: the surface spellings a listed term stands for, expanded once at load.

A list author writes ``retard`` and ``white trash``; posts say "retarded",
"retards", "#WhiteTrash", "white-trash".  Rather than stem every word of every
post on every keystroke, the compiler expands each term into the spellings it
covers and puts them all into the one Aho–Corasick automaton: the check path
stays a single pass over the text.

Expansion is deliberately shallow (regular English inflection, no dictionary):
``-s -es -ed -ing -er -ers -est``, ``e``-dropping, ``y`` → ``ies/ied`` and
consonant doubling, on each content word of three letters or more.  Function
words ("of", "you", "the") are left alone so that "piece of shit" does not grow
"pieces ofs shit" and "u" never becomes "us".  Stretched letters ("idiooot")
are handled by the squeezed view at check time, not here.
"""

from __future__ import annotations

import re

# Words that never inflect in a phrase: pronouns, articles, prepositions, auxiliaries.
FUNCTION_WORDS = frozenset(
    """
    a an the of to in on at by for from with into onto about as than then and or nor but
    so if is am are was were be been being do does did has have had will would shall
    should can could may might must not no yes it its it's this that these those there
    here he she we they you u ur ya ye yo i me my mine your yours his her hers our ours
    their theirs them us him who whom whose what which when where why how all any some
    every each both either neither own up down out off over under again very just too
    """.split()
)
MIN_INFLECTED_CHARS = 3
MAX_FORMS_PER_TERM = 64
_VOWELS = frozenset("aeiou")
_SIBILANT_ENDS = ("s", "x", "z", "ch", "sh")


def inflections(word: str) -> list[str]:
    """Regular inflections of one lower-case word, the word itself first."""
    forms = [word]
    if (
        len(word) < MIN_INFLECTED_CHARS
        or word in FUNCTION_WORDS
        or not word.replace("-", "").isalpha()
        or word.endswith("-")
    ):
        return forms
    add = forms.append
    last = word[-1]
    if word.endswith(_SIBILANT_ENDS):
        add(word + "es")
    elif last == "y" and word[-2] not in _VOWELS:
        add(word[:-1] + "ies")
    else:
        add(word + "s")
    if last == "e":
        stem = word[:-1]
        add(word + "d")
        add(stem + "ing")
        add(word + "r")
        add(word + "rs")
        add(word + "st")
    elif last == "y" and word[-2] not in _VOWELS:
        stem = word[:-1]
        add(stem + "ied")
        add(word + "ing")
        add(stem + "ier")
        add(stem + "iest")
    else:
        stem = word
        if _doubles(word):
            stem = word + last
            # both spellings: "targeted" and "stabbed" follow different stress rules
            add(word + "ed")
            add(word + "ing")
        add(stem + "ed")
        add(stem + "ing")
        add(stem + "er")
        add(stem + "ers")
        add(stem + "est")
    return list(dict.fromkeys(forms))


def _doubles(word: str) -> bool:
    """Consonant–vowel–consonant ending: "stab" → "stabbed" (not "shoot", "kill", "fix")."""
    if len(word) < 3:
        return False
    a, b, c = word[-3], word[-2], word[-1]
    return a not in _VOWELS and b in _VOWELS and c not in _VOWELS and c not in "wxy"


def surface_forms(phrase: str, *, inflect: bool = True) -> list[str]:
    """Every spelling a term covers: its inflections and, for phrases, joined forms.

    In a phrase one word at a time takes its forms ("fired him", "pieces of shit"):
    real text seldom inflects two words of one phrase differently from the list, and
    the product of every word's forms would multiply the automaton for nothing.
    ``"white trash"`` → ``white trash``, ``white trashes``, ``whites trash``, …,
    ``whitetrash``, ``white-trash``.  Capped at :data:`MAX_FORMS_PER_TERM`.
    """
    words = phrase.lower().split()
    if not words:
        return []
    spaced = [" ".join(words)]
    if inflect:
        for position, word in enumerate(words):
            for form in inflections(word)[1:]:
                spaced.append(" ".join([*words[:position], form, *words[position + 1 :]]))
    spaced = spaced[:MAX_FORMS_PER_TERM]
    forms = list(spaced)
    if len(words) in (2, 3) and all(w.isalnum() for w in words):
        # Hashtags and handles run words together ("#firehim"); some write them hyphenated.
        for form in spaced:
            forms.append(form.replace(" ", ""))
            forms.append(form.replace(" ", "-"))
    return list(dict.fromkeys(forms))


def squeeze(text: str) -> str:
    """Runs of one repeated letter reduced to one letter: "faaaggot" → "fagot"."""
    return _RUN.sub(r"\1", text)


_RUN = re.compile(r"([^\W\d_])\1+")

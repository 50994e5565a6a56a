"""A linear classifier over a post's words: one more matcher, for what word lists miss.

Lists catch the wordings their authors thought of; people write the same thing in
a thousand other ways.  A logistic model over word unigrams and bigrams, trained on
a labelled archive (``postguard pack train``), scores the whole post per label.
When a label's probability reaches the rule's threshold, the finding covers the
sentence that contributed most, and the explanation names the words that weighed.

Features are read from the leet view with punctuation as spaces, the reading the
word lists use, so "Q3", "q-3" and "Q 3" weigh alike; training reads posts through
the same :func:`post_tokens`, so the model sees exactly what a check sees.
"""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import compress, repeat
from operator import eq
from typing import ClassVar

from agent.engine.matchers.base import Hit, Scan
from agent.engine.matchers.words import Clause
from agent.engine.normalize import TextViews
from agent.engine.proximity import sentence_ends

_TOKEN = re.compile(r"[^\W_]+")
MAX_TOKENS = 4_000  # a post's first words decide; a hostile 40,000-character post costs the same
EXPLAIN_FEATURES = 3


@dataclass(frozen=True, slots=True)
class Tokens:
    """A post's words as the classifier reads them, each with its sentence number."""

    texts: list[str]
    sentences: list[int]
    bounds: list[tuple[int, int]]  # each sentence's span in the leet view

    def __len__(self) -> int:
        return len(self.texts)

    def keys(self, seed: int) -> list[tuple[int, int]]:
        """Each feature's key (as :func:`feature_key` gives it) with its sentence.

        CRC-32 continues from a prefix, so a bigram's key is its first word's key carried
        on over " " and the second word: one short C call per feature, no joined strings.
        Features come in the order of :meth:`features`: unigrams, then bigrams.
        """
        unigrams, bigrams, same = self._keys(seed)
        sentences = self.sentences
        return [
            *zip(unigrams, sentences, strict=True),
            *compress(zip(bigrams, sentences, strict=False), same),
        ]

    def key_set(self, seed: int) -> set[int]:
        """The distinct feature keys, for scoring: what :meth:`keys` holds, without sentences.

        Every step is one C-level call over the whole post (``map``, ``compress``), so a
        3,000-character post is keyed in a fraction of the time a Python loop takes.
        """
        unigrams, bigrams, same = self._keys(seed)
        found = set(unigrams)
        found.update(compress(bigrams, same))
        return found

    def _keys(self, seed: int) -> tuple[list[int], list[int], list[bool]]:
        """Unigram keys, the keys of each pair of neighbours, and whether a pair shares a
        sentence (a bigram never spans a sentence end)."""
        crc32 = zlib.crc32
        raw = [text.encode("utf-8") for text in self.texts]
        unigrams = list(map(crc32, raw, repeat(seed)))
        bigrams = list(map(crc32, raw[1:], map(crc32, repeat(b" "), unigrams)))
        same = list(map(eq, self.sentences[1:], self.sentences))
        return unigrams, bigrams, same

    def features(self) -> list[tuple[str, int]]:
        """Unigrams and bigrams within a sentence, each with the sentence it stands in."""
        texts, sentences = self.texts, self.sentences
        found = list(zip(texts, sentences, strict=True))
        found += [
            (f"{a} {b}", s)
            for a, b, s, t in zip(texts, texts[1:], sentences, sentences[1:], strict=False)
            if s == t
        ]
        return found


def post_tokens(views: TextViews) -> Tokens:
    """The words of a post (the first :data:`MAX_TOKENS`), each with its sentence number."""
    text = views.leet.text
    texts: list[str] = []
    sentences: list[int] = []
    bounds: list[tuple[int, int]] = []
    begin = 0
    for stop in [*sentence_ends(text), len(text)]:
        words = _TOKEN.findall(text, begin, stop)
        if words:
            texts += words
            sentences += [len(bounds)] * len(words)
        bounds.append((begin, stop))
        begin = stop
        if len(texts) >= MAX_TOKENS:
            break
    del texts[MAX_TOKENS:], sentences[MAX_TOKENS:]
    return Tokens(texts, sentences, bounds)


def features(tokens: Tokens) -> list[str]:
    """The feature strings of ``tokens``, as training reads them."""
    return [feature for feature, _ in tokens.features()]


def feature_key(feature: str, seed: int) -> int:
    """A feature as the model file stores it: CRC-32 of the salt then the feature.

    The file then carries no readable text of the archive it was trained on (customer
    names, codenames); as with hashed lists, that keeps words out of sight, not out of
    reach of anyone who hashes guesses.
    """
    return zlib.crc32(feature.encode("utf-8"), seed)


@dataclass(frozen=True, slots=True)
class LinearModel:
    """Per label, a bias and a weight per feature (absent features weigh nothing)."""

    labels: tuple[str, ...]
    bias: tuple[float, ...]
    weights: Mapping[int, tuple[float, ...]]  # feature key -> one weight per label
    seed: int  # CRC-32 of the model's salt: the start value of every feature key

    def row(self, feature: str) -> tuple[float, ...] | None:
        return self.weights.get(zlib.crc32(feature.encode("utf-8"), self.seed))

    def scores(self, keys: set[int]) -> list[float]:
        """Each label's probability for a post's distinct feature keys."""
        weights = self.weights
        rows = list(map(weights.__getitem__, keys & weights.keys()))
        if not rows:
            return [_sigmoid(b) for b in self.bias]
        columns = zip(*rows, strict=True)  # every row has one weight per label
        return [_sigmoid(b + sum(column)) for b, column in zip(self.bias, columns, strict=True)]

    def by_sentence(self, keys: list[tuple[int, int]], label: int) -> dict[int, float]:
        """How much each sentence contributed to ``label`` (a feature counts where first seen)."""
        shares: dict[int, float] = {}
        seen: set[int] = set()
        for key, sentence in keys:
            if key in seen:
                continue
            seen.add(key)
            row = self.weights.get(key)
            if row is not None and row[label]:
                shares[sentence] = shares.get(sentence, 0.0) + row[label]
        return shares


def _sigmoid(value: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, value))))


@dataclass(frozen=True, slots=True)
class ClassifierMatcher:
    model: LinearModel
    label: int
    threshold: float
    anchor: Clause | None = None  # terms one of which the finding's sentence must hold
    kind: ClassVar[str] = "classifier"
    required_literals: ClassVar[frozenset[int]] = frozenset()

    def find(self, scan: Scan) -> list[Hit]:
        memo = id(self.model)
        cached = scan.clauses.get(memo)
        if cached is None:
            tokens = post_tokens(scan.views)
            probabilities = self.model.scores(tokens.key_set(self.model.seed))
            cached = scan.clauses[memo] = (tokens, probabilities)
        tokens, probabilities = cached
        probability = probabilities[self.label]
        if probability < self.threshold or not len(tokens):
            return []
        leet = scan.views.leet
        spans: dict[int, tuple[int, int]] = {}  # sentence -> its words' original span
        for sentence in dict.fromkeys(tokens.sentences):
            begin, stop = tokens.bounds[sentence]
            words = [m.span() for m in _TOKEN.finditer(leet.text, begin, stop)]
            first, _ = leet.original_span(*words[0])
            _, last = leet.original_span(*words[-1])
            spans[sentence] = (first, last)
        candidates = list(spans)
        if self.anchor is not None:
            anchors = [hit for hit, _ in self.anchor.hits(scan)]
            candidates = [
                s
                for s, (begin, end) in spans.items()
                if any(begin <= a.start and a.end <= end for a in anchors)
            ]
            if not candidates:
                return []  # the model alone does not decide a finding
        shares = self.model.by_sentence(tokens.keys(self.model.seed), self.label)
        sentence = max(candidates, key=lambda s: shares.get(s, 0.0))
        start, end = spans[sentence]
        detail = f"{self.model.labels[self.label]} model {probability:.2f}"
        reasons = self._reasons(tokens, sentence)
        if reasons:
            detail += ": " + ", ".join(f'"{f}" (+{w:.1f})' for f, w in reasons)
        return [Hit(start, end, detail, context=tuple(f for f, _ in reasons))]

    def _reasons(self, tokens: Tokens, sentence: int) -> list[tuple[str, float]]:
        """The features of ``sentence`` that weighed most towards the label."""
        weighed: dict[str, float] = {}
        for feature, where in tokens.features():
            if where != sentence:
                continue
            row = self.model.row(feature)
            if row is not None and row[self.label] > 0:
                weighed[feature] = row[self.label]
        return sorted(weighed.items(), key=lambda item: -item[1])[:EXPLAIN_FEATURES]

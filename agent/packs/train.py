"""Train a pack's classifier model from a labelled archive (``postguard pack train``).

One-vs-rest logistic regression over binary word unigrams and bigrams, fitted by
stochastic gradient descent with a fixed seed, so the same archive gives the same
file.  Small and dependency-free on purpose: an archive of a few thousand posts
trains in seconds, and the result is a weight table IT can diff and sign.
"""

from __future__ import annotations

import math
import random
import secrets
import zlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from agent.engine.classifier import feature_key, features, post_tokens
from agent.engine.normalize import TextViews
from agent.packs.model_file import ModelFile

DEFAULT_EPOCHS = 15
MIN_COUNT = 2  # a word seen in one post only is that post's, not the label's
L2 = 3e-4
KEEP = 1e-3  # weights closer to zero than this are dropped from the file


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    labels: frozenset[str]
    # The labels the post was labelled for; None: all. A post written to teach harassment
    # says nothing about disclosure, so it must not teach the disclosure label "no".
    labelled_for: frozenset[str] | None = None


def post_features(text: str) -> frozenset[str]:
    return frozenset(features(post_tokens(TextViews(text))))


def train(
    examples: Sequence[Example],
    labels: Sequence[str],
    *,
    epochs: int = DEFAULT_EPOCHS,
    seed: int = 0,
    trained_on: str | None = None,
    salt: bytes | None = None,
    progress: Callable[[int, float], None] | None = None,
) -> ModelFile:
    """Fit one weight per feature and label; ``progress(epoch, mean loss)`` after each epoch."""
    rows = [post_features(e.text) for e in examples]
    counts = Counter(f for row in rows for f in row)
    vocabulary = {f for f, n in counts.items() if n >= MIN_COUNT}
    docs = [[f for f in sorted(row) if f in vocabulary] for row in rows]
    targets = [[1.0 if label in e.labels else 0.0 for label in labels] for e in examples]
    width = len(labels)
    read = [
        [i for i, label in enumerate(labels) if e.labelled_for is None or label in e.labelled_for]
        for e in examples
    ]
    weights: dict[str, list[float]] = {}
    bias = [0.0] * width
    order = list(range(len(docs)))
    shuffle = random.Random(seed).shuffle  # noqa: S311 - a reproducible order, not a secret
    for epoch in range(epochs):
        shuffle(order)
        rate = 0.5 / (1.0 + 0.3 * epoch)
        loss = 0.0
        for index in order:
            doc, target = docs[index], targets[index]
            rows_of = [weights.setdefault(f, [0.0] * width) for f in doc]
            for label in read[index]:
                z = bias[label] + sum(row[label] for row in rows_of)
                p = 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))
                gradient = p - target[label]
                loss -= math.log(p if target[label] else 1.0 - p) if 0 < p < 1 else 0.0
                if gradient == 0.0:
                    continue
                bias[label] -= rate * gradient * 0.1
                for row in rows_of:
                    row[label] -= rate * (gradient + L2 * row[label])
        if progress is not None:
            progress(epoch + 1, loss / max(1, len(docs) * width))
    salt = salt if salt is not None else secrets.token_bytes(16)
    seed = zlib.crc32(salt)
    kept: dict[str, list[float]] = {}
    for feature, row in weights.items():
        if max(map(abs, row)) < KEEP:
            continue
        key = f"{feature_key(feature, seed):08x}"
        if key in kept:  # two features share a key (rare): they share one weight
            row = [max(a, b, key=abs) for a, b in zip(kept[key], row, strict=True)]
        kept[key] = [round(w, 4) for w in row]
    return ModelFile(
        format="postguard-linear/1",
        labels=list(labels),
        bias=[round(b, 4) for b in bias],
        salt=salt.hex(),
        weights=kept,
        trained_on=trained_on,
    )

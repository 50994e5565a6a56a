"""``postguard pack train``: fit a pack's classifier model on a labelled archive of posts."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def register(pack_subparsers: Any) -> None:
    parser: argparse.ArgumentParser = pack_subparsers.add_parser(
        "train",
        help="train a classifier model for a pack from labelled posts",
        description=(
            "Fit a word model (one label per category) on a labelled JSON-lines corpus, the"
            " format `pack eval` reads, and write it as models/NAME.json for `classifier`"
            " rules (docs/pack-format.md). Measure the result with `pack eval` on posts the"
            " model was not trained on."
        ),
    )
    parser.add_argument(
        "corpus", nargs="+", metavar="CORPUS.jsonl", help="labelled posts, one JSON object a line"
    )
    parser.add_argument(
        "--out", type=Path, required=True, metavar="FILE", help="where to write the model"
    )
    parser.add_argument(
        "--labels",
        metavar="A,B",
        help="the categories to learn (default: every category the corpus expects)",
    )
    parser.add_argument("--epochs", type=int, default=None, metavar="N", help="passes (15)")
    parser.add_argument(
        "--salt",
        metavar="HEX",
        help="salt of the feature keys, 32 hex digits (default: a new one; reuse it to retrain"
        " with a stable file)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from agent.cli.pack_eval_input import read_corpus
    from agent.errors import UserError
    from agent.fsutil import write_atomic
    from agent.packs.model_file import model_dump
    from agent.packs.train import DEFAULT_EPOCHS, Example, train

    examples = [
        Example(
            post.text,
            frozenset(c.value for c in post.expect),
            None if post.labelled_for is None else frozenset(c.value for c in post.labelled_for),
        )
        for _, post in read_corpus(args.corpus)
    ]
    present = sorted({label for e in examples for label in e.labels})
    labels = [x.strip() for x in args.labels.split(",")] if args.labels else present
    missing = [label for label in labels if label not in present]
    if missing:
        raise UserError(f"no post in the corpus expects {', '.join(missing)}; nothing to learn")
    if not any(not e.labels for e in examples):
        raise UserError("the corpus has no benign posts (expect: []); a model needs both kinds")
    epochs = args.epochs if args.epochs is not None else DEFAULT_EPOCHS
    if not 1 <= epochs <= 200:
        raise UserError(f"--epochs {epochs}: expected 1 to 200")

    salt: bytes | None = None
    if args.salt is not None:
        try:
            salt = bytes.fromhex(args.salt)
        except ValueError:
            salt = b""
        if not 8 <= len(salt) <= 32:
            raise UserError(f"--salt {args.salt!r}: expected 16 to 64 hex digits")

    def progress(epoch: int, loss: float) -> None:
        print(f"epoch {epoch}/{epochs}: loss {loss:.4f}", file=sys.stderr)

    names = ", ".join(Path(c).name for c in args.corpus)
    model = train(
        examples, labels, epochs=epochs, trained_on=f"{len(examples)} posts: {names}",
        salt=salt, progress=progress,
    )  # fmt: skip
    text = model_dump(model)
    write_atomic(args.out, text.encode("utf-8"), mode=0o644)  # shipped in the pack: readable
    counts = ", ".join(f"{label} {sum(label in e.labels for e in examples)}" for label in labels)
    print(
        f"trained on {len(examples)} posts ({counts};"
        f" benign {sum(not e.labels for e in examples)}):"
        f" {len(model.weights)} features, {len(text)} bytes → {args.out}"
    )
    return 0

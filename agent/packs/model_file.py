"""Classifier model files in a pack (``models/<name>.json``): one strict loader.

A model file is written by ``postguard pack train`` and shipped, signed, with the
pack.  It is data: labels, a bias per label and a weight per feature and label.
It is read with hard bounds (file size, label and feature counts, feature length,
finite weights), so a hostile or damaged file is refused with one line, never
loaded half-way or allowed to exhaust memory.
"""

from __future__ import annotations

import json
import zlib
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from agent.engine.classifier import LinearModel
from agent.fsutil import FileTooLarge, read_regular_file
from agent.packs.errors import PackError

FORMAT = "postguard-linear/1"
MAX_MODEL_BYTES = 16 * 1024 * 1024
MAX_LABELS = 16
MAX_FEATURES = 200_000

Weight = Annotated[float, Field(allow_inf_nan=False, ge=-100.0, le=100.0)]


class ModelFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    format: Literal["postguard-linear/1"]
    labels: list[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")]] = Field(
        min_length=1, max_length=MAX_LABELS
    )
    bias: list[Weight]
    salt: str = Field(pattern=r"^[0-9a-f]{16,64}$")
    # CRC-32 (8 hex digits) of salt + feature -> one weight per label
    weights: dict[Annotated[str, Field(pattern=r"^[0-9a-f]{8}$")], list[Weight]]
    trained_on: str | None = Field(default=None, max_length=2_000)  # what the model learnt from

    @field_validator("weights")
    @classmethod
    def _bounded(cls, value: dict[str, list[float]]) -> dict[str, list[float]]:
        if len(value) > MAX_FEATURES:
            raise ValueError(f"{len(value)} features; the limit is {MAX_FEATURES}")
        return value

    def check_shape(self) -> None:
        width = len(self.labels)
        if len(set(self.labels)) != width:
            raise ValueError("labels must be distinct")
        if len(self.bias) != width:
            raise ValueError(f"bias has {len(self.bias)} values for {width} labels")
        for feature, row in self.weights.items():
            if len(row) != width:
                raise ValueError(f"feature {feature!r} has {len(row)} weights for {width} labels")

    def runtime(self) -> LinearModel:
        return LinearModel(
            labels=tuple(self.labels),
            bias=tuple(self.bias),
            weights={int(k, 16): tuple(row) for k, row in self.weights.items() if any(row)},
            seed=zlib.crc32(bytes.fromhex(self.salt)),
        )


def load_model(path: Path) -> ModelFile:
    """Read and validate one model file; ``PackError`` naming the file on any problem."""
    try:
        # a regular file, read from the descriptor it was checked on, up to the cap: a FIFO
        # or a link to /dev/zero in its place is refused, never read
        raw = read_regular_file(path, MAX_MODEL_BYTES)
    except FileNotFoundError:
        raise PackError("model file not found (expected models/<name>.json)", path=path) from None
    except FileTooLarge as exc:
        raise PackError(f"model file is too large: {exc.strerror}", path=path) from None
    except OSError as exc:
        raise PackError(f"cannot read: {exc.strerror or exc}", path=path) from None
    try:
        data = json.loads(raw, parse_constant=_refuse_constant)
        model = ModelFile.model_validate(data)
        model.check_shape()
    except (ValueError, ValidationError) as exc:  # JSONDecodeError is a ValueError
        first = exc.errors()[0] if isinstance(exc, ValidationError) else None
        reason = (
            f"{'.'.join(str(p) for p in first['loc'][:2])}: {first['msg']}"
            if first
            else str(exc).splitlines()[0]
        )
        raise PackError(f"not a valid {FORMAT} model: {reason}", path=path) from None
    return model


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not a weight")


def model_dump(model: ModelFile) -> str:
    """The file's text: stable key order, so retraining on the same data is a no-op diff."""
    return json.dumps(model.model_dump(), sort_keys=True, separators=(",", ":")) + "\n"

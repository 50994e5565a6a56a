"""Bodies of ``POST /v1/pair``: one route, three strict shapes chosen by ``step``.

- no ``step``: ``{"code"}``, the code itself, for scripts on a machine where ``postguard
  pair`` has just checked that the agent holds the port;
- ``"hello"``: the extension's nonce; the agent answers with its own;
- ``"prove"``: both nonces and the extension's proof that it knows the code; the agent
  answers with the token sealed for the code's holder and its own proof.
"""

from __future__ import annotations

from typing import Annotated, Final, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, RootModel, Tag

_HEX64: Final = r"^[0-9a-f]{64}$"

Hex64 = Annotated[str, Field(min_length=64, max_length=64, pattern=_HEX64)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class PairWithCode(_Body):
    code: str = Field(min_length=1, max_length=32)


class PairHello(_Body):
    step: Literal["hello"]
    nonce: Hex64


class PairProve(_Body):
    step: Literal["prove"]
    nonce: Hex64
    agent_nonce: Hex64
    proof: Hex64


def _step(value: object) -> str | None:
    if isinstance(value, dict):
        step = value.get("step", "code")
        return step if isinstance(step, str) else None
    return getattr(value, "step", "code")


class PairRequest(
    RootModel[
        Annotated[
            Annotated[PairWithCode, Tag("code")]
            | Annotated[PairHello, Tag("hello")]
            | Annotated[PairProve, Tag("prove")],
            Discriminator(_step),
        ]
    ]
):
    model_config = ConfigDict(frozen=True, defer_build=True)


class PairHelloResponse(_Body):
    agent_nonce: str


class PairProveResponse(_Body):
    iv: str
    sealed_token: str
    proof: str

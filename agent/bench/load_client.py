"""The HTTP load generator, run as its own process so it does not share the server's loop.

N concurrent clients share one keep-alive session and POST the same body in a
loop for a fixed time after a warm-up. Reads a ``LoadSpec`` as JSON on stdin,
writes a ``LoadResult`` as JSON on stdout.
Usage: ``python -m agent.bench.load_client < spec.json``.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter

import aiohttp
from pydantic import BaseModel, ConfigDict, Field

from agent.bench.stats import Latency, summarize_ns

REQUEST_TIMEOUT_S = 10.0


class LoadSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    url: str
    token: str | None = None
    body: dict[str, str]
    concurrency: int = Field(ge=1)
    seconds: float = Field(gt=0)
    warmup_seconds: float = Field(ge=0)


class LoadResult(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    requests: int
    errors: dict[str, int]
    elapsed_s: float
    latency: Latency | None


class _Phase:
    def __init__(self) -> None:
        self.samples: list[int] = []
        self.errors: Counter[str] = Counter()


async def _worker(
    session: aiohttp.ClientSession, spec: LoadSpec, payload: bytes, deadline: int, phase: _Phase
) -> None:
    clock = time.perf_counter_ns
    while clock() < deadline:
        start = clock()
        try:
            async with session.post(spec.url, data=payload) as response:
                await response.read()
                status = response.status
        except (aiohttp.ClientError, TimeoutError) as exc:
            phase.errors[type(exc).__name__] += 1
            continue
        if status == 200:
            phase.samples.append(clock() - start)
        else:
            phase.errors[f"http_{status}"] += 1


async def _run_phase(
    session: aiohttp.ClientSession, spec: LoadSpec, payload: bytes, seconds: float
) -> tuple[_Phase, float]:
    phase = _Phase()
    start = time.perf_counter_ns()
    deadline = start + int(seconds * 1e9)
    await asyncio.gather(
        *(_worker(session, spec, payload, deadline, phase) for _ in range(spec.concurrency))
    )
    return phase, (time.perf_counter_ns() - start) / 1e9


async def run_load(spec: LoadSpec) -> LoadResult:
    headers = {"Content-Type": "application/json"}
    if spec.token:
        headers["Authorization"] = f"Bearer {spec.token}"
    payload = json.dumps(spec.body).encode()
    connector = aiohttp.TCPConnector(limit=spec.concurrency)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    async with aiohttp.ClientSession(
        connector=connector, headers=headers, timeout=timeout
    ) as session:
        if spec.warmup_seconds:
            await _run_phase(session, spec, payload, spec.warmup_seconds)
        phase, elapsed = await _run_phase(session, spec, payload, spec.seconds)
    return LoadResult(
        requests=len(phase.samples) + sum(phase.errors.values()),
        errors=dict(phase.errors),
        elapsed_s=elapsed,
        latency=summarize_ns(phase.samples) if phase.samples else None,
    )


def main() -> int:
    spec = LoadSpec.model_validate_json(sys.stdin.read())
    print(asyncio.run(run_load(spec)).model_dump_json())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

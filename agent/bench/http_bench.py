"""``/v1/check`` over loopback HTTP against a real agent, next to the bare aiohttp floor."""

from __future__ import annotations

import subprocess
import sys
import time
from typing import Literal

import psutil

from agent.bench.config import BenchConfig
from agent.bench.load_client import LoadResult, LoadSpec
from agent.bench.models import HttpRow, HttpSection, IdleCpu
from agent.bench.servers import Server, ServerError, pair, start_agent, start_echo, stop
from agent.bench.workspace import Workspace

MB = 1024 * 1024
_SETTLE_S = 1.0


def _load(
    server: Server, token: str | None, text: str, concurrency: int, cfg: BenchConfig
) -> LoadResult:
    spec = LoadSpec(
        url=f"{server.base_url}/v1/check",
        token=token,
        body={"text": text, "platform": "linkedin"},
        concurrency=concurrency,
        seconds=cfg.http_seconds,
        warmup_seconds=cfg.http_warmup_seconds,
    )
    done = subprocess.run(
        [sys.executable, "-m", "agent.bench.load_client"],
        input=spec.model_dump_json(),
        capture_output=True,
        text=True,
        timeout=cfg.http_seconds + cfg.http_warmup_seconds + 60,
        check=False,
    )
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise ServerError(f"load client failed: {last}")
    return LoadResult.model_validate_json(done.stdout)


def _rows(
    server: Server, target: Literal["agent", "echo"], token: str | None, text: str, cfg: BenchConfig
) -> list[HttpRow]:
    rows: list[HttpRow] = []
    for concurrency in cfg.http_concurrency:
        result = _load(server, token, text, concurrency, cfg)
        ok = result.requests - sum(result.errors.values())
        rows.append(
            HttpRow(
                target=target,
                concurrency=concurrency,
                requests=result.requests,
                errors=result.errors,
                checks_per_s=ok / result.elapsed_s,
                latency=result.latency,
            )
        )
    return rows


def _cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system + times.children_user + times.children_system)


def _idle_cpu(server: Server, seconds: float) -> IdleCpu:
    process = psutil.Process(server.process.pid)
    time.sleep(_SETTLE_S)
    before = _cpu_seconds(process)
    time.sleep(seconds)
    used = _cpu_seconds(process) - before
    return IdleCpu(seconds=seconds, cpu_seconds=used, percent_of_one_core=100 * used / seconds)


def run_http_section(workspace: Workspace, config: BenchConfig) -> HttpSection:
    text = workspace.posts.get(config.http_text_chars) or next(iter(workspace.posts.values()))
    home = workspace.root / "http-agent"
    home.mkdir(exist_ok=True)
    rows: list[HttpRow] = []
    try:
        echo = start_echo(workspace.root)
        try:
            rows += _rows(echo, "echo", None, text, config)
        finally:
            stop(echo)
        agent = start_agent(home)
        try:
            token = pair(home, agent)
            rows += _rows(agent, "agent", token, text, config)
            idle = _idle_cpu(agent, config.idle_seconds)
            rss = psutil.Process(agent.process.pid).memory_info().rss / MB
        finally:
            stop(agent)
    except ServerError as exc:
        return HttpSection(text_chars=len(text), rows=rows, error=str(exc))
    return HttpSection(text_chars=len(text), rows=rows, idle=idle, agent_rss_mb=rss)

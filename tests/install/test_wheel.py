"""The wheel installs anywhere: a fresh venv outside the checkout runs ``check`` and ``serve``
on the baseline it carries, without psutil, and never bundles the example company."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from install_support import REPO, free_port, isolated_env, stop, wait_healthy

PASSWORD_POST = "Staging password is Winter2024!\n"


def test_the_listed_packages_are_every_package_under_agent() -> None:
    """The package list is written out (to map policy_packs/ in); a new one must be added."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    on_disk = {
        ".".join(init.parent.relative_to(REPO).parts)
        for init in (REPO / "agent").rglob("__init__.py")
        if "__pycache__" not in init.parts
    }
    assert listed - {"agent.bundled_packs"} == on_disk
    assert config["tool"]["setuptools"]["package-dir"] == {"agent.bundled_packs": "policy_packs"}


def test_the_bench_tools_are_not_runtime_dependencies() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert not [d for d in project["dependencies"] if d.startswith("psutil")]
    assert [d for d in project["optional-dependencies"]["bench"] if d.startswith("psutil")]


@dataclass(frozen=True)
class Installed:
    wheel: Path
    venv: Path
    root: Path

    @property
    def postguard(self) -> Path:
        return self.venv / "bin" / "postguard"


def _run(*argv: str | Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [str(a) for a in argv], capture_output=True, text=True, timeout=600, **kwargs
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    """The wheel built from a copy of the sources, installed with pip into a new venv."""
    if sys.platform == "win32":
        pytest.skip("the venv layout below is the POSIX one")
    root = tmp_path_factory.mktemp("wheel")
    src = root / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("agent", "policy_packs"):
        shutil.copytree(REPO / name, src / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, src / name)
    built = _run(sys.executable, "-m", "pip", "wheel", src, "--no-deps", "-w", root / "dist")
    assert built.returncode == 0, built.stderr
    (wheel,) = (root / "dist").glob("postguard-*.whl")
    venv = root / "venv"
    made = _run(sys.executable, "-m", "venv", venv)
    assert made.returncode == 0, made.stderr
    done = _run(venv / "bin" / "python", "-m", "pip", "install", "--quiet", wheel)
    assert done.returncode == 0, done.stderr
    yield Installed(wheel=wheel, venv=venv, root=root)


@pytest.mark.slow
def test_the_wheel_carries_the_baseline_and_not_the_example(installed: Installed) -> None:
    names = zipfile.ZipFile(installed.wheel).namelist()
    assert "agent/bundled_packs/baseline/pack.yaml" in names
    assert any(n.startswith("agent/bundled_packs/baseline/rules/") for n in names)
    assert not [n for n in names if "example-company" in n or n.endswith(".pyc")]


@pytest.mark.slow
def test_check_runs_from_the_installed_package(installed: Installed) -> None:
    work = installed.root / "work-check"
    work.mkdir()
    env = isolated_env(installed.root / "machine-check", free_port())
    where = _run(
        installed.venv / "bin" / "python",
        "-c",
        "import agent.paths; print(agent.paths.BUNDLED_PACKS[0])",
        cwd=work,
        env=env,
    )
    assert Path(where.stdout.strip()).is_relative_to(installed.venv), where
    run = _run(installed.postguard, "check", input=PASSWORD_POST, cwd=work, env=env)
    assert run.returncode == 1, run.stderr
    assert "credentials.password-value (baseline)" in run.stdout
    assert run.stdout.rstrip().endswith("packs: baseline " + _baseline_version()), run.stdout


@pytest.mark.slow
def test_serve_answers_health_on_the_bundled_baseline(installed: Installed) -> None:
    port = free_port()
    machine = installed.root / "machine-serve"
    env = isolated_env(machine, port)
    log = machine / "agent.log"
    with log.open("wb") as out:
        agent = subprocess.Popen(
            [str(installed.postguard), "serve"], cwd=machine, env=env, stdout=out, stderr=out
        )
    try:
        wait_healthy(port, agent, log)
        status = _run(installed.postguard, "status", cwd=machine, env=env)
        assert status.returncode == 0, status.stderr
        assert f"baseline {_baseline_version()} (from bundled)" in status.stdout, status.stdout
        assert "example-company" not in status.stdout
    finally:
        stop(agent)


@pytest.mark.slow
def test_bench_without_psutil_says_how_to_get_it(installed: Installed) -> None:
    env = isolated_env(installed.root / "machine-bench", free_port())
    run = _run(installed.postguard, "bench", "--quick", cwd=installed.root, env=env)
    assert run.returncode == 2
    assert run.stdout == ""
    assert run.stderr.strip().splitlines() == [
        "postguard: bench needs psutil, which is not installed: "
        "pip install 'postguard[bench]' (or pip install psutil)"
    ]


def _baseline_version() -> str:
    import yaml

    meta = yaml.safe_load((REPO / "policy_packs" / "baseline" / "pack.yaml").read_text())
    return str(meta["version"])

"""``postguard config validate FILE``: every problem with its line, before a file stops agents."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from agent.config import load_settings
from agent.errors import UserError

KEY = "4pfH4INztzZGVCCasUx5/73Avy4lhMriZl7Db49X8rY="


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_a_valid_managed_file_passes(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write(
        tmp_path,
        f"""\
        port = 47601
        user = "jane.doe@example.com"
        [sync]
        index_url = "https://packs.example.com/postguard/index.json"
        trusted_keys = ["{KEY}"]
        poll_interval_s = 900
        [upload]
        collector_url = "https://events.example.com"
        """,
    )
    run = cli("config", "validate", str(path))
    assert (run.code, run.out, run.err) == (0, f"{path}: valid\n", "")


def test_every_problem_has_its_line_and_a_suggestion(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write(
        tmp_path,
        """\
        # managed settings
        prot = 47600
        justification_min = "twenty"
        poll_interval_s = 600
        data_dir = "/tmp/x"

        [sync]
        index_url = "https://packs.example.com/index.json"
        trusted_keys = []
        pol_interval_s = 900

        [upload]
        "batch_size" = 0
        colector_token = "s3cret-value"
        """,
    )
    run = cli("config", "validate", str(path))
    assert run.code == 1
    assert run.out.splitlines() == [
        f"{path}:2: prot: unknown setting (did you mean 'port'?)",
        f"{path}:3: justification_min: Input should be a valid integer, unable to parse string"
        " as an integer",
        f"{path}:4: poll_interval_s: unknown setting (did you mean 'sync.poll_interval_s',"
        " under [sync]?)",
        f"{path}:5: data_dir: cannot be set in a file; use POSTGUARD_DATA_DIR",
        f"{path}:10: sync.pol_interval_s: unknown setting (did you mean 'sync.poll_interval_s'?)",
        f"{path}:13: upload.batch_size: Input should be greater than or equal to 1",
        f"{path}:14: upload.colector_token: unknown setting (did you mean"
        " 'upload.collector_token'?)",
        f"{path}: 7 problem(s); the agent would refuse this file",
    ]
    assert "s3cret" not in run.out  # values are never echoed: a token may be one


def test_sync_checks_the_agent_makes_at_start(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write(
        tmp_path,
        """\
        port = 0
        [sync]
        index_url = "https://packs.example.com/index.json"
        """,
    )
    run = cli("config", "validate", str(path))
    assert run.code == 1
    assert run.out.splitlines()[:2] == [
        f"{path}:1: port: Input should be greater than or equal to 1",
        # trusted_keys is missing: the problem points at its table
        f"{path}:2: sync.trusted_keys: sync.index_url is set but sync.trusted_keys is empty",
    ]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("port = 1\n[sync\n", 2, "invalid TOML: Expected ']' at the end of a table declaration"),
        ("port = 1\nport = 2\n", 2, "invalid TOML: Cannot overwrite a value"),
        ("sync = { index_url = 5 }\n", 1, "sync.index_url: Input should be a valid string"),
    ],
    ids=["unclosed-table", "duplicate-key", "inline-table"],
)
def test_toml_errors_name_their_line(
    cli, tmp_path: Path, text: str, line: int, message: str
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    run = cli("config", "validate", str(path))
    assert run.code == 1
    assert run.out.splitlines()[0] == f"{path}:{line}: {message}"


def test_an_unreadable_file_is_one_line_exit_2(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run = cli("config", "validate", str(tmp_path / "missing.toml"))
    assert (run.code, run.out) == (2, "")
    assert run.err == f"postguard: {tmp_path / 'missing.toml'}: no such file\n"
    big = tmp_path / "big.toml"
    big.write_bytes(b"#" * (1024 * 1024 + 1))
    run = cli("config", "validate", str(big))
    assert run.code == 1 and "not a settings file" in run.out


@pytest.mark.parametrize(
    "text",
    [
        "port = 47601\n",
        'host = "0.0.0.0"\n',
        "[sync]\nbackoff_base_s = 100\nbackoff_cap_s = 10\n",
        'allowed_origins = ["https://example.com"]\n',
        "override_reasons = []\n",
        "[upload]\nbatch_size = 20000\n",
        'config_dir = "/x"\n',
        "nonsense = 1\n",
        f'[sync]\nindex_url = "https://p.example.com/i.json"\ntrusted_keys = ["{KEY}"]\n',
    ],
)
def test_valid_exactly_when_the_agent_accepts_the_managed_file(
    cli,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    text: str,
) -> None:
    managed = tmp_path / "managed"
    managed.mkdir()
    (managed / "config.toml").write_text(text, encoding="utf-8")
    for name in ("POSTGUARD_PORT", "POSTGUARD_PACK_DIRS", "POSTGUARD_SYNC__INDEX_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("POSTGUARD_SITE_CONFIG_DIR", str(managed))
    monkeypatch.setenv("POSTGUARD_CONFIG_DIR", str(tmp_path / "user"))
    try:
        settings = load_settings().settings
        from agent.sync.options import SyncOptions

        SyncOptions.from_settings(settings.sync)
        accepted = True
    except UserError:
        accepted = False
    run = cli("config", "validate", str(managed / "config.toml"))
    assert (run.code == 0) == accepted, run.out

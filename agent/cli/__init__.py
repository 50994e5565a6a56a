"""The ``postguard`` command line: a table of sub-command modules, nothing else.

Each module in ``COMMANDS`` exposes ``register(subparsers)``, which adds its
parser and sets ``func`` (taking the parsed namespace, returning an exit code).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from agent import __version__
from agent.errors import UserError

COMMANDS: tuple[str, ...] = (
    "check",
    "pack",
    "serve",
    "pair",
    "config",
    "audit",
    "sync",
    "status",
    "enroll",
    "collector",
    "report",
    "bench",
    "install",
    "uninstall",
    "native-host",
    "extension",
)


def build_parser(commands: Sequence[str] = COMMANDS) -> argparse.ArgumentParser:
    """The parser with ``commands`` registered (all of them unless told otherwise)."""
    parser = argparse.ArgumentParser(
        prog="postguard",
        description="Check social media drafts against company policy packs.",
    )
    parser.add_argument("--version", action="version", version=f"postguard {__version__}")
    parser.add_argument(
        "--debug", action="store_true", help="show full tracebacks for internal errors"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in commands:
        # A command's module is its name with "-" as "_" (native-host → native_host).
        importlib.import_module(f"agent.cli.{name.replace('-', '_')}").register(sub)
    return parser


def named_command(argv: Sequence[str]) -> tuple[str, ...]:
    """The commands to register for ``argv``: only the one it names, when it names one.

    Registering a command imports its module; the agent's start (``postguard serve``) would
    otherwise pay for every other command's module too.  The top-level options take no
    value, so the first argument that is not an option is the command.  Anything else
    (``--help``, no command, a mistyped one) gets every command, for the full usage text.
    """
    for arg in argv:
        if arg in ("-h", "--help"):
            break  # the top-level help lists every command
        if not arg.startswith("-"):
            return (arg,) if arg in COMMANDS else COMMANDS
    return COMMANDS


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(named_command(argv))
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
        sys.stdout.flush()  # a closed pipe surfaces here, not at interpreter exit
        return code
    except BrokenPipeError:
        # The reader went away (`postguard check ... | head -1`): stop quietly, like
        # other command-line tools; stdout goes to devnull so the exit flush stays quiet.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, what a shell reports for such a tool
    except UserError as exc:
        print(f"postguard: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # last line of defence: one line, no traceback
        if args.debug:
            raise
        print(
            f"postguard: internal error: {type(exc).__name__}: {exc} (re-run with --debug)",
            file=sys.stderr,
        )
        return 2

"""The command line's entry point: the parser built from `COMMANDS`, and `main`.

A subcommand is a module of this package with an `add_<name>_command(subparsers)` function
that adds its parser and sets `handler`, a function `(args) -> exit code`; registering it is
one entry in `COMMANDS` below. Errors are one line on stderr (`base.error`), never a
traceback, and never the input.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from workflow_prover import __version__
from workflow_prover.cli.assist_prompt import add_assist_prompt_command
from workflow_prover.cli.base import EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, Parser, error
from workflow_prover.cli.check import add_check_command
from workflow_prover.cli.inputs import PROG, UsageError
from workflow_prover.cli.schema import add_schema_command
from workflow_prover.cli.serve import add_serve_command
from workflow_prover.cli.trace import add_trace_command
from workflow_prover.rules.command import add_explain_command, add_rules_command

if TYPE_CHECKING:
    from workflow_prover.cli.base import SubParsers

# The subcommands, in the order `--help` lists them: add one here.
COMMANDS: list[Callable[[SubParsers], None]] = [
    add_check_command,
    add_schema_command,
    add_assist_prompt_command,
    add_serve_command,
    add_rules_command,
    add_explain_command,
    add_trace_command,
]


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog=PROG,
        description="Proves or refutes the resilience of an automation workflow design "
        "(failure handling, idempotency, backoff, credentials) from its description. "
        "Nothing is executed.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for add_command in COMMANDS:
        add_command(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except UsageError as exc:
        error(str(exc))
        return EXIT_USAGE
    except SystemExit as exc:  # --help, --version
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except UsageError as exc:
        error(str(exc))
        return EXIT_USAGE
    except KeyboardInterrupt:
        error("interrupted")
        return 130
    except Exception as exc:  # a bug in the analyzer: one line, no traceback, no input
        error(
            f"internal error ({type(exc).__name__}); please report it with the input that caused it"
        )
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())

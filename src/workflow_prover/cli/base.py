"""What every subcommand shares: exit codes, the parser whose errors are one line, the one
error line on stderr, and writing to a stream that may go away (`| head`)."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, NoReturn, TextIO, TypeAlias

from workflow_prover.cli.inputs import PROG, UsageError
from workflow_prover.cli.output import Style, write

EXIT_OK = 0  # every report passes (see `gate`)
EXIT_FINDINGS = 1  # a report fails
EXIT_USAGE = 2  # usage or input error: an input could not be read (the others were analysed)
EXIT_INTERNAL = 3  # the analyzer itself failed (a bug: please report it)


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are exceptions, so `main` prints them on one line."""

    def error(self, message: str) -> NoReturn:
        hint = f"see '{self.prog} --help'"
        raise UsageError(f"{message} ({hint})")


if TYPE_CHECKING:
    SubParsers: TypeAlias = argparse._SubParsersAction[Parser]


def error(message: str) -> None:
    """The one line a failed run prints on stderr."""
    text = " ".join(message.split())
    try:
        sys.stderr.write(f"{PROG}: error: {text}\n")
        sys.stderr.flush()
    except (OSError, ValueError):  # stderr closed: nothing more to do
        pass


def emit(stream: TextIO, text: str, style: Style) -> None:
    """Write `text`; a reader that went away (`| head`) is no error: the exit code still is."""
    try:
        write(stream, text, style)
    except BrokenPipeError:
        silence_stdout()


def silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
    except OSError:
        return
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
    finally:
        os.close(devnull)

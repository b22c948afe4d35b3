"""The command line: `workflow-prover check [FILE|GLOB ...|-] [--format text|json|sarif]
[--strict] [--ignore CODE]... [--assist-answers FILE.jsonl [--assist MODE]]`, `workflow-prover
schema`, `workflow-prover assist-prompt [FILE|-]`, `workflow-prover serve`, and `workflow-prover
rules` / `explain CODE` (in `rules.command`).

Layout, for whoever extends it:

- a subcommand is one `add_<name>_command(subparsers)` function listed in `COMMANDS`; it sets
  `handler`, a function `(args) -> exit code`;
- an output format is one `format_<name>(results, style) -> str` function in `cli_output`,
  listed in its `FORMATS` (`--format` takes its choices from there);
- input is read and validated (`read_source`, in `cli_input`) before the analyzer is built, so
  an input error never reaches the analyzer; in a batch, each unreadable file is reported on
  one line, the others are analysed and printed, and the exit code is 2.

This module imports `cli_input` and `cli_output`, never the reverse.

Importing this module is cheap: the analyzer (spaCy, lexicons) and the models (pydantic) are
imported inside the command that needs them, so `workflow-prover --help` stays instant.

Nothing here prints the raw input. Reports are redacted by the analyzer; error messages name
the file and the problem, never its content.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, NoReturn, TypeAlias

from workflow_prover import __version__
from workflow_prover.cli_input import MAX_INPUT_BYTES as MAX_INPUT_BYTES
from workflow_prover.cli_input import PROG as PROG
from workflow_prover.cli_input import UsageError as UsageError
from workflow_prover.cli_input import _isatty, _size, display_name, local_files, read_batch
from workflow_prover.cli_input import decode_input as decode_input
from workflow_prover.cli_output import (
    FORMATS,
    PASSING_VERDICTS,
    Progress,
    Result,
    Style,
    line_starts,
    summary_table,
    write,
)
from workflow_prover.cli_output import render_text as render_text
from workflow_prover.rules.command import add_explain_command, add_rules_command

EXIT_OK = 0  # every verdict is WORKFLOW_PROVEN or NOT_APPLICABLE
EXIT_FINDINGS = 1  # any other verdict
EXIT_USAGE = 2  # usage or input error: an input could not be read (the others were analysed)
EXIT_INTERNAL = 3  # the analyzer itself failed (a bug: please report it)


# --- argument parsing ---------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are exceptions, so `main` prints them on one line."""

    def error(self, message: str) -> NoReturn:
        hint = f"see '{self.prog} --help'"
        raise UsageError(f"{message} ({hint})")


if TYPE_CHECKING:
    from workflow_prover.analyzer import Analyzer
    from workflow_prover.assist.replay import AnswerBook
    from workflow_prover.models import Report
    from workflow_prover.schemas import FileLoader

    SubParsers: TypeAlias = argparse._SubParsersAction[_Parser]


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
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


def add_check_command(subparsers: SubParsers) -> None:
    parser = subparsers.add_parser(
        "check",
        help="analyse workflow design documents and print the verdict",
        description="Analyse each FILE (a workflow design in prose, a list, arrows or a "
        "schema; '-' reads stdin) and print its verdict, findings and follow-up questions. "
        "With no FILE, read stdin when it is not a terminal.",
        epilog=f"exit codes: {EXIT_OK} every verdict is WORKFLOW_PROVEN or NOT_APPLICABLE; "
        f"{EXIT_FINDINGS} any other verdict; {EXIT_USAGE} usage or input error (missing, "
        f"unreadable, binary or too large input); {EXIT_INTERNAL} internal error.",
    )
    parser.add_argument(
        "files",
        nargs="*",
        metavar="FILE",
        help=f"design document (UTF-8 text, at most {_size(MAX_INPUT_BYTES)}); '-' for stdin; "
        "a quoted glob ('docs/**/*.md') is expanded, ** included",
    )
    parser.add_argument(
        "--format",
        choices=list(FORMATS),
        default="text",
        help="output format (default: text; sarif: SARIF 2.1.0 for code scanning)",
    )
    parser.add_argument("--strict", action="store_true", help="treat every warning as a blocker")
    parser.add_argument(
        "--ignore",
        action="append",
        default=[],
        metavar="CODE",
        type=_ignorable,
        help="suppress every finding with this code (repeatable); suppressed findings stay in "
        "the output, marked, and do not affect the verdict. In a document: "
        "<!-- prover: ignore CODE -- reason -->",
    )
    parser.add_argument(
        "--assist-answers",
        default=None,
        metavar="FILE.jsonl",
        help="replay recorded answers of a model (one JSON line per text: "
        '{"sha256": ..., "answer": {...}}, see assist-prompt) through the same grounding '
        "and merge as the server's assisted reading",
    )
    parser.add_argument(
        "--assist",
        choices=("auto", "always", "never"),
        default="auto",
        help="with --assist-answers: when the recorded answer stands in for the model's: auto "
        "(default) when the rules' reading is uncertain, always, or never",
    )
    parser.set_defaults(handler=run_check)


def _ignorable(code: str) -> str:
    from workflow_prover.codes import CODES, UNSUPPRESSIBLE  # cheap: no spaCy

    code = code.strip().upper()
    if code in UNSUPPRESSIBLE:
        raise argparse.ArgumentTypeError(f"{code} cannot be ignored: remove and rotate the secret")
    if code not in CODES:
        raise argparse.ArgumentTypeError(f"unknown finding code {code[:60]!r}")
    return code


def add_assist_prompt_command(subparsers: SubParsers) -> None:
    parser = subparsers.add_parser(
        "assist-prompt",
        help="print the sampling request the server sends the client's model for a text",
        description="Print, as JSON, the exact MCP sampling request the server sends the "
        "client's model when it asks for help reading FILE ('-' or none: stdin): the system "
        "prompt, the messages (the redacted text, never a secret), max_tokens, temperature "
        "and include_context, and the sha256 under which an answers file records the answer.",
    )
    parser.add_argument("file", nargs="?", default="-", metavar="FILE", help="design document")
    parser.add_argument(
        "--max-tokens",
        type=_positive_int,
        default=None,
        help="the token bound of the request (default: the server's, 4096)",
    )
    parser.set_defaults(handler=run_assist_prompt)


def _positive_int(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value[:20]!r}")
    return int(value)


def run_assist_prompt(args: argparse.Namespace) -> int:
    from workflow_prover.cli_input import read_source

    if args.file == "-" and _isatty(sys.stdin):
        raise UsageError(
            f"no input: give a FILE, or pipe the text (see '{PROG} assist-prompt --help')"
        )
    source = read_source(args.file, sys.stdin)
    from workflow_prover.analyzer import default_analyzer  # lazy: spaCy loads here
    from workflow_prover.assist.request import DEFAULT_MAX_TOKENS, build_request

    text = default_analyzer().redact(source.text)
    request = build_request([text], args.max_tokens or DEFAULT_MAX_TOKENS)
    out = sys.stdout
    style = Style.for_stream(out)
    text = json.dumps(request.to_json(), indent=2, ensure_ascii=not style.unicode) + "\n"
    try:
        write(out, text, style)
    except BrokenPipeError:
        _silence_stdout()
    return EXIT_OK


def add_schema_command(subparsers: SubParsers) -> None:
    parser = subparsers.add_parser(
        "schema",
        help="print the JSON Schema of the Prover's workflow format",
        description="Print the JSON Schema (draft 2020-12) of the Prover's own workflow "
        "definition format: steps with service, action, error path, retry policy, idempotency "
        "key and credential source. Validate your documents against it, or write them with "
        "an editor that reads JSON Schemas.",
    )
    parser.set_defaults(handler=run_schema)


def run_schema(args: argparse.Namespace) -> int:
    from workflow_prover.schemas.prover import prover_schema_text

    out = sys.stdout
    try:
        write(out, prover_schema_text(), Style.for_stream(out))
    except BrokenPipeError:
        _silence_stdout()
    return EXIT_OK


# --- analysis -----------------------------------------------------------------------------


def exit_code(verdicts: Iterable[str]) -> int:
    """0 when every verdict passes (proven or not applicable), else 1: the worst one wins."""
    return max(
        (EXIT_OK if str(v) in PASSING_VERDICTS else EXIT_FINDINGS for v in verdicts),
        default=EXIT_OK,
    )


def run_check(args: argparse.Namespace) -> int:
    sources, problems = read_batch(args.files, sys.stdin)
    for problem in problems:  # one line each; the other files are still analysed
        error(str(problem))
    if not sources:
        return EXIT_USAGE
    book = _answer_book(args.assist_answers)
    from workflow_prover.analyzer import default_analyzer  # lazy: spaCy loads here

    analyzer = default_analyzer()
    progress = Progress(sys.stderr, len(sources))
    results: list[Result] = []
    for source in sources:
        progress.show(display_name(source.name))
        files = local_files(source.name)
        starts = line_starts(source.text)
        # a template with several state machines: each is a workflow of its own
        for workflow in analyzer.workflows(source.text, files) or (None,):
            if book is None:
                report = analyzer.analyze(
                    source.text,
                    strict=args.strict,
                    ignore=args.ignore,
                    workflow=workflow,
                    files=files,
                )
            else:
                report = _replayed(analyzer, source.text, book, args, workflow, files)
            results.append(Result(source.name, report, starts, workflow))
    progress.done()
    out = sys.stdout
    style = Style.for_stream(out)
    try:
        text = FORMATS[args.format](results, style)
        if len(results) > 1 and args.format == "text":
            text += "\n" + summary_table(results, style)
        write(out, text, style)
    except BrokenPipeError:
        _silence_stdout()  # the reader went away (`| head`): the verdict still decides
    if len(results) > 1 and args.format != "text" and _isatty(sys.stderr):
        err_style = Style.for_stream(sys.stderr)
        write(sys.stderr, summary_table(results, err_style), err_style)
    if problems:
        return EXIT_USAGE
    return exit_code(r.report.verdict.value for r in results)


def _replayed(
    analyzer: Analyzer,
    text: str,
    book: AnswerBook,
    args: argparse.Namespace,
    workflow: str | None,
    files: FileLoader | None,
) -> Report:
    from workflow_prover.assist.replay import replay_report

    return replay_report(
        analyzer,
        [text],
        book,
        args.assist,
        strict=args.strict,
        ignore=args.ignore,
        workflow=workflow,
        files=files,
    )


def _answer_book(path: str | None) -> AnswerBook | None:
    """The recorded answers of `--assist-answers`, read before anything is analysed."""
    if path is None:
        return None
    from workflow_prover.assist.replay import AnswerBook, AnswersFileError

    shown = display_name(path)
    try:
        return AnswerBook.load(path)
    except FileNotFoundError:
        raise UsageError(f"{shown}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{shown}: cannot read: {type(exc).__name__}") from None
    except AnswersFileError as exc:
        raise UsageError(f"{shown}: {exc}") from None


def _silence_stdout() -> None:
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


def add_serve_command(subparsers: SubParsers) -> None:
    """`workflow-prover serve`: the MCP server (stdio by default, or streamable HTTP)."""
    from workflow_prover.server import main as server_main  # cheap: no MCP or spaCy import

    parser = subparsers.add_parser(
        "serve", help=server_main.HELP, description=server_main.DESCRIPTION
    )
    server_main.add_serve_arguments(parser)
    parser.set_defaults(handler=server_main.run)


COMMANDS: list[Callable[[SubParsers], None]] = [
    add_check_command,
    add_schema_command,
    add_assist_prompt_command,
    add_serve_command,
    add_rules_command,
    add_explain_command,
]


# --- entry point --------------------------------------------------------------------------


def error(message: str) -> None:
    """The one line a failed run prints on stderr."""
    text = " ".join(message.split())
    try:
        sys.stderr.write(f"{PROG}: error: {text}\n")
        sys.stderr.flush()
    except (OSError, ValueError):  # stderr closed: nothing more to do
        pass


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

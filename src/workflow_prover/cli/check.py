"""`workflow-prover check`: read every input, analyse it, apply the baseline, print the reports
in the chosen format, and exit with what `gate` decides."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, TextIO, cast

from workflow_prover.cli import baseline
from workflow_prover.cli.arguments import EPILOG, add_check_arguments
from workflow_prover.cli.base import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, emit, error
from workflow_prover.cli.formats import FORMATS
from workflow_prover.cli.gate import PASSING_VERDICTS, fails
from workflow_prover.cli.inputs import (
    STDIN,
    Source,
    UsageError,
    _isatty,
    display_name,
    local_files,
    read_batch,
)
from workflow_prover.cli.output import Progress, Result, Style, line_starts, summary_table
from workflow_prover.cli.settings import Settings, resolve

if TYPE_CHECKING:
    from workflow_prover.analyzer import Analyzer
    from workflow_prover.assist.replay import AnswerBook
    from workflow_prover.cli.base import SubParsers
    from workflow_prover.models import AssistMode, Report
    from workflow_prover.schemas import FileLoader


def add_check_command(subparsers: SubParsers) -> None:
    parser = subparsers.add_parser(
        "check",
        help="analyse workflow design documents and print the verdict",
        description="Analyse each FILE (a workflow design in prose, a list, arrows or a "
        "schema; '-' reads stdin) and print its verdict, findings and follow-up questions. "
        "With no FILE, check the configuration's `include` files, else read stdin when it is "
        "not a terminal.",
        epilog=EPILOG,
    )
    add_check_arguments(parser)
    parser.set_defaults(handler=run_check)


def exit_code(verdicts: Iterable[str]) -> int:
    """0 when every verdict passes (proven or not applicable), else 1: the worst one wins."""
    return max(
        (EXIT_OK if str(v) in PASSING_VERDICTS else EXIT_FINDINGS for v in verdicts),
        default=EXIT_OK,
    )


def run_check(args: argparse.Namespace) -> int:
    settings = resolve(args, Path.cwd())
    known = baseline.read_file(settings.baseline) if settings.baseline else None
    sources, problems = read_batch(settings.files, sys.stdin, settings.excluded)
    for problem in problems:  # one line each; the other files are still analysed
        error(str(problem))
    if not sources:
        return EXIT_USAGE if problems else EXIT_OK  # every FILE excluded: nothing to check
    book = _answer_book(args.assist_answers)
    results = _analysed(sources, settings, book, cast("AssistMode", args.assist))
    if known is not None:
        results = [baseline.mark(r, known) for r in results]
    if settings.write_baseline:
        count = baseline.write_file(settings.write_baseline, results)
        _say(f"recorded {count} findings in {display_name(settings.write_baseline)}")
    failing = [r for r in results if fails(r.report, settings.fail_on)]
    _print(failing if settings.quiet else results, settings)
    if problems:
        return EXIT_USAGE
    if settings.write_baseline:
        return EXIT_OK
    return EXIT_FINDINGS if failing else EXIT_OK


def _analysed(
    sources: Sequence[Source], settings: Settings, book: AnswerBook | None, mode: AssistMode
) -> list[Result]:
    from workflow_prover.analyzer import default_analyzer  # lazy: spaCy loads here

    analyzer = default_analyzer()
    progress = Progress(sys.stderr, 0 if settings.quiet else len(sources))
    results: list[Result] = []
    for source in sources:
        name = _reported_name(source, settings)
        progress.show(display_name(name))
        files = local_files(source.name)
        starts = line_starts(source.text)
        # a template with several state machines: each is a workflow of its own
        for workflow in analyzer.workflows(source.text, files) or (None,):
            report = _report(analyzer, source.text, settings, book, mode, workflow, files)
            results.append(Result(name, report, starts, workflow))
    progress.done()
    if len(results) > 1:
        results = [replace(r, batch=True) for r in results]
    return results


def _reported_name(source: Source, settings: Settings) -> str:
    if source.name == STDIN and settings.stdin_filename:
        return settings.stdin_filename
    return source.name


def _report(
    analyzer: Analyzer,
    text: str,
    settings: Settings,
    book: AnswerBook | None,
    mode: AssistMode,
    workflow: str | None,
    files: FileLoader | None,
) -> Report:
    if book is None:
        return analyzer.analyze(
            text, strict=settings.strict, ignore=settings.ignore, workflow=workflow, files=files
        )
    from workflow_prover.assist.replay import replay_report

    return replay_report(
        analyzer,
        [text],
        book,
        mode,
        strict=settings.strict,
        ignore=settings.ignore,
        workflow=workflow,
        files=files,
    )


def _print(results: Sequence[Result], settings: Settings) -> None:
    """The output (stdout, or `--output-file`), then the summary of a batch where people read
    it: after the text report, or on a terminal's stderr for the machine formats."""
    if not results:
        return  # --quiet and nothing failed
    several = len(results) > 1 and not settings.quiet
    if settings.output_file is None:
        _emit_to(sys.stdout, results, settings, several)
    else:
        try:
            with open(settings.output_file, "w", encoding="utf-8") as handle:
                _emit_to(handle, results, settings, several)
        except OSError as exc:
            reason = exc.strerror.lower() if exc.strerror else type(exc).__name__
            shown = display_name(settings.output_file)
            raise UsageError(f"{shown}: cannot write the output: {reason}") from None
    if several and (settings.format != "text" or settings.output_file) and _isatty(sys.stderr):
        style = Style.for_stream(sys.stderr, settings.color)
        emit(sys.stderr, summary_table(results, style, settings.fail_on), style)


def _emit_to(stream: TextIO, results: Sequence[Result], settings: Settings, several: bool) -> None:
    style = Style.for_stream(stream, settings.color)
    text = FORMATS[settings.format](results, style)
    if several and settings.format == "text":
        text += "\n" + summary_table(results, style, settings.fail_on)
    emit(stream, text, style)


def _say(message: str) -> None:
    """A one-line remark on stderr (not an error)."""
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.write(f"{message}\n")


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

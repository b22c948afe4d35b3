"""The command line: `workflow-prover check [FILE ...|-] [--format text|json] [--strict]`.

Layout, for whoever extends it:

- a subcommand is one `add_<name>_command(subparsers)` function listed in `COMMANDS`; it sets
  `handler`, a function `(args) -> exit code`;
- an output format is one `format_<name>(results, style) -> str` function listed in `FORMATS`
  (`--format` takes its choices from there);
- input is read and validated (`read_source`) before the analyzer is built, so a usage or input
  error costs nothing and never reaches the analyzer.

Importing this module is cheap: the analyzer (spaCy, lexicons) and the models (pydantic) are
imported inside the command that needs them, so `workflow-prover --help` stays instant.

Nothing here prints the raw input. Reports are redacted by the analyzer; error messages name
the file and the problem, never its content.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import textwrap
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NoReturn, TextIO, TypeAlias

from workflow_prover import __version__

if TYPE_CHECKING:
    from workflow_prover.models import Finding, Report

PROG = "workflow-prover"
STDIN = "-"
STDIN_NAME = "<stdin>"
# spaCy refuses texts over 1,000,000 characters by default; a design document is far smaller.
MAX_INPUT_BYTES = 1_000_000

EXIT_OK = 0  # every verdict is WORKFLOW_PROVEN or NOT_APPLICABLE
EXIT_FINDINGS = 1  # any other verdict
EXIT_USAGE = 2  # usage or input error: nothing was analysed
EXIT_INTERNAL = 3  # the analyzer itself failed (a bug: please report it)

PASSING_VERDICTS = frozenset({"WORKFLOW_PROVEN", "NOT_APPLICABLE"})

_QUOTE_CHARS = 80


class UsageError(Exception):
    """A bad command line or unusable input; the message is one line, without the prefix."""


# --- argument parsing ---------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are exceptions, so `main` prints them on one line."""

    def error(self, message: str) -> NoReturn:
        hint = f"see '{self.prog} --help'"
        raise UsageError(f"{message} ({hint})")


if TYPE_CHECKING:
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
        help=f"design document (UTF-8 text, at most {_size(MAX_INPUT_BYTES)}); '-' for stdin",
    )
    parser.add_argument(
        "--format", choices=list(FORMATS), default="text", help="output format (default: text)"
    )
    parser.add_argument("--strict", action="store_true", help="treat every warning as a blocker")
    parser.set_defaults(handler=run_check)


# --- input --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """One input document: `name` is the FILE argument as given ('-' for stdin)."""

    name: str
    text: str


def display_name(name: str) -> str:
    """The name safe to print on one line (control characters escaped)."""
    if name == STDIN:
        return STDIN_NAME
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in name)


def _size(n: int) -> str:
    return f"{n / 1_000_000:g} MB" if n >= 1_000_000 else f"{n / 1000:g} kB"


def decode_input(data: bytes, shown: str) -> str:
    """UTF-8 text out of `data`, or a UsageError saying why it is not a design document."""
    if len(data) > MAX_INPUT_BYTES:
        raise UsageError(f"{shown}: input is larger than the {_size(MAX_INPUT_BYTES)} limit")
    if b"\x00" in data:
        raise UsageError(f"{shown}: binary input (contains NUL bytes); expected UTF-8 text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(
            f"{shown}: not UTF-8 text (invalid byte at offset {exc.start}); expected UTF-8 text"
        ) from None


def _read_stdin(stream: TextIO | None) -> bytes:
    if stream is None:
        raise UsageError(f"{STDIN_NAME}: no standard input")
    try:
        buffer = getattr(stream, "buffer", None)
        if buffer is not None:
            data = buffer.read(MAX_INPUT_BYTES + 1)
            return data if isinstance(data, bytes) else bytes(data)
        return stream.read(MAX_INPUT_BYTES + 1).encode("utf-8", "surrogateescape")
    except (OSError, ValueError) as exc:
        raise UsageError(f"{STDIN_NAME}: cannot read: {_reason(exc)}") from None


def _read_file(path: str) -> bytes:
    shown = display_name(path)
    if os.path.isdir(path):
        raise UsageError(f"{shown}: is a directory")
    try:
        with open(path, "rb") as handle:
            return handle.read(MAX_INPUT_BYTES + 1)
    except FileNotFoundError:
        raise UsageError(f"{shown}: no such file") from None
    except IsADirectoryError:
        raise UsageError(f"{shown}: is a directory") from None
    except (OSError, ValueError) as exc:
        raise UsageError(f"{shown}: cannot read: {_reason(exc)}") from None


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return type(exc).__name__


def read_source(name: str, stdin: TextIO | None) -> Source:
    data = _read_stdin(stdin) if name == STDIN else _read_file(name)
    return Source(name, decode_input(data, display_name(name)))


def read_sources(names: Sequence[str], stdin: TextIO | None) -> list[Source]:
    """Every input, read and validated before anything is analysed."""
    if not names:
        if stdin is None or _isatty(stdin):
            raise UsageError(
                f"no input: give a FILE, or '-' to read stdin (see '{PROG} check --help')"
            )
        names = [STDIN]
    if list(names).count(STDIN) > 1:
        raise UsageError("'-' (stdin) can be given only once")
    return [read_source(name, stdin) for name in names]


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


# --- analysis -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    """One analysed input: its name, its report, where its lines start (for evidence)."""

    name: str
    report: Report
    line_starts: tuple[int, ...] = (0,)

    def line_of(self, offset: int) -> int:
        return bisect_right(self.line_starts, offset)


def line_starts(text: str) -> tuple[int, ...]:
    return (0, *(i + 1 for i, c in enumerate(text) if c == "\n"))


def exit_code(verdicts: Iterable[str]) -> int:
    """0 when every verdict passes (proven or not applicable), else 1: the worst one wins."""
    return max(
        (EXIT_OK if str(v) in PASSING_VERDICTS else EXIT_FINDINGS for v in verdicts),
        default=EXIT_OK,
    )


def run_check(args: argparse.Namespace) -> int:
    sources = read_sources(args.files, sys.stdin)
    from workflow_prover.analyzer import default_analyzer  # lazy: spaCy loads here

    analyzer = default_analyzer()
    results = [
        Result(s.name, analyzer.analyze(s.text, strict=args.strict), line_starts(s.text))
        for s in sources
    ]
    out = sys.stdout
    style = Style.for_stream(out)
    try:
        write(out, FORMATS[args.format](results, style), style)
    except BrokenPipeError:
        _silence_stdout()  # the reader went away (`| head`): the verdict still decides
    return exit_code(r.report.verdict.value for r in results)


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


# --- output -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Style:
    """How to write to the output stream: colour, width, whether it takes non-ASCII."""

    color: bool = False
    width: int = 100
    unicode: bool = True

    @classmethod
    def for_stream(cls, stream: TextIO) -> Style:
        tty = _isatty(stream)
        color = tty and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"
        width = shutil.get_terminal_size((100, 24)).columns if tty else 100
        return cls(color=color, width=max(40, min(width, 100)), unicode=_takes_unicode(stream))


def _takes_unicode(stream: TextIO) -> bool:
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        "\u2026\u00e9\U0001f600".encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def write(stream: TextIO, text: str, style: Style) -> None:
    if not style.unicode:
        encoding = getattr(stream, "encoding", None) or "ascii"
        text = text.encode(encoding, "replace").decode(encoding)
    stream.write(text)
    stream.flush()


_ANSI = {"red": "31", "green": "32", "yellow": "33", "bold": "1", "dim": "2"}
_VERDICT_COLOR = {"WORKFLOW_PROVEN": "green", "NOT_APPLICABLE": "green", "UNDERSPECIFIED": "yellow"}


def paint(text: str, style: Style, *colors: str) -> str:
    """`text` in the given colours (names of `_ANSI`) when the style allows colour."""
    if not style.color or not colors:
        return text
    return f"\x1b[{';'.join(_ANSI[c] for c in colors)}m{text}\x1b[0m"


def short_quote(text: str, limit: int = _QUOTE_CHARS) -> str:
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 3].rstrip() + "..."
    return f'"{text}"'


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _wrap(text: str, indent: str, style: Style, hanging: str | None = None) -> list[str]:
    return textwrap.wrap(
        " ".join(text.split()),
        width=style.width,
        initial_indent=indent,
        subsequent_indent=indent if hanging is None else hanging,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [indent.rstrip()]


def _where(finding: Finding) -> str:
    parts = []
    if finding.step is not None:
        parts.append(f"step {finding.step}")
    if finding.service:
        parts.append(finding.service)
    return ", ".join(parts)


def _evidence_line(finding: Finding, result: Result | None) -> str | None:
    if not finding.evidence:
        return None
    first = finding.evidence[0]
    place = []
    if result is not None and result.report.turns > 1:
        place.append(f"turn {first.turn}")
    elif result is not None:
        place.append(f"line {result.line_of(first.start)}")
    more = len(finding.evidence) - 1
    suffix = f" (+{more} more)" if more else ""
    prefix = f"{', '.join(place)}: " if place else ""
    return f"{prefix}{short_quote(first.text)}{suffix}"


def render_finding(finding: Finding, style: Style, result: Result | None = None) -> list[str]:
    color = "red" if finding.severity == "blocker" else "yellow"
    head = f"  {paint(finding.code, style, color)}"
    where = _where(finding)
    if where:
        head += f"  {where}"
    lines = [head, *_wrap(finding.message, "      ", style)]
    evidence = _evidence_line(finding, result)
    if evidence:
        lines.append("      " + paint(evidence, style, "dim"))
    if finding.suppressed and finding.suppression_reason:
        lines.extend(_wrap(f"(suppressed: {finding.suppression_reason})", "      ", style))
    return lines


def render_text(
    report: Report, path: str = STDIN, *, style: Style | None = None, result: Result | None = None
) -> str:
    """A report for a terminal: verdict, message, blockers, warnings, questions."""
    style = style or Style()
    active = [f for f in report.findings if not f.suppressed]
    blockers = [f for f in active if f.severity == "blocker"]
    warnings = [f for f in active if f.severity == "warning"]
    suppressed = [f for f in report.findings if f.suppressed]
    verdict = report.verdict.value
    counts = f"{_plural(len(blockers), 'blocker')}, {_plural(len(warnings), 'warning')}"
    if report.strict:
        counts += ", strict"
    colored = paint(verdict, style, "bold", _VERDICT_COLOR.get(verdict, "red"))
    lines = [f"{display_name(path)}: {colored} ({counts})", ""]
    lines += _wrap(report.message, "", style)
    if report.redactions:
        lines += ["", f"{_plural(report.redactions, 'secret')} redacted from this report."]
    checks = ", ".join(f"{check} {status}" for check, status in report.checks.items())
    lines += ["", *_wrap(f"Checks: {checks}", "", style, hanging="  ")]
    for title, group in (
        ("Blockers", blockers),
        ("Warnings", warnings),
        ("Suppressed", suppressed),
    ):
        if group:
            lines += ["", f"{title}:"]
            for finding in group:
                lines += render_finding(finding, style, result)
    if report.questions:
        lines += ["", "Questions:"]
        for question in report.questions:
            lines += _wrap(question, "  - ", style, hanging="    ")
    return "\n".join(lines) + "\n"


def format_text(results: Sequence[Result], style: Style) -> str:
    return "\n".join(render_text(r.report, r.name, style=style, result=r) for r in results)


def report_json(report: Report) -> dict[str, Any]:
    data: dict[str, Any] = report.model_dump(mode="json")
    return data


def render_json(results: Sequence[Result], *, ascii_only: bool = False) -> str:
    """One input: the report object. Several: a list of {"file": name, "report": {...}}."""
    payload: Any
    if len(results) == 1:
        payload = report_json(results[0].report)
    else:
        payload = [{"file": r.name, "report": report_json(r.report)} for r in results]
    return json.dumps(payload, indent=2, ensure_ascii=ascii_only) + "\n"


def format_json(results: Sequence[Result], style: Style) -> str:
    return render_json(results, ascii_only=not style.unicode)


Formatter = Callable[[Sequence[Result], Style], str]
FORMATS: dict[str, Formatter] = {"text": format_text, "json": format_json}


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
    add_serve_command,
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

"""The command line: `workflow-prover check [FILE|GLOB ...|-] [--format text|json|sarif]
[--strict] [--ignore CODE]...` and `workflow-prover schema`.

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
import glob
import json
import os
import shutil
import sys
import textwrap
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, NoReturn, TextIO, TypeAlias

from workflow_prover import __version__

if TYPE_CHECKING:
    from workflow_prover.models import Evidence, Finding, Report

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
    parser.set_defaults(handler=run_check)


def _ignorable(code: str) -> str:
    from workflow_prover.codes import CODES, UNSUPPRESSIBLE  # cheap: no spaCy

    code = code.strip().upper()
    if code in UNSUPPRESSIBLE:
        raise argparse.ArgumentTypeError(f"{code} cannot be ignored: remove and rotate the secret")
    if code not in CODES:
        raise argparse.ArgumentTypeError(f"unknown finding code {code[:60]!r}")
    return code


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


_SYNTAX_BY_SUFFIX: dict[str, Literal["json", "yaml"]] = {
    ".json": "json",
    ".yaml": "yaml",
    ".yml": "yaml",
}


def read_source(name: str, stdin: TextIO | None) -> Source:
    data = _read_stdin(stdin) if name == STDIN else _read_file(name)
    text = decode_input(data, display_name(name))
    check_syntax(name, text)
    return Source(name, text)


def check_syntax(name: str, text: str) -> None:
    """A whole-file schema that does not parse is an input error (one line, with line and
    column). A `.json`/`.yaml` file is a schema by its name; any input that starts like JSON is
    one too. A broken fenced block inside prose is not an error: it is reported as a note and
    read as prose."""
    from workflow_prover.schemas import whole_text_error  # cheap: no spaCy

    hint = _SYNTAX_BY_SUFFIX.get(os.path.splitext(name)[1].lower()) if name != STDIN else None
    problem = whole_text_error(text, hint)
    if problem is not None:
        raise UsageError(f"{display_name(name)}: {problem.describe()}")


def expand(names: Sequence[str]) -> list[str]:
    """FILE arguments with globs expanded (`**` included), in order, each file once.

    A name that exists is taken as it is, even with glob characters in it; a glob that
    matches no file is a usage error, like a missing file.
    """
    out: list[str] = []
    for name in names:
        if name == STDIN or os.path.exists(name) or not glob.has_magic(name):
            out.append(name)
            continue
        matches = sorted(m for m in glob.glob(name, recursive=True) if os.path.isfile(m))
        if not matches:
            raise UsageError(f"{display_name(name)}: no files match")
        out += matches
    return list(dict.fromkeys(out))


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
    return [read_source(name, stdin) for name in expand(names)]


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
    progress = Progress(sys.stderr, len(sources))
    results: list[Result] = []
    for source in sources:
        progress.show(display_name(source.name))
        report = analyzer.analyze(source.text, strict=args.strict, ignore=args.ignore)
        results.append(Result(source.name, report, line_starts(source.text)))
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
    return exit_code(r.report.verdict.value for r in results)


class Progress:
    """`[3/40] docs/payments.md` on one line of stderr, only for several files on a terminal."""

    def __init__(self, stream: TextIO, total: int) -> None:
        self.stream = stream
        self.total = total
        self.count = 0
        self.width = 0
        self.enabled = total > 1 and _isatty(stream)

    def show(self, name: str) -> None:
        self.count += 1
        if not self.enabled:
            return
        line = f"[{self.count}/{self.total}] {name}"[:79]
        self._write("\r" + line.ljust(self.width))
        self.width = len(line)

    def done(self) -> None:
        if self.enabled and self.width:
            self._write("\r" + " " * self.width + "\r")

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):
            self.enabled = False


def summary_table(results: Sequence[Result], style: Style) -> str:
    """One row per file (verdict, blockers, warnings, suppressed), then the totals."""
    rows = [("file", "verdict", "blockers", "warnings", "suppressed")]
    failed = 0
    for result in results:
        findings = result.report.findings
        active = [f for f in findings if not f.suppressed]
        verdict = result.report.verdict.value
        failed += verdict not in PASSING_VERDICTS
        rows.append(
            (
                display_name(result.name),
                verdict,
                str(sum(f.severity == "blocker" for f in active)),
                str(sum(f.severity == "warning" for f in active)),
                str(len(findings) - len(active)),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = ["Summary:"]
    for n, row in enumerate(rows):
        cells = [row[0].ljust(widths[0]), row[1].ljust(widths[1])]
        cells += [cell.rjust(width) for cell, width in zip(row[2:], widths[2:], strict=True)]
        line = "  " + "  ".join(cells).rstrip()
        if n and row[1] not in PASSING_VERDICTS:
            line = line.replace(row[1], paint(row[1], style, "red"), 1)
        lines.append(line)
    passed = len(results) - failed
    lines.append(f"{_plural(len(results), 'file')}: {passed} passed, {failed} failed")
    return "\n".join(lines) + "\n"


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


def _evidence_line(evidence: Sequence[Evidence], result: Result | None) -> str | None:
    if not evidence:
        return None
    first = evidence[0]
    place = []
    if result is not None and result.report.turns > 1:
        place.append(f"turn {first.turn}")
    elif result is not None:
        place.append(f"line {result.line_of(first.start)}")
    if first.pointer:
        place.append(short_quote(first.pointer, 60)[1:-1])
    more = len(evidence) - 1
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
    evidence = _evidence_line(finding.evidence, result)
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
    if report.notes:
        lines += ["", "Notes:"]
        for note in report.notes:
            lines += [f"  {paint(note.code, style, 'dim')}", *_wrap(note.message, "      ", style)]
            quoted = _evidence_line(note.evidence, result)
            if quoted:
                lines.append("      " + paint(quoted, style, "dim"))
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


def format_sarif(results: Sequence[Result], style: Style) -> str:
    from workflow_prover.sarif import to_sarif

    return json.dumps(to_sarif(results), indent=2, ensure_ascii=not style.unicode) + "\n"


Formatter = Callable[[Sequence[Result], Style], str]
FORMATS: dict[str, Formatter] = {"text": format_text, "json": format_json, "sarif": format_sarif}


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

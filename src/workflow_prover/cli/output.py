"""The command line's output for people: the text report, the multi-file summary table, the
progress line, and the `Style` (colour, width, non-ASCII) that fits the stream they are written
to. The `--format` renderers are in `formats`.

Reports arrive already redacted by the analyzer; nothing here sees or prints the raw input.
"""

from __future__ import annotations

import os
import shutil
import textwrap
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, TextIO

from workflow_prover.cli.gate import PASSING_VERDICTS, FailOn, counted, fails
from workflow_prover.cli.inputs import STDIN, _isatty, display_name

if TYPE_CHECKING:
    from workflow_prover.models import Evidence, Finding, Report

ColorMode = Literal["auto", "always", "never"]
COLOR_MODES: tuple[ColorMode, ...] = ("auto", "always", "never")

_QUOTE_CHARS = 80


@dataclass(frozen=True)
class Result:
    """One analysed input: its name, its report, where its lines start (for evidence), and
    which workflow of it the report is about when it defines several (a JSON pointer)."""

    name: str
    report: Report
    line_starts: tuple[int, ...] = (0,)
    workflow: str | None = None
    batch: bool = False  # one of several reports of the run (JSON lists them, named)

    @property
    def title(self) -> str:
        """The input's printable name, with the workflow when it is one of several."""
        shown = display_name(self.name)
        return f"{shown} {self.workflow}" if self.workflow else shown

    def line_of(self, offset: int) -> int:
        return bisect_right(self.line_starts, offset)

    def position(self, offset: int) -> tuple[int, int]:
        """The 1-based line and column of a character offset."""
        line = max(self.line_of(offset), 1)
        return line, offset - self.line_starts[line - 1] + 1


def line_starts(text: str) -> tuple[int, ...]:
    return (0, *(i + 1 for i, c in enumerate(text) if c == "\n"))


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


def summary_table(results: Sequence[Result], style: Style, fail_on: FailOn = "blocker") -> str:
    """One row per file (verdict, blockers, warnings, suppressed), then the totals."""
    rows = [("file", "verdict", "blockers", "warnings", "suppressed")]
    failed = 0
    for result in results:
        findings = result.report.findings
        active = counted(result.report)
        verdict = result.report.verdict.value
        failed += fails(result.report, fail_on)
        rows.append(
            (
                result.title,
                verdict,
                str(sum(f.severity == "blocker" for f in active)),
                str(sum(f.severity == "warning" for f in active)),
                str(sum(f.suppressed for f in findings)),
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
    noun = "report" if any(r.workflow for r in results) else "file"  # a template's workflows
    lines.append(f"{_plural(len(results), noun)}: {passed} passed, {failed} failed")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Style:
    """How to write to the output stream: colour, width, whether it takes non-ASCII."""

    color: bool = False
    width: int = 100
    unicode: bool = True

    @classmethod
    def for_stream(cls, stream: TextIO, mode: ColorMode = "auto") -> Style:
        tty = _isatty(stream)
        width = shutil.get_terminal_size((100, 24)).columns if tty else 100
        return cls(
            color=wants_color(mode, tty),
            width=max(40, min(width, 100)),
            unicode=_takes_unicode(stream),
        )


def wants_color(mode: ColorMode, tty: bool) -> bool:
    """`--color` wins; then no-color.org (`NO_COLOR` set and not empty: no colour), then
    `FORCE_COLOR` (set and not empty: colour, even into a pipe); else a terminal that is not
    `TERM=dumb` gets colour."""
    if mode != "auto":
        return mode == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return tty and os.environ.get("TERM") != "dumb"


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
    """A report for a terminal: verdict, message, blockers, warnings, questions.

    The heading names `path`, or with a `result` its title (the name and the workflow)."""
    style = style or Style()
    active = counted(report)
    baselined = sum(f.baseline_state == "unchanged" for f in report.findings)
    blockers = [f for f in active if f.severity == "blocker"]
    warnings = [f for f in active if f.severity == "warning"]
    suppressed = [f for f in report.findings if f.suppressed]
    verdict = report.verdict.value
    counts = f"{_plural(len(blockers), 'blocker')}, {_plural(len(warnings), 'warning')}"
    if baselined:
        counts += f", {baselined} baselined"
    if report.strict:
        counts += ", strict"
    colored = paint(verdict, style, "bold", _VERDICT_COLOR.get(verdict, "red"))
    title = result.title if result is not None else display_name(path)
    lines = [f"{title}: {colored} ({counts})", ""]
    lines += _wrap(report.message, "", style)
    if report.redactions:
        lines += ["", f"{_plural(report.redactions, 'secret')} redacted from this report."]
    if report.assist is not None:
        lines += ["", *_wrap(_assist_line(report), "", style, hanging="  ")]
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
    if baselined:
        lines += ["", f"{_plural(baselined, 'finding')} in the baseline, not shown."]
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


def _assist_line(report: Report) -> str:
    """'Assisted reading (fake-model): 1 item accepted, 1 rejected: step 2: ...'."""
    assist = report.assist
    assert assist is not None
    who = f" ({assist.model})" if assist.model else ""
    line = (
        f"Assisted reading{who}: {_plural(assist.accepted, 'item')} accepted, "
        f"{assist.rejected} rejected"
    )
    return line + (": " + "; ".join(assist.reasons[:5]) if assist.reasons else "") + "."

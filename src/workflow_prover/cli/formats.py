"""The `--format` renderers: one `format_<name>(results, style) -> str` each, listed in
`FORMATS` (`--format` takes its choices from there). Adding a format is one function and one
entry.

Reports arrive already redacted by the analyzer; nothing here sees or prints the raw input.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from workflow_prover.cli.gate import counted
from workflow_prover.cli.inputs import display_name
from workflow_prover.cli.output import Result, Style, paint, render_text

if TYPE_CHECKING:
    from workflow_prover.models import Finding, Report

_NO_WORKFLOW = "UNDERSPECIFIED"


def format_text(results: Sequence[Result], style: Style) -> str:
    return "\n".join(render_text(r.report, r.name, style=style, result=r) for r in results)


def report_json(report: Report) -> dict[str, Any]:
    data: dict[str, Any] = report.model_dump(mode="json")
    return data


def render_json(results: Sequence[Result], *, ascii_only: bool = False) -> str:
    """One input: the report object. Several (or a template's several workflows): a list of
    {"file": name, "workflow": pointer (when the file defines several), "report": {...}}, also
    when `--quiet` leaves only one of several to print."""
    single = len(results) == 1 and not results[0].batch
    payload: Any = report_json(results[0].report) if single else [_entry(r) for r in results]
    return json.dumps(payload, indent=2, ensure_ascii=ascii_only) + "\n"


def _entry(result: Result) -> dict[str, Any]:
    entry: dict[str, Any] = {"file": result.name}
    if result.workflow:
        entry["workflow"] = result.workflow
    entry["report"] = report_json(result.report)
    return entry


def format_json(results: Sequence[Result], style: Style) -> str:
    return render_json(results, ascii_only=not style.unicode)


def format_sarif(results: Sequence[Result], style: Style) -> str:
    from workflow_prover.cli.sarif import to_sarif

    return json.dumps(to_sarif(results), indent=2, ensure_ascii=not style.unicode) + "\n"


def format_concise(results: Sequence[Result], style: Style) -> str:
    """`path:line:col: CODE [severity] message`, one line per finding that counts (editors and
    terminals jump to it); a file with no workflow gets one line for its verdict."""
    lines: list[str] = []
    for result in results:
        where = display_name(result.name)
        for finding in counted(result.report):
            line, column, _, _ = span(result, finding)
            color = "red" if finding.severity == "blocker" else "yellow"
            code = paint(finding.code, style, "bold", color)
            lines.append(f"{where}:{line}:{column}: {code} [{finding.severity}] {_flat(finding)}")
        if result.report.verdict.value == _NO_WORKFLOW:
            verdict = paint(_NO_WORKFLOW, style, "bold", "yellow")
            lines.append(f"{where}:1:1: {verdict} [blocker] {_one_line(result.report.message)}")
    return "".join(f"{line}\n" for line in lines)


def format_github(results: Sequence[Result], style: Style) -> str:
    """GitHub Actions workflow commands: `::error file=...,line=...,col=...,title=CODE::message`
    (a blocker is an error, a warning a warning), shown on the pull request's diff."""
    lines: list[str] = []
    for result in results:
        path = artifact_path(result.name)
        for finding in counted(result.report):
            line, column, end_line, end_column = span(result, finding)
            props = {
                "file": path,
                "line": str(line),
                "col": str(column),
                "endLine": str(end_line),
                "endColumn": str(end_column),
                "title": finding.code,
            }
            command = "error" if finding.severity == "blocker" else "warning"
            lines.append(_command(command, props, _flat(finding)))
        if result.report.verdict.value == _NO_WORKFLOW:
            props = {"file": path, "line": "1", "col": "1", "title": _NO_WORKFLOW}
            lines.append(_command("error", props, _one_line(result.report.message)))
    return "".join(f"{line}\n" for line in lines)


def span(result: Result, finding: Finding) -> tuple[int, int, int, int]:
    """Line, column, end line and end column (1-based) of the words a finding is about."""
    from workflow_prover.cli.sarif import primary_evidence

    evidence = primary_evidence(finding)
    if evidence is None:
        return 1, 1, 1, 1
    if evidence.line is not None and evidence.column is not None:
        end_line = evidence.end_line or evidence.line
        return evidence.line, evidence.column, end_line, evidence.end_column or evidence.column
    line, column = result.position(evidence.start)
    end_line, end_column = result.position(evidence.end)
    return line, column, end_line, end_column


def artifact_path(name: str) -> str:
    """The file as GitHub knows it: relative to the checkout, '/' separated."""
    from workflow_prover.cli.sarif import artifact_uri

    return unquote(artifact_uri(name))


def _flat(finding: Finding) -> str:
    return _one_line(finding.message or finding.code)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _command(name: str, props: dict[str, str], message: str) -> str:
    """One workflow command, escaped as @actions/core escapes it (so a ':' or ',' in a file
    name, or a '%', cannot end a property or inject a second command)."""
    shown = ",".join(f"{key}={_escape(value, prop=True)}" for key, value in props.items())
    return f"::{name} {shown}::{_escape(message)}"


def _escape(value: str, *, prop: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


Formatter = Callable[[Sequence[Result], Style], str]
FORMATS: dict[str, Formatter] = {
    "text": format_text,
    "concise": format_concise,
    "github": format_github,
    "json": format_json,
    "sarif": format_sarif,
}

"""Output people and editors can use: the concise and github formats, `-o`, `--quiet`,
`--stdin-filename`, colour (no-color.org, FORCE_COLOR, `--color`), line and column on every
evidence, the report's `version` and `schema_version`, `schema --report`, empty piped stdin,
and the `cli` package's two entry points."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import jsonschema
import pytest

from workflow_prover import __version__, cli
from workflow_prover.analyzer import Analyzer
from workflow_prover.cli.formats import format_github
from workflow_prover.cli.output import Result, Style
from workflow_prover.models import REPORT_SCHEMA_VERSION, CheckId, Evidence, Finding, Report

ROOT = Path(__file__).resolve().parent.parent
FAILING = (ROOT / "fixtures" / "examples" / "stripe_to_crm.md").read_text(encoding="utf-8")
WARNINGS_ONLY = (ROOT / "fixtures" / "examples" / "resilient.md").read_text(encoding="utf-8")
TOKEN = "ghp_" + "NLqiXZ1VCrvsKz8LSvnZmMxSBuN7cZeWClio"
CONCISE = re.compile(
    r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z_]+) "
    r"\[(?P<severity>blocker|warning)\] (?P<message>\S.*)$"
)
GITHUB = re.compile(
    r"^::(?P<level>error|warning) file=(?P<file>[^,]+),line=(?P<line>\d+),"
    r"col=(?P<col>\d+),endLine=\d+,endColumn=\d+,title=(?P<code>[A-Z_]+)::\S.*$"
)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Piped(io.TextIOWrapper):
    def __init__(self, data: bytes) -> None:
        super().__init__(io.BytesIO(data), encoding="utf-8")

    def isatty(self) -> bool:
        return False


@pytest.fixture(autouse=True)
def shared(analyzer: Analyzer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    monkeypatch.setattr("workflow_prover.analyzer.default_analyzer", lambda: analyzer)
    monkeypatch.setattr(sys, "stdin", Piped(b""))
    monkeypatch.chdir(tmp_path)
    for name in ("NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    yield


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def put(name: str, text: str) -> str:
    Path(name).write_text(text, encoding="utf-8")
    return name


def report_of(capsys: pytest.CaptureFixture[str], name: str) -> dict[str, Any]:
    _, out, _ = run(capsys, "check", "--format", "json", name)
    data: dict[str, Any] = json.loads(out)
    return data


def at(text: str, line: int, column: int) -> int:
    """The offset of a 1-based line and column."""
    starts = [0, *(i + 1 for i, c in enumerate(text) if c == "\n")]
    return starts[line - 1] + column - 1


# --- concise and github -------------------------------------------------------------------


@pytest.mark.parametrize("design", [FAILING, WARNINGS_ONLY], ids=["blockers", "warnings"])
def test_when_format_is_concise_then_each_finding_is_one_line_an_editor_jumps_to(
    capsys: pytest.CaptureFixture[str], design: str
) -> None:
    put("design.md", design)
    report = report_of(capsys, "design.md")
    _, out, _ = run(capsys, "check", "--format", "concise", "design.md")
    lines = [CONCISE.match(line) for line in out.splitlines()]
    assert all(lines), out
    assert [(m["code"], m["severity"]) for m in lines if m] == [
        (f["code"], f["severity"]) for f in report["findings"]
    ]
    for match in lines:
        assert match is not None and match["path"] == "design.md"
        words = report["findings"][lines.index(match)]["evidence"]
        starts = {(e["line"], e["column"]) for e in words}
        assert (int(match["line"]), int(match["col"])) in starts


def test_when_format_is_github_then_each_finding_is_a_workflow_command(
    capsys: pytest.CaptureFixture[str],
) -> None:
    put("design.md", FAILING + "\n" + WARNINGS_ONLY)
    report = report_of(capsys, "design.md")
    _, out, _ = run(capsys, "check", "--format", "github", "design.md")
    matches = [GITHUB.match(line) for line in out.splitlines()]
    assert all(matches), out
    level = {"blocker": "error", "warning": "warning"}
    assert [(m["level"], m["code"]) for m in matches if m] == [
        (level[f["severity"]], f["code"]) for f in report["findings"]
    ]


def test_when_a_github_annotation_holds_separators_then_they_are_escaped() -> None:
    evidence = Evidence(text="x", start=0, end=1, rule="r")
    finding = Finding(
        code="NO_DLQ",
        check=CheckId.FAILURE_HANDLING,
        severity="warning",
        message="100% lost\n::error::injected",
        evidence=(evidence,),
    )
    report = Report(
        verdict="WORKFLOW_PROVEN",
        message="m",
        findings=[finding],
        checks={},
        steps=[],
        services=[],
        claims=[],
        questions=[],
        redactions=0,
    )
    out = format_github([Result("a,b:c.md", report)], Style())
    assert out == (
        "::warning file=a%2Cb%3Ac.md,line=1,col=1,endLine=1,endColumn=2,title=NO_DLQ"
        "::100%25 lost ::error::injected\n"
    )
    assert out.count("\n") == 1


NO_WORKFLOW = [
    pytest.param("concise", "design.md:1:1: UNDERSPECIFIED [blocker] ", id="concise"),
    pytest.param("github", "::error file=design.md,line=1,col=1,title=UNDERSPECIFIED::", id="gh"),
]


@pytest.mark.parametrize(("fmt", "start"), NO_WORKFLOW)
def test_when_a_file_has_no_workflow_then_the_line_formats_say_so(
    capsys: pytest.CaptureFixture[str], fmt: str, start: str
) -> None:
    put("design.md", "Hello there!")
    code, out, _ = run(capsys, "check", "--format", fmt, "design.md")
    assert code == 1 and out.startswith(start) and out.count("\n") == 1


@pytest.mark.parametrize("fmt", ["concise", "github", "text", "json", "sarif"])
def test_when_a_secret_is_in_the_input_then_no_format_shows_it(
    capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    put("design.md", FAILING + f"\nThe GitHub token is {TOKEN}.\n")
    code, out, err = run(capsys, "check", "--format", fmt, "design.md")
    assert code == 1 and "SECRET_IN_TEXT" in out
    assert TOKEN not in out + err and TOKEN[4:20] not in out + err


# --- -o, --quiet, --stdin-filename --------------------------------------------------------


def test_when_an_output_file_is_named_then_the_report_goes_there_and_not_to_stdout(
    capsys: pytest.CaptureFixture[str],
) -> None:
    put("design.md", FAILING)
    code, out, _ = run(capsys, "check", "-o", "report.json", "--format", "json", "design.md")
    assert (code, out) == (1, "")
    assert json.loads(Path("report.json").read_text(encoding="utf-8"))["verdict"] == (
        "HAPPY_PATH_BIAS"
    )
    code, _, err = run(capsys, "check", "--output-file", "missing/dir/x.json", "design.md")
    assert code == 2 and "missing/dir/x.json: cannot write the output" in err


QUIET = [
    pytest.param([("a.md", WARNINGS_ONLY)], 0, [], id="success-prints-nothing"),
    pytest.param([("a.md", WARNINGS_ONLY), ("b.md", FAILING)], 1, ["b.md"], id="only-failing"),
]


@pytest.mark.parametrize(("files", "expected", "shown"), QUIET)
@pytest.mark.parametrize("fmt", ["text", "json", "concise"])
def test_when_quiet_then_only_failing_files_are_printed(
    capsys: pytest.CaptureFixture[str],
    files: list[tuple[str, str]],
    expected: int,
    shown: list[str],
    fmt: str,
) -> None:
    names = [put(name, text) for name, text in files]
    code, out, err = run(capsys, "check", "--quiet", "--format", fmt, *names)
    assert code == expected and err == ""
    assert {name for name in names if name in out} == set(shown)
    assert bool(out) is bool(shown)


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        pytest.param("concise", "docs/flow.md:", id="concise"),
        pytest.param("text", "docs/flow.md: HAPPY_PATH_BIAS", id="text"),
        pytest.param("sarif", '"uri": "docs/flow.md"', id="sarif"),
    ],
)
def test_when_stdin_filename_is_given_then_stdin_is_reported_under_that_name(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, fmt: str, expected: str
) -> None:
    monkeypatch.setattr(sys, "stdin", Piped(FAILING.encode()))
    code, out, _ = run(capsys, "check", "--stdin-filename", "docs/flow.md", "--format", fmt)
    assert code == 1 and expected in out and "<stdin>" not in out


# --- colour -------------------------------------------------------------------------------

COLOUR = [
    pytest.param(True, {}, [], True, id="terminal"),
    pytest.param(False, {}, [], False, id="pipe"),
    pytest.param(True, {"NO_COLOR": "1"}, [], False, id="NO_COLOR-set"),
    pytest.param(True, {"NO_COLOR": ""}, [], True, id="NO_COLOR-empty-is-unset"),
    pytest.param(False, {"FORCE_COLOR": "1"}, [], True, id="FORCE_COLOR-into-a-pipe"),
    pytest.param(True, {"NO_COLOR": "1", "FORCE_COLOR": "1"}, [], False, id="NO_COLOR-first"),
    pytest.param(False, {}, ["--color", "always"], True, id="always"),
    pytest.param(True, {}, ["--color", "never"], False, id="never"),
    pytest.param(True, {"NO_COLOR": "1"}, ["--color", "always"], True, id="flag-over-NO_COLOR"),
    pytest.param(True, {"TERM": "dumb"}, [], False, id="dumb-terminal"),
]


@pytest.mark.parametrize(("tty", "env", "flags", "coloured"), COLOUR)
@pytest.mark.parametrize("fmt", ["text", "concise"])
def test_when_colour_is_asked_for_or_refused_then_the_output_follows(
    monkeypatch: pytest.MonkeyPatch,
    tty: bool,
    env: dict[str, str],
    flags: list[str],
    coloured: bool,
    fmt: str,
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    out = Terminal() if tty else io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    put("design.md", FAILING)
    assert cli.main(["check", "--format", fmt, *flags, "design.md"]) == 1
    assert ("\x1b[" in out.getvalue()) is coloured


# --- the JSON report: positions, versions, its schema -------------------------------------


@pytest.mark.parametrize("design", [FAILING, WARNINGS_ONLY], ids=["failing", "warnings"])
def test_when_the_report_is_json_then_every_evidence_has_its_line_and_column(
    capsys: pytest.CaptureFixture[str], design: str
) -> None:
    text = "# Title\n\n  \u00e9t\u00e9 \U0001f600\n" + design  # code points, not bytes
    put("design.md", text)
    report = report_of(capsys, "design.md")
    evidence = [e for f in report["findings"] for e in f["evidence"]]
    evidence += [e for c in report["claims"] for e in c["evidence"]]
    assert evidence
    for e in evidence:
        start = at(text, e["line"], e["column"])
        end = at(text, e["end_line"], e["end_column"])
        assert (start, end) == (e["start"], e["end"])
        assert text[start:end] == e["text"]


def test_when_the_report_is_json_then_it_carries_the_version_and_schema_version(
    capsys: pytest.CaptureFixture[str],
) -> None:
    put("design.md", FAILING)
    report = report_of(capsys, "design.md")
    assert report["version"] == __version__
    assert report["schema_version"] == REPORT_SCHEMA_VERSION


def test_when_schema_report_is_asked_for_then_the_json_report_validates_against_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "schema", "--report")
    schema = json.loads(out)
    assert code == 0 and schema["$schema"].endswith("2020-12/schema")
    put("design.md", FAILING + f"\nThe GitHub token is {TOKEN}.\n")
    jsonschema.Draft202012Validator(schema).validate(report_of(capsys, "design.md"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**report_of(capsys, "design.md"), "extra": 1}, schema)


def test_the_report_schema_is_the_one_the_mcp_tool_advertises(
    capsys: pytest.CaptureFixture[str], analyzer: Analyzer
) -> None:
    from mcp import Client

    from workflow_prover.server.app import build_server
    from workflow_prover.server.store import MemorySessionStore

    async def advertised() -> dict[str, Any]:
        async with Client(build_server(analyzer, MemorySessionStore())) as client:
            schema = (await client.list_tools()).tools[0].output_schema
        assert schema is not None
        return schema

    from workflow_prover.server.review import SESSION_FIELDS

    out = anyio.run(advertised)
    _, text, _ = run(capsys, "schema", "--report")
    report = json.loads(text)
    assert {k: out["properties"][k] for k in report["properties"]} == report["properties"]
    assert {k: out["$defs"][k] for k in report["$defs"]} == report["$defs"]
    # the review's own fields: the session and what the turn changed (server/review.py)
    assert set(out["properties"]) - set(report["properties"]) == set(SESSION_FIELDS)


# --- stdin and the entry points -----------------------------------------------------------

EMPTY = [
    pytest.param(["check"], id="check-no-file"),
    pytest.param(["check", "-"], id="check-dash"),
    pytest.param(["assist-prompt"], id="assist-prompt"),
]


@pytest.mark.parametrize("argv", EMPTY)
def test_when_piped_stdin_is_empty_then_it_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    assert err == "workflow-prover: error: <stdin>: empty input: pipe the design, or give a FILE\n"


def test_when_an_empty_file_is_checked_then_it_is_underspecified_not_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    put("empty.md", "")
    assert run(capsys, "check", "empty.md")[0] == 1


ENTRY_POINTS = [
    pytest.param([sys.executable, "-m", "workflow_prover.cli"], id="python-m"),
    pytest.param([str(Path(sys.executable).parent / "workflow-prover")], id="console-script"),
]


@pytest.mark.parametrize("command", ENTRY_POINTS)
def test_both_entry_points_run_the_same_command_line(command: list[str]) -> None:
    done = subprocess.run(
        [*command, "check", "--format", "concise", "--stdin-filename", "x.md"],
        input=FAILING,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith("x.md:") and CONCISE.match(done.stdout.splitlines()[0])

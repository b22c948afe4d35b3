"""The `workflow-prover` command line: exit codes, formats, input handling, no leaks.

Most tests run the CLI in-process (`main([...])` with capsys) on the session's one Analyzer
(conftest's `analyzer`, handed to `main` by the `shared` fixture). Two subprocess tests prove the
installed console script works end to end and that `--help` stays free of spaCy and mcp.
The fake GitHub token is written in two pieces so this file does not look like a leak.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from workflow_prover import cli
from workflow_prover.analyzer import Analyzer, default_analyzer
from workflow_prover.models import CheckId, Evidence, Finding, Report, Verdict

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "fixtures" / "examples"
HAPPY_PATH = EXAMPLES / "stripe_to_crm.md"
RESILIENT = EXAMPLES / "resilient.md"
SCRIPT = Path(sys.executable).parent / "workflow-prover"

TOKEN = "ghp_NLqiXZ1VCrvsKz8LSvnZmMxSBuN7cZeWClio"
LEAKY = f"We sync new Stripe payments into Salesforce. The GitHub token is {TOKEN}."
READ_ONLY = (
    "Every weekday at 7:00, query BigQuery for yesterday's article pageviews and print "
    "the top 20 headlines to the terminal."
)
SEED_1 = (
    "I need a script that takes all new Stripe payments and inserts them into our CRM "
    "table via API."
)

REPORT_KEYS = {
    "verdict",
    "message",
    "findings",
    "checks",
    "steps",
    "services",
    "claims",
    "questions",
    "redactions",
    "strict",
    "turns",
    "notes",
    "unread",
    "assist",
    "version",
    "schema_version",
}
FINDING_KEYS = {
    "code",
    "check",
    "severity",
    "step",
    "service",
    "message",
    "evidence",
    "suppressed",
    "suppression_reason",
    "baseline_state",
    "accepted",
}
EVIDENCE_KEYS = {
    "text",
    "start",
    "end",
    "rule",
    "turn",
    "cue",
    "pointer",
    "reader",
    "via",
    "line",
    "column",
    "end_line",
    "end_column",
}


# --- helpers ------------------------------------------------------------------------------


class FakeStdin(io.TextIOWrapper):
    """A stdin with bytes behind it that says whether it is a terminal."""

    def __init__(self, data: bytes, tty: bool = False) -> None:
        super().__init__(io.BytesIO(data), encoding="utf-8")
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(scope="module")
def shared(request: pytest.FixtureRequest) -> Iterator[Analyzer]:
    """The session's one Analyzer (conftest's), which `main` uses while this module runs."""
    try:
        analyzer: Analyzer = request.getfixturevalue("analyzer")
    except pytest.FixtureLookupError:  # no shared fixture: the process-wide default
        analyzer = default_analyzer()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("workflow_prover.analyzer.default_analyzer", lambda: analyzer)
        yield analyzer


@pytest.fixture
def stdin(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeStdin]:
    """A non-terminal, empty stdin (pytest's own stdin refuses to be read)."""
    fake = FakeStdin(b"")
    monkeypatch.setattr(sys, "stdin", fake)
    yield fake
    fake.close()


def feed(monkeypatch: pytest.MonkeyPatch, data: bytes, tty: bool = False) -> None:
    fake = FakeStdin(data, tty=tty)
    monkeypatch.setattr(sys, "stdin", fake)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path: Path, name: str, content: str | bytes) -> str:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return str(path)


def assert_one_line_error(err: str, fragment: str) -> None:
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err.startswith("workflow-prover: error: "), err
    assert "Traceback" not in err
    assert fragment in err, err


# --- exit codes ---------------------------------------------------------------------------

VERDICT_EXIT = [
    (Verdict.WORKFLOW_PROVEN, 0),
    (Verdict.NOT_APPLICABLE, 0),
    (Verdict.UNDERSPECIFIED, 1),
    (Verdict.INSECURE_CREDENTIALS, 1),
    (Verdict.HAPPY_PATH_BIAS, 1),
    (Verdict.NON_IDEMPOTENT, 1),
    (Verdict.MISSING_DLQ, 1),
    (Verdict.NO_BACKOFF, 1),
]


def test_every_verdict_has_an_exit_code() -> None:
    assert {v for v, _ in VERDICT_EXIT} == set(Verdict)


@pytest.mark.parametrize(("verdict", "expected"), VERDICT_EXIT, ids=[v for v, _ in VERDICT_EXIT])
def test_when_the_verdict_is_given_then_exit_code_is_0_only_for_proven_or_not_applicable(
    verdict: Verdict, expected: int
) -> None:
    assert cli.exit_code([verdict]) == expected


WORST_WINS = [
    pytest.param([Verdict.WORKFLOW_PROVEN, Verdict.NOT_APPLICABLE], 0, id="all-pass"),
    pytest.param([Verdict.WORKFLOW_PROVEN, Verdict.HAPPY_PATH_BIAS], 1, id="last-fails"),
    pytest.param([Verdict.NO_BACKOFF, Verdict.WORKFLOW_PROVEN], 1, id="first-fails"),
    pytest.param([Verdict.UNDERSPECIFIED, Verdict.NOT_APPLICABLE], 1, id="underspecified"),
    pytest.param([], 0, id="nothing"),
]


@pytest.mark.parametrize(("verdicts", "expected"), WORST_WINS)
def test_when_several_verdicts_then_the_worst_exit_code_wins(
    verdicts: list[Verdict], expected: int
) -> None:
    assert cli.exit_code(verdicts) == expected


DESIGNS = [
    pytest.param(str(HAPPY_PATH), None, "HAPPY_PATH_BIAS", 1, id="seed-1-happy-path"),
    pytest.param(str(RESILIENT), None, "WORKFLOW_PROVEN", 0, id="seed-3-proven"),
    pytest.param("read_only.md", READ_ONLY, "NOT_APPLICABLE", 0, id="read-only"),
    pytest.param("hello.md", "Hello there!", "UNDERSPECIFIED", 1, id="no-workflow"),
    pytest.param("empty.md", "", "UNDERSPECIFIED", 1, id="empty-file"),
]


@pytest.mark.parametrize(("name", "content", "verdict", "expected"), DESIGNS)
def test_when_a_design_is_checked_then_exit_code_follows_its_verdict(
    shared: Analyzer,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    stdin: FakeStdin,
    name: str,
    content: str | None,
    verdict: str,
    expected: int,
) -> None:
    path = name if content is None else write(tmp_path, name, content)
    code, out, err = run(capsys, "check", "--format", "json", path)
    assert (code, json.loads(out)["verdict"], err) == (expected, verdict, "")


# --- usage and input errors ---------------------------------------------------------------

INPUT_ERRORS = [
    # (id, argv with {dir} for tmp_path, files to create, stdin bytes or None, stdin is a tty,
    #  fragment of the error)
    ("missing-file", ["check", "{dir}/nope.md"], {}, None, False, "nope.md: no such file"),
    ("directory", ["check", "{dir}"], {}, None, False, "is a directory"),
    (
        "nul-bytes",
        ["check", "{dir}/bin.md"],
        {"bin.md": b"Stripe -> CRM\x00\x01"},
        None,
        False,
        "binary input",
    ),
    (
        "invalid-utf8",
        ["check", "{dir}/latin1.md"],
        {"latin1.md": "caf\u00e9".encode("latin-1")},
        None,
        False,
        "not UTF-8 text",
    ),
    (
        "too-large",
        ["check", "{dir}/big.md"],
        {"big.md": b"a" * (cli.MAX_INPUT_BYTES + 1)},
        None,
        False,
        "larger than the 1 MB limit",
    ),
    ("binary-stdin", ["check", "-"], {}, b"\x89PNG\r\n\x1a\n\x00\x00", False, "<stdin>: binary"),
    ("too-large-stdin", ["check"], {}, b"x" * (cli.MAX_INPUT_BYTES + 1), False, "<stdin>: input"),
    ("no-input-on-a-terminal", ["check"], {}, b"", True, "no input"),
    ("stdin-twice", ["check", "-", "-"], {}, b"Stripe -> CRM", False, "only once"),
    ("no-command", [], {}, None, False, "required: COMMAND"),
    ("unknown-command", ["prove"], {}, None, False, "invalid choice"),
    (
        "unknown-format",
        ["check", "--format", "xml", "{dir}/a.md"],
        {"a.md": b"x"},
        None,
        False,
        "argument --format",
    ),
    ("unknown-option", ["check", "--fast"], {}, None, False, "unrecognized arguments"),
]


@pytest.mark.parametrize(
    ("argv", "files", "data", "tty", "fragment"),
    [case[1:] for case in INPUT_ERRORS],
    ids=[c[0] for c in INPUT_ERRORS],
)
def test_when_input_is_unusable_then_exit_code_is_2_with_a_one_line_error(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    stdin: FakeStdin,
    argv: list[str],
    files: dict[str, bytes],
    data: bytes | None,
    tty: bool,
    fragment: str,
) -> None:
    for name, content in files.items():
        write(tmp_path, name, content)
    feed(monkeypatch, data or b"", tty=tty)
    code, out, err = run(capsys, *(a.format(dir=tmp_path) for a in argv))
    assert (code, out) == (2, "")
    assert_one_line_error(err, fragment)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
def test_when_file_is_unreadable_then_exit_code_is_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, stdin: FakeStdin
) -> None:
    path = write(tmp_path, "secret.md", SEED_1)
    os.chmod(path, 0)
    code, out, err = run(capsys, "check", path)
    assert (code, out) == (2, "")
    assert_one_line_error(err, "cannot read: permission denied")


def test_when_file_name_has_control_characters_then_the_error_stays_on_one_line(
    capsys: pytest.CaptureFixture[str], stdin: FakeStdin
) -> None:
    code, _, err = run(capsys, "check", "evil\nname.md")
    assert code == 2
    assert_one_line_error(err, "evil\\nname.md: no such file")


def test_when_the_analyzer_fails_then_exit_code_is_3_without_traceback_or_input(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    stdin: FakeStdin,
) -> None:
    class Broken:
        def workflows(self, text: str, files: object = None) -> tuple[str, ...]:
            return ()

        def analyze(self, text: str, **options: object) -> Report:
            raise RuntimeError(f"cannot parse {text}")

    monkeypatch.setattr("workflow_prover.analyzer.default_analyzer", Broken)
    code, out, err = run(capsys, "check", write(tmp_path, "leak.md", LEAKY))
    assert (code, out) == (3, "")
    assert_one_line_error(err, "internal error (RuntimeError)")
    assert TOKEN not in err


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"Stripe -> CRM", "Stripe -> CRM"),
        (b"\xef\xbb\xbfStripe -> CRM", "Stripe -> CRM"),  # a BOM is not part of the text
        ("Salesfroce \u2192 Zendesk".encode(), "Salesfroce \u2192 Zendesk"),
        (b"a" * cli.MAX_INPUT_BYTES, "a" * cli.MAX_INPUT_BYTES),  # the limit itself is allowed
    ],
)
def test_when_input_is_utf8_text_within_the_limit_then_it_is_decoded(
    data: bytes, expected: str
) -> None:
    assert cli.decode_input(data, "x.md") == expected


# --- formats ------------------------------------------------------------------------------


def test_when_format_is_json_then_the_report_has_the_documented_keys(
    shared: Analyzer, capsys: pytest.CaptureFixture[str], stdin: FakeStdin
) -> None:
    code, out, _ = run(capsys, "check", "--format", "json", str(HAPPY_PATH))
    report = json.loads(out)
    assert code == 1
    assert set(report) == REPORT_KEYS
    assert set(report["checks"]) == {c.value for c in CheckId}
    assert report["findings"], "the happy-path seed has findings"
    for finding in report["findings"]:
        assert set(finding) == FINDING_KEYS
        for evidence in finding["evidence"]:
            assert set(evidence) == EVIDENCE_KEYS
    assert Report.model_validate(report).verdict is Verdict.HAPPY_PATH_BIAS


def test_when_several_files_are_given_as_json_then_each_report_is_named_by_its_file(
    shared: Analyzer, capsys: pytest.CaptureFixture[str], stdin: FakeStdin
) -> None:
    code, out, _ = run(capsys, "check", "--format", "json", str(RESILIENT), str(HAPPY_PATH))
    reports = json.loads(out)
    assert code == 1
    assert [r["file"] for r in reports] == [str(RESILIENT), str(HAPPY_PATH)]
    assert [r["report"]["verdict"] for r in reports] == ["WORKFLOW_PROVEN", "HAPPY_PATH_BIAS"]
    assert all(set(r) == {"file", "report"} and set(r["report"]) == REPORT_KEYS for r in reports)


SEVERAL = [
    pytest.param([RESILIENT, RESILIENT], 0, id="all-proven"),
    pytest.param([RESILIENT, HAPPY_PATH], 1, id="proven-then-flawed"),
    pytest.param([HAPPY_PATH, RESILIENT], 1, id="flawed-then-proven"),
]


@pytest.mark.parametrize(("paths", "expected"), SEVERAL)
def test_when_several_files_are_checked_then_the_worst_exit_code_wins(
    shared: Analyzer,
    capsys: pytest.CaptureFixture[str],
    stdin: FakeStdin,
    paths: list[Path],
    expected: int,
) -> None:
    code, out, _ = run(capsys, "check", *map(str, paths))
    assert code == expected
    assert all(f"{p}: " in out for p in paths)


def test_when_format_is_text_then_verdict_message_findings_and_questions_are_shown(
    shared: Analyzer, capsys: pytest.CaptureFixture[str], stdin: FakeStdin
) -> None:
    code, out, _ = run(capsys, "check", str(HAPPY_PATH))
    assert code == 1
    assert out.startswith(f"{HAPPY_PATH}: HAPPY_PATH_BIAS (")
    assert "Verdict: HAPPY_PATH_BIAS." in out
    assert "Blockers:" in out and "NO_FAILURE_HANDLING" in out
    assert 'line 5: "I need a script that takes all new Stripe payments"' in out
    assert "Questions:\n  - " in out
    assert "\x1b[" not in out, "no colour when stdout is not a terminal"


def _finding(code: str, severity: str, text: str) -> Finding:
    return Finding(
        code=code,
        check=CheckId.FAILURE_HANDLING,
        severity=severity,
        step=2,
        service="CRM",
        message=f"{code} message.",
        evidence=(Evidence(text=text, start=0, end=len(text), rule="test"),),
    )


def _report(*findings: Finding) -> Report:
    return Report(
        verdict=Verdict.MISSING_DLQ,
        message="Verdict: MISSING_DLQ. Fix it.",
        findings=list(findings),
        checks={c: "pass" for c in CheckId},
        steps=[],
        services=[],
        claims=[],
        questions=["Where does a failed CRM write go?"],
        redactions=0,
    )


def test_when_rendering_text_then_blockers_come_before_warnings_and_quotes_are_short() -> None:
    long_quote = "we retry the CRM write " * 10
    text = cli.render_text(
        _report(
            _finding("NO_TIMEOUT", "warning", "no timeout"),
            _finding("STEP_WITHOUT_FAILURE_PATH", "blocker", long_quote),
        ),
        "design.md",
    )
    assert (
        text.index("Blockers:")
        < text.index("STEP_WITHOUT_FAILURE_PATH")
        < text.index("Warnings:")
        < text.index("NO_TIMEOUT")
    )
    assert "STEP_WITHOUT_FAILURE_PATH  step 2, CRM" in text
    assert '"we retry the CRM write we retry' in text and '..."' in text
    assert long_quote.strip() not in text
    assert text.rstrip().endswith("- Where does a failed CRM write go?")


COLOUR = [
    pytest.param(True, {}, True, id="terminal"),
    pytest.param(True, {"NO_COLOR": "1"}, False, id="terminal-with-NO_COLOR"),
    pytest.param(True, {"TERM": "dumb"}, False, id="dumb-terminal"),
    pytest.param(False, {}, False, id="pipe"),
]


@pytest.mark.parametrize(("tty", "env", "coloured"), COLOUR)
def test_when_stdout_is_a_terminal_without_no_color_then_the_verdict_is_coloured(
    shared: Analyzer,
    monkeypatch: pytest.MonkeyPatch,
    stdin: FakeStdin,
    tty: bool,
    env: dict[str, str],
    coloured: bool,
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    out = FakeTerminal() if tty else io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    assert cli.main(["check", str(RESILIENT)]) == 0
    assert ("\x1b[" in out.getvalue()) is coloured


def test_when_format_is_json_then_a_terminal_gets_no_colour(
    shared: Analyzer, monkeypatch: pytest.MonkeyPatch, stdin: FakeStdin
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    out = FakeTerminal()
    monkeypatch.setattr(sys, "stdout", out)
    cli.main(["check", "--format", "json", str(RESILIENT)])
    assert json.loads(out.getvalue())["verdict"] == "WORKFLOW_PROVEN"


# --- stdin and --strict -------------------------------------------------------------------

STDIN_ARGS = [
    pytest.param([], id="no-file-and-piped-stdin"),
    pytest.param(["-"], id="dash"),
]


@pytest.mark.parametrize("argv", STDIN_ARGS)
def test_when_input_comes_from_stdin_then_it_is_analysed(
    shared: Analyzer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
) -> None:
    feed(monkeypatch, SEED_1.encode())
    code, out, err = run(capsys, "check", *argv)
    assert (code, err) == (1, "")
    assert out.startswith("<stdin>: HAPPY_PATH_BIAS")


def test_when_stdin_is_among_several_files_then_it_is_named_dash_in_json(
    shared: Analyzer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    feed(monkeypatch, READ_ONLY.encode())
    code, out, _ = run(capsys, "check", "--format", "json", str(RESILIENT), "-")
    assert code == 0
    assert [(r["file"], r["report"]["verdict"]) for r in json.loads(out)] == [
        (str(RESILIENT), "WORKFLOW_PROVEN"),
        ("-", "NOT_APPLICABLE"),
    ]


STRICT = [
    pytest.param([], 0, False, id="warnings-stay-warnings"),
    pytest.param(["--strict"], 1, True, id="strict-makes-warnings-blockers"),
]


@pytest.mark.parametrize(("flags", "expected", "strict"), STRICT)
def test_when_strict_is_given_then_warnings_fail_the_design(
    shared: Analyzer,
    capsys: pytest.CaptureFixture[str],
    stdin: FakeStdin,
    flags: list[str],
    expected: int,
    strict: bool,
) -> None:
    code, out, _ = run(capsys, "check", "--format", "json", *flags, str(RESILIENT))
    report = json.loads(out)
    assert (code, report["strict"]) == (expected, strict)
    assert report["findings"], "the resilient example has warnings"
    assert {f["severity"] for f in report["findings"]} == {"blocker" if strict else "warning"}


# --- secrets ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_when_input_contains_a_secret_then_stdout_never_shows_it(
    shared: Analyzer, capsys: pytest.CaptureFixture[str], tmp_path: Path, stdin: FakeStdin, fmt: str
) -> None:
    code, out, err = run(capsys, "check", "--format", fmt, write(tmp_path, "leak.md", LEAKY))
    assert code == 1
    assert "INSECURE_CREDENTIALS" in out
    assert TOKEN not in out and TOKEN not in err
    assert TOKEN[4:20] not in out, "not even a fragment of the token"


def test_when_unusable_input_contains_a_secret_then_the_error_does_not_show_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    feed(monkeypatch, f"{TOKEN}\x00".encode())
    code, out, err = run(capsys, "check")
    assert (code, out) == (2, "")
    assert TOKEN not in err


# --- the installed console script ---------------------------------------------------------


def test_when_help_is_asked_then_spacy_and_mcp_are_not_imported() -> None:
    probe = (
        "import sys, contextlib, io\n"
        "from workflow_prover.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    codes = [main(['--help']), main(['check', '--help'])]\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'spacy', 'mcp'})\n"
        "print(codes, heavy)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        timeout=60,
    )
    assert done.stdout.strip() == "[0, 0] []"


@pytest.mark.skipif(not SCRIPT.exists(), reason="console script not installed")
def test_when_the_console_script_checks_a_file_and_stdin_then_json_and_exit_code_match() -> None:
    done = subprocess.run(
        [str(SCRIPT), "check", "--format", "json", "-", str(HAPPY_PATH.relative_to(ROOT))],
        input=LEAKY,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert (done.returncode, done.stderr) == (1, "")
    assert [(r["file"], r["report"]["verdict"]) for r in json.loads(done.stdout)] == [
        ("-", "INSECURE_CREDENTIALS"),
        ("fixtures/examples/stripe_to_crm.md", "HAPPY_PATH_BIAS"),
    ]
    assert TOKEN not in done.stdout

"""The command line in CI: SARIF, many files and globs, suppression, schemas, `schema`."""

from __future__ import annotations

import io
import json
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from workflow_prover import cli
from workflow_prover.analyzer import Analyzer, default_analyzer
from workflow_prover.codes import CODES, NOTES
from workflow_prover.schemas import prover_json_schema

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "fixtures" / "schemas"
EXAMPLES = ROOT / "fixtures" / "examples"
SARIF_SCHEMA = json.loads(
    (Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8")
)
FIXED = SCHEMAS / "asl" / "fulfilment_fixed_retry.yaml"
PROVEN = EXAMPLES / "resilient.md"
HAPPY_PATH = EXAMPLES / "stripe_to_crm.md"


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class FakeStdin(io.TextIOWrapper):
    def __init__(self, data: bytes) -> None:
        super().__init__(io.BytesIO(data), encoding="utf-8")

    def isatty(self) -> bool:
        return False


@pytest.fixture(scope="module")
def shared(request: pytest.FixtureRequest) -> Iterator[Analyzer]:
    """The session's one Analyzer, used by `main` while this module runs."""
    try:
        analyzer: Analyzer = request.getfixturevalue("analyzer")
    except pytest.FixtureLookupError:
        analyzer = default_analyzer()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("workflow_prover.analyzer.default_analyzer", lambda: analyzer)
        yield analyzer


@pytest.fixture(autouse=True)
def stdin(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    fake = FakeStdin(b"")
    monkeypatch.setattr(sys, "stdin", fake)
    yield
    fake.close()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def sarif(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    code, out, err = run(capsys, "check", "--format", "sarif", *argv)
    assert err == ""
    log: dict[str, Any] = json.loads(out)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)
    return code, log


def results(log: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = log["runs"][0]["results"]
    return found


def one_line_error(err: str, fragment: str) -> None:
    assert err.startswith("workflow-prover: error: ") and err.count("\n") == 1, err
    assert fragment in err and "Traceback" not in err


# --- SARIF --------------------------------------------------------------------------------

GROUPS = [
    pytest.param([str(p) for p in sorted(SCHEMAS.rglob("*.json"))], id="json-schemas"),
    pytest.param([str(p) for p in sorted(SCHEMAS.rglob("*.md"))], id="prose-and-schemas"),
    pytest.param([str(PROVEN), str(HAPPY_PATH), str(FIXED)], id="prose-and-yaml"),
]


@pytest.mark.parametrize("files", GROUPS)
def test_when_sarif_is_asked_for_then_the_log_validates_against_the_sarif_2_1_0_schema(
    shared: Analyzer, capsys: pytest.CaptureFixture[str], files: list[str]
) -> None:
    code, log = sarif(capsys, *files)
    assert code == 1
    assert len(log["runs"][0]["artifacts"]) == len(files)


def test_when_sarif_is_written_then_there_is_one_rule_per_code_with_its_help(
    shared: Analyzer, capsys: pytest.CaptureFixture[str]
) -> None:
    _, log = sarif(capsys, str(HAPPY_PATH))
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [*CODES, *NOTES]
    by_id = {r["id"]: r for r in rules}
    assert by_id["NO_JITTER"]["defaultConfiguration"]["level"] == "warning"
    assert by_id["NO_FAILURE_HANDLING"]["defaultConfiguration"]["level"] == "error"
    assert by_id["NO_JITTER"]["help"]["text"] == CODES["NO_JITTER"].help
    for result in results(log):
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] == (
            "error" if result["properties"]["severity"] == "blocker" else "warning"
        )


def test_when_a_schema_finding_is_in_sarif_then_it_has_line_column_and_json_pointer(
    shared: Analyzer, capsys: pytest.CaptureFixture[str]
) -> None:
    _, log = sarif(capsys, str(FIXED))
    [result] = [r for r in results(log) if r["ruleId"] == "NON_EXPONENTIAL_RETRY"]
    location = result["locations"][0]
    region = location["physicalLocation"]["region"]
    lines = FIXED.read_text(encoding="utf-8").splitlines()
    line = lines[region["startLine"] - 1]
    assert line[region["startColumn"] - 1 :] == "BackoffRate: 1.0"
    assert location["logicalLocations"][0]["fullyQualifiedName"] == (
        "/States/ReserveStock/Retry/0/BackoffRate"
    )
    assert location["physicalLocation"]["artifactLocation"]["uri"].endswith(
        "fixtures/schemas/asl/fulfilment_fixed_retry.yaml"
    )


def test_when_a_document_changes_elsewhere_then_fingerprints_stay_the_same(
    shared: Analyzer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "design.md"
    path.write_text(HAPPY_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    _, before = sarif(capsys, str(path))
    path.write_text("# A new title\n\n" + HAPPY_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    _, after = sarif(capsys, str(path))

    def prints(log: dict[str, Any]) -> list[str]:
        return sorted(r["partialFingerprints"]["workflowProver/v1"] for r in results(log))

    assert prints(before) == prints(after)
    assert len(set(prints(before))) == len(prints(before))


def test_when_findings_are_suppressed_then_sarif_says_how_and_why(
    shared: Analyzer, capsys: pytest.CaptureFixture[str]
) -> None:
    onboarding = SCHEMAS / "prover" / "onboarding_in_prose.md"
    _, log = sarif(capsys, "--ignore", "DLQ_UNMONITORED", str(onboarding), str(PROVEN))
    kinds = {r["ruleId"]: r["suppressions"][0]["kind"] for r in results(log) if "suppressions" in r}
    assert kinds == {"NO_COMPENSATION": "inSource", "DLQ_UNMONITORED": "external"}


def test_when_a_document_has_notes_then_they_are_sarif_results_too(
    shared: Analyzer, capsys: pytest.CaptureFixture[str]
) -> None:
    _, log = sarif(capsys, str(SCHEMAS / "broken_block.md"))
    [note] = [r for r in results(log) if r["ruleId"] == "SCHEMA_PARSE_ERROR"]
    assert note["level"] == "warning"
    assert note["locations"][0]["physicalLocation"]["region"]["startLine"] == 13


# --- many files, globs, progress -----------------------------------------------------------


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param([PROVEN, SCHEMAS / "asl" / "order_payment.json"], 0, id="all-pass"),
        pytest.param([PROVEN, HAPPY_PATH], 1, id="one-fails"),
        pytest.param([SCHEMAS / "asl" / "stock_report_readonly.json", PROVEN], 0, id="n-a"),
    ],
)
def test_when_many_files_are_checked_then_the_worst_exit_code_wins_and_a_summary_ends_it(
    shared: Analyzer, capsys: pytest.CaptureFixture[str], files: list[Path], expected: int
) -> None:
    code, out, err = run(capsys, "check", *map(str, files))
    assert (code, err) == (expected, "")
    summary = out[out.index("Summary:") :].splitlines()
    assert summary[1].split() == ["file", "verdict", "blockers", "warnings", "suppressed"]
    assert [row.split()[0] for row in summary[2:-1]] == [str(f) for f in files]
    assert summary[-1].startswith(f"{len(files)} files:")


def test_when_one_file_is_checked_then_there_is_no_summary(
    shared: Analyzer, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = run(capsys, "check", str(PROVEN))
    assert "Summary:" not in out


def test_when_a_glob_is_given_then_it_is_expanded_recursively_in_order(
    shared: Analyzer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "docs" / "payments").mkdir(parents=True)
    shutil.copy(PROVEN, tmp_path / "docs" / "b.md")
    shutil.copy(HAPPY_PATH, tmp_path / "docs" / "payments" / "a.md")
    (tmp_path / "docs" / "notes.txt").write_text("not matched", encoding="utf-8")
    code, out, _ = run(capsys, "check", "--format", "json", str(tmp_path / "docs" / "**" / "*.md"))
    files = [Path(item["file"]).relative_to(tmp_path).as_posix() for item in json.loads(out)]
    assert (code, files) == (1, ["docs/b.md", "docs/payments/a.md"])


def test_when_a_glob_matches_nothing_then_it_is_a_usage_error(
    shared: Analyzer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run(capsys, "check", str(tmp_path / "**" / "*.md"))
    assert (code, out) == (2, "")
    one_line_error(err, "no files match")


@pytest.mark.parametrize(("tty", "shown"), [(True, True), (False, False)], ids=["tty", "pipe"])
def test_when_many_files_are_checked_on_a_terminal_then_progress_shows_on_stderr(
    shared: Analyzer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tty: bool,
    shown: bool,
) -> None:
    stderr = FakeTerminal() if tty else io.StringIO()
    monkeypatch.setattr(sys, "stderr", stderr)
    cli.main(["check", "--format", "json", str(PROVEN), str(HAPPY_PATH)])
    capsys.readouterr()
    progress = stderr.getvalue()
    assert ("[2/2]" in progress) is shown
    assert ("Summary:" in progress) is shown  # machine formats keep stdout clean


# --- schemas on the command line -----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        pytest.param(
            "flow.json", '{"StartAt": "A",\n  "States": }', "line 2, column 13", id="json"
        ),
        pytest.param(
            "flow.md", '{"StartAt": "A",,}', "invalid JSON at line 1, column 17", id="sniff"
        ),
        pytest.param("flow.yaml", "StartAt: A\nStates: [\n", "invalid YAML at line 3", id="yaml"),
    ],
)
def test_when_a_whole_file_schema_does_not_parse_then_it_is_one_line_with_line_and_column(
    shared: Analyzer,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    name: str,
    content: str,
    fragment: str,
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    code, out, err = run(capsys, "check", str(path))
    assert (code, out) == (2, "")
    one_line_error(err, fragment)


def test_when_a_fenced_block_does_not_parse_then_the_analysis_goes_on_with_a_note(
    shared: Analyzer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "check", str(SCHEMAS / "broken_block.md"))
    assert err == "" and code in (0, 1)
    assert "Notes:\n  SCHEMA_PARSE_ERROR" in out


def test_when_the_schema_command_runs_then_it_prints_the_json_schema(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, "schema")
    assert (code, err) == (0, "")
    assert json.loads(out) == prover_json_schema()


def test_when_ignore_is_repeated_then_every_code_is_suppressed(
    shared: Analyzer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys,
        "check",
        "--format",
        "json",
        "--ignore",
        "DLQ_UNMONITORED",
        "--ignore",
        "no_timeout",
        str(PROVEN),
    )
    report = json.loads(out)
    hidden = {f["code"] for f in report["findings"] if f["suppressed"]}
    assert code == 0 and hidden == {"DLQ_UNMONITORED", "NO_TIMEOUT"}


@pytest.mark.parametrize("code", ["SECRET_IN_TEXT", "NOPE"])
def test_when_ignore_names_what_cannot_be_ignored_then_it_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], code: str
) -> None:
    status, out, err = run(capsys, "check", "--ignore", code, str(PROVEN))
    assert (status, out) == (2, "")
    one_line_error(err, "--ignore")


def test_the_pre_commit_hook_runs_the_check_command() -> None:
    import tomllib

    import yaml

    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "scripts"
    ]
    assert hook["id"] == "workflow-prover" and hook["language"] == "python"
    assert hook["entry"].split() == [next(iter(scripts)), "check"]

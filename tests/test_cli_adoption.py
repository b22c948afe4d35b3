"""Adopting the Prover in CI: the configuration file (discovery, precedence, unknown keys), the
baseline round trip, `--fail-on` and `--ignore A,B`.

Every test runs in its own temporary directory (`monkeypatch.chdir`), so configuration files
are found from there upwards and nothing of the repository's own is read.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from workflow_prover import cli
from workflow_prover.analyzer import Analyzer
from workflow_prover.cli import sarif
from workflow_prover.cli.baseline import BaselineFile

ROOT = Path(__file__).resolve().parent.parent
FAILING = (ROOT / "fixtures" / "examples" / "stripe_to_crm.md").read_text(encoding="utf-8")
WARNINGS_ONLY = (ROOT / "fixtures" / "examples" / "resilient.md").read_text(encoding="utf-8")
NEW_STEP = "\n\nThen we send a receipt through the Mailgun API.\n"
TOKEN = "ghp_" + "NLqiXZ1VCrvsKz8LSvnZmMxSBuN7cZeWClio"


@pytest.fixture(autouse=True)
def shared(analyzer: Analyzer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    monkeypatch.setattr("workflow_prover.analyzer.default_analyzer", lambda: analyzer)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    monkeypatch.chdir(tmp_path)
    yield


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def put(path: str, text: str) -> Path:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target


# --- configuration: discovery ---------------------------------------------------------------

SOFT = 'fail-on = "never"\n'
PYPROJECT_SOFT = '[project]\nname = "x"\n\n[tool.workflow-prover]\n' + SOFT
PYPROJECT_HARD = '[tool.workflow-prover]\nfail-on = "blocker"\n'

DISCOVERY = [
    pytest.param({}, "", [], 1, id="no-file-the-defaults"),
    pytest.param({".workflow-prover.toml": SOFT}, "", [], 0, id="dotfile-here"),
    pytest.param({"pyproject.toml": PYPROJECT_SOFT}, "", [], 0, id="pyproject-table-here"),
    pytest.param({"pyproject.toml": PYPROJECT_SOFT}, "sub/deeper", [], 0, id="found-upwards"),
    pytest.param(
        {"pyproject.toml": PYPROJECT_SOFT, "sub/pyproject.toml": '[project]\nname = "y"\n'},
        "sub",
        [],
        0,
        id="pyproject-without-the-table-is-passed-over",
    ),
    pytest.param(
        {".workflow-prover.toml": SOFT, "pyproject.toml": PYPROJECT_HARD},
        "",
        [],
        0,
        id="dotfile-before-pyproject-in-one-folder",
    ),
    pytest.param(
        {"pyproject.toml": PYPROJECT_SOFT, "sub/.workflow-prover.toml": 'fail-on = "blocker"\n'},
        "sub",
        [],
        1,
        id="the-nearest-wins",
    ),
    pytest.param(
        {"elsewhere/soft.toml": SOFT},
        "",
        ["--config", "elsewhere/soft.toml"],
        0,
        id="config-names-the-file",
    ),
    pytest.param({".workflow-prover.toml": SOFT}, "", ["--isolated"], 1, id="isolated-reads-none"),
]


@pytest.mark.parametrize(("files", "cwd", "flags", "expected"), DISCOVERY)
def test_when_a_configuration_file_is_found_upwards_then_it_applies(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    files: dict[str, str],
    cwd: str,
    flags: list[str],
    expected: int,
) -> None:
    for name, text in files.items():
        put(name, text)
    (tmp_path / cwd).mkdir(parents=True, exist_ok=True)
    design = put("design.md", FAILING).resolve()
    monkeypatch.chdir(tmp_path / cwd)
    code, out, _ = run(capsys, "check", *flags, str(design))
    assert code == expected
    assert "HAPPY_PATH_BIAS" in out  # soft or not, the report is printed


# --- configuration: precedence --------------------------------------------------------------

FORMAT_PRECEDENCE = [
    pytest.param('format = "concise"\n', [], "concise", id="file-sets-the-format"),
    pytest.param('format = "concise"\n', ["--format", "json"], "json", id="flag-wins"),
    pytest.param("", [], "text", id="default-text"),
]


def _format_of(out: str) -> str:
    if out.startswith("{"):
        return "json"
    return "concise" if out.startswith("design.md:") and "[warning]" in out else "text"


@pytest.mark.parametrize(("config", "flags", "expected"), FORMAT_PRECEDENCE)
def test_when_the_configuration_sets_a_format_then_the_flag_still_wins(
    capsys: pytest.CaptureFixture[str], config: str, flags: list[str], expected: str
) -> None:
    put(".workflow-prover.toml", config)
    put("design.md", WARNINGS_ONLY)
    _, out, _ = run(capsys, "check", *flags, "design.md")
    assert _format_of(out) == expected


REPORT_PRECEDENCE = [
    pytest.param("strict = true\n", [], True, set(), id="file-sets-strict"),
    pytest.param("strict = true\n", ["--no-strict"], False, set(), id="no-strict-wins"),
    pytest.param("strict = false\n", ["--strict"], True, set(), id="strict-wins"),
    pytest.param('ignore = ["NO_TIMEOUT"]\n', [], False, {"NO_TIMEOUT"}, id="file-ignores"),
    pytest.param(
        'ignore = ["NO_TIMEOUT"]\n',
        ["--ignore", "DLQ_UNMONITORED"],
        False,
        {"DLQ_UNMONITORED"},
        id="flag-list-replaces-the-file-list",
    ),
]


@pytest.mark.parametrize(("config", "flags", "strict", "ignored"), REPORT_PRECEDENCE)
def test_when_a_flag_and_the_configuration_disagree_then_the_flag_wins(
    capsys: pytest.CaptureFixture[str],
    config: str,
    flags: list[str],
    strict: bool,
    ignored: set[str],
) -> None:
    put(".workflow-prover.toml", config)
    put("design.md", WARNINGS_ONLY)
    _, out, _ = run(capsys, "check", "--format", "json", *flags, "design.md")
    report = json.loads(out)
    assert report["strict"] is strict
    assert {f["code"] for f in report["findings"] if f["suppressed"]} == ignored


INCLUDE = [
    pytest.param('include = ["docs/**/*.md"]\n', [], ["docs/a.md", "docs/deep/b.md"], id="incl"),
    pytest.param(
        'include = ["docs/**/*.md"]\nexclude = ["docs/deep/*"]\n', [], ["docs/a.md"], id="excl"
    ),
    pytest.param(
        'exclude = ["docs/deep/*"]\n',
        ["docs/a.md", "docs/deep/b.md"],
        ["docs/a.md"],
        id="exclude-applies-to-named-files",
    ),
]


@pytest.mark.parametrize(("config", "named", "checked"), INCLUDE)
def test_when_the_configuration_includes_and_excludes_then_those_files_are_checked(
    capsys: pytest.CaptureFixture[str], config: str, named: list[str], checked: list[str]
) -> None:
    put(".workflow-prover.toml", config)
    put("docs/a.md", WARNINGS_ONLY)
    put("docs/deep/b.md", WARNINGS_ONLY)
    put("other.md", FAILING)
    code, out, _ = run(capsys, "check", "--format", "sarif", *named)
    assert code == 0
    log = json.loads(out)
    assert [a["location"]["uri"] for a in log["runs"][0]["artifacts"]] == checked


def test_when_every_named_file_is_excluded_then_there_is_nothing_to_check(
    capsys: pytest.CaptureFixture[str],
) -> None:
    put(".workflow-prover.toml", 'exclude = ["*.md"]\n')
    put("design.md", FAILING)
    assert run(capsys, "check", "design.md") == (0, "", "")


BAD_CONFIG = [
    pytest.param("fail_on = 'never'\n", "unknown key 'fail_on'", id="unknown-key-named"),
    pytest.param("[rules]\nx = 1\n", "unknown key 'rules'", id="unknown-table-named"),
    pytest.param("strict = 'yes'\n", "strict: expected true or false", id="strict-not-a-bool"),
    pytest.param("fail-on = 'sometimes'\n", "fail-on: expected one of", id="fail-on-value"),
    pytest.param("format = 'xml'\n", "format: expected one of", id="unknown-format"),
    pytest.param("ignore = ['NOPE']\n", "ignore: unknown finding code 'NOPE'", id="unknown-code"),
    pytest.param("strict = \n", "invalid TOML", id="not-toml"),
]


@pytest.mark.parametrize(("config", "fragment"), BAD_CONFIG)
def test_when_the_configuration_is_wrong_then_it_is_a_usage_error_naming_the_key(
    capsys: pytest.CaptureFixture[str], config: str, fragment: str
) -> None:
    put(".workflow-prover.toml", config)
    put("design.md", WARNINGS_ONLY)
    code, out, err = run(capsys, "check", "design.md")
    assert (code, out) == (2, "")
    assert err.startswith("workflow-prover: error: .workflow-prover.toml: ")
    assert fragment in err and err.count("\n") == 1, err


def test_when_a_pyproject_table_has_an_unknown_key_then_the_error_names_the_table(
    capsys: pytest.CaptureFixture[str],
) -> None:
    put("pyproject.toml", "[tool.workflow-prover]\nignores = []\n")
    put("design.md", WARNINGS_ONLY)
    code, _, err = run(capsys, "check", "design.md")
    assert code == 2
    assert "pyproject.toml: [tool.workflow-prover]: unknown key 'ignores'" in err


def test_when_config_and_isolated_are_both_given_then_it_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    put("c.toml", SOFT)
    code, _, err = run(capsys, "check", "--config", "c.toml", "--isolated", "x.md")
    assert code == 2 and "not allowed with argument" in err


# --- the baseline -------------------------------------------------------------------------


def _sarif_states(capsys: pytest.CaptureFixture[str], *argv: str) -> list[str | None]:
    _, out, _ = run(capsys, "check", "--format", "sarif", *argv)
    return [
        r.get("baselineState")
        for r in json.loads(out)["runs"][0]["results"]
        if r["ruleId"] in sarif.CODES
    ]


def test_when_a_baseline_is_written_then_the_same_findings_no_longer_fail(
    capsys: pytest.CaptureFixture[str],
) -> None:
    put("design.md", FAILING + f"\nThe GitHub token is {TOKEN}.\n")
    assert run(capsys, "check", "design.md")[0] == 1
    code, _, err = run(capsys, "check", "--write-baseline", "base.json", "design.md")
    recorded = json.loads(Path("base.json").read_text(encoding="utf-8"))
    assert code == 0 and f"recorded {len(recorded['findings'])} findings" in err
    assert TOKEN not in Path("base.json").read_text(encoding="utf-8")  # fingerprints only

    code, out, _ = run(capsys, "check", "--baseline", "base.json", "--format", "json", "design.md")
    report = json.loads(out)
    assert code == 0
    assert {f["baseline_state"] for f in report["findings"]} == {"unchanged"}
    assert set(_sarif_states(capsys, "--baseline", "base.json", "design.md")) == {"unchanged"}


def test_when_a_baselined_document_gains_a_problem_then_only_the_new_one_fails(
    capsys: pytest.CaptureFixture[str],
) -> None:
    put("design.md", FAILING)
    run(capsys, "check", "--write-baseline", "base.json", "design.md")
    put("design.md", FAILING + NEW_STEP)
    code, out, _ = run(capsys, "check", "--baseline", "base.json", "--format", "json", "design.md")
    states = {f["baseline_state"] for f in json.loads(out)["findings"]}
    assert code == 1 and states == {"new", "unchanged"}
    _, concise, _ = run(
        capsys, "check", "--baseline", "base.json", "--format", "concise", "design.md"
    )
    assert concise and all("Mailgun" in line for line in concise.splitlines())
    assert "new" in _sarif_states(capsys, "--baseline", "base.json", "design.md")


def test_when_no_baseline_is_given_then_findings_have_no_baseline_state(
    capsys: pytest.CaptureFixture[str],
) -> None:
    put("design.md", FAILING)
    _, out, _ = run(capsys, "check", "--format", "json", "design.md")
    assert {f["baseline_state"] for f in json.loads(out)["findings"]} == {None}
    assert set(_sarif_states(capsys, "design.md")) == {None}


def test_when_the_configuration_names_a_baseline_then_it_is_read_from_the_file_s_folder(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    put("design.md", FAILING)
    put("ci/.workflow-prover.toml", 'baseline = "base.json"\n')
    run(capsys, "check", "--isolated", "--write-baseline", "ci/base.json", "design.md")
    assert run(capsys, "check", "--config", "ci/.workflow-prover.toml", "design.md")[0] == 0


@pytest.mark.parametrize(
    "content",
    [
        pytest.param("not json", id="not-json"),
        pytest.param('{"findings": [], "extra": 1}', id="unknown-key"),
        pytest.param('{"fingerprint": "other/v9", "findings": []}', id="other-fingerprints"),
    ],
)
def test_when_the_baseline_is_not_one_the_prover_wrote_then_it_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], content: str
) -> None:
    put("design.md", FAILING)
    put("base.json", content)
    code, out, err = run(capsys, "check", "--baseline", "base.json", "design.md")
    assert (code, out) == (2, "")
    assert "base.json: not a baseline written by --write-baseline" in err


def test_the_baseline_file_names_the_sarif_fingerprint_scheme() -> None:
    empty = BaselineFile()
    assert (empty.tool, empty.fingerprint) == (sarif.TOOL, sarif.FINGERPRINT)


# --- --fail-on and --ignore ---------------------------------------------------------------

FAIL_ON = [
    pytest.param(FAILING, [], 1, id="blockers-fail-by-default"),
    pytest.param(WARNINGS_ONLY, [], 0, id="warnings-pass-by-default"),
    pytest.param(WARNINGS_ONLY, ["--fail-on", "warning"], 1, id="fail-on-warning"),
    pytest.param(FAILING, ["--fail-on", "blocker"], 1, id="fail-on-blocker"),
    pytest.param(FAILING, ["--fail-on", "never"], 0, id="never-is-soft-fail"),
    pytest.param("Hello there!", ["--fail-on", "never"], 0, id="never-even-no-workflow"),
    pytest.param("Hello there!", [], 1, id="no-workflow-fails"),
]


@pytest.mark.parametrize(("design", "flags", "expected"), FAIL_ON)
def test_when_fail_on_is_given_then_it_decides_the_exit_code(
    capsys: pytest.CaptureFixture[str], design: str, flags: list[str], expected: int
) -> None:
    put("design.md", design)
    code, out, _ = run(capsys, "check", *flags, "design.md")
    assert code == expected and out  # the report is printed either way


IGNORE_FORMS = [
    pytest.param(["--ignore", "NO_TIMEOUT,DLQ_UNMONITORED"], id="comma-separated"),
    pytest.param(["--ignore", "NO_TIMEOUT", "--ignore", "DLQ_UNMONITORED"], id="repeated"),
    pytest.param(["--ignore", "no_timeout, dlq_unmonitored,"], id="spaces-case-trailing-comma"),
]


@pytest.mark.parametrize("flags", IGNORE_FORMS)
def test_when_codes_are_ignored_comma_separated_or_repeated_then_each_is_suppressed(
    capsys: pytest.CaptureFixture[str], flags: list[str]
) -> None:
    put("design.md", WARNINGS_ONLY)
    _, out, _ = run(capsys, "check", "--format", "json", *flags, "design.md")
    suppressed = {f["code"] for f in json.loads(out)["findings"] if f["suppressed"]}
    assert suppressed == {"NO_TIMEOUT", "DLQ_UNMONITORED"}


def test_when_a_comma_list_holds_an_unknown_code_then_it_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run(capsys, "check", "--ignore", "NO_TIMEOUT,NOPE", "x.md")
    assert code == 2 and "unknown finding code 'NOPE'" in err


def test_the_readme_configuration_example_is_valid_and_sets_every_key() -> None:
    import tomllib

    from workflow_prover.cli.config import FileConfig

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("```toml\n[tool.workflow-prover]")
    block = text[start + len("```toml\n") : text.index("```", start + 7)]
    table = tomllib.loads(block)["tool"]["workflow-prover"]
    FileConfig.model_validate(table)
    assert set(table) == {f.alias or name for name, f in FileConfig.model_fields.items()}

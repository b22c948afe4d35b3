"""`workflow-prover rules` and `explain CODE`, docs/rules, and the rule tables they come from."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from workflow_prover import __version__
from workflow_prover.analyzer import Analyzer
from workflow_prover.cli import main
from workflow_prover.cli.sarif import rules as sarif_rules
from workflow_prover.cli.sarif import to_sarif
from workflow_prover.codes import CODES, NOTES, UNSUPPRESSIBLE
from workflow_prover.models import ClaimGraph, Evidence, Finding
from workflow_prover.report.render import Renderer
from workflow_prover.rules.book import RuleTableError, parse_rows, rule_book
from workflow_prover.rules.docs import DOCS_DIR, doc_files
from workflow_prover.rules.links import REPOSITORY, help_uri
from workflow_prover.rules.model import RuleRow

ROOT = Path(__file__).resolve().parent.parent
ALL_CODES = [*CODES, *NOTES]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- rules -------------------------------------------------------------------------------------


def test_when_rules_is_run_then_every_code_is_a_row_with_its_check_severity_and_title(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "rules")
    lines = out.splitlines()
    assert code == 0
    assert lines[0].split() == ["CODE", "CHECK", "SEVERITY", "TITLE"]
    rows = {line.split()[0]: line for line in lines[1:]}
    assert list(rows) == ALL_CODES
    for name, meta in CODES.items():
        assert rows[name].split()[1:3] == [meta.check.value, meta.severity]
        assert rows[name].endswith(meta.title)


def test_when_rules_is_asked_for_json_then_each_code_links_to_its_page(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "rules", "--format", "json")
    rows = json.loads(out)
    assert code == 0
    assert [r["code"] for r in rows] == ALL_CODES
    assert {r["check"] for r in rows if r["code"] in NOTES} == {"document"}
    for row in rows:
        assert set(row) == {"code", "check", "severity", "title", "help_uri"}
        assert row["help_uri"].endswith(f"/docs/rules/{row['code']}.md")


# --- explain and docs/rules ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL_CODES)
def test_when_a_code_is_explained_then_the_text_is_its_page_in_docs_rules(
    capsys: pytest.CaptureFixture[str], name: str
) -> None:
    code, out, _ = run(capsys, "explain", name.lower())
    page = (ROOT / DOCS_DIR / f"{name}.md").read_text(encoding="utf-8")
    assert code == 0
    assert out == page, "docs/rules is stale: run `PYTHONPATH=src python scripts/rules_docs.py`"
    assert out.startswith(f"# {name}: ")
    assert "## How to suppress it" in out


def test_when_docs_rules_is_listed_then_it_holds_exactly_the_generated_files() -> None:
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in (ROOT / DOCS_DIR).glob("*.md")}
    assert on_disk == doc_files(rule_book()), "run `PYTHONPATH=src python scripts/rules_docs.py`"


@pytest.mark.parametrize(
    ("name", "says"),
    [
        pytest.param("NO_JITTER", "--ignore NO_JITTER", id="suppressible"),
        pytest.param("SECRET_IN_TEXT", "cannot be suppressed", id="a-secret-is-not"),
        pytest.param("IGNORE_INVALID", "A note cannot be suppressed", id="a-note-is-not"),
    ],
)
def test_when_a_code_is_explained_then_it_says_how_to_suppress_it(
    capsys: pytest.CaptureFixture[str], name: str, says: str
) -> None:
    _, out, _ = run(capsys, "explain", name)
    assert says in out.split("## How to suppress it")[1]


def test_when_an_unknown_code_is_explained_then_it_is_a_usage_error_naming_the_list(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, "explain", "NOT_A_CODE")
    assert (code, out) == (2, "")
    assert "unknown code 'NOT_A_CODE'" in err
    assert "workflow-prover rules" in err


@pytest.mark.parametrize("name", list(CODES))
def test_when_a_codes_examples_are_analysed_then_the_failing_one_raises_it_and_the_other_not(
    analyzer: Analyzer, name: str
) -> None:
    rule = CODES[name]
    raised = [f.code for f in analyzer.analyze(rule.fails).findings]
    passed = [f.code for f in analyzer.analyze(rule.passes).findings]
    assert name in raised
    assert name not in passed


# --- one home for each code's words ---------------------------------------------------------------


def _finding(name: str, severity: str) -> Finding:
    rule = CODES[name]
    evidence = Evidence(text="we retry on failure", start=0, end=19, rule="claim.test")
    return Finding(
        code=name,
        check=rule.check,
        severity=severity,  # type: ignore[arg-type]
        step=2,
        service="Stripe",
        message="",
        evidence=(evidence,),
    )


@pytest.mark.parametrize("name", list(CODES))
def test_when_a_finding_is_rendered_then_its_message_is_its_codes_own_not_a_fallback(
    name: str,
) -> None:
    message = Renderer().with_messages([_finding(name, CODES[name].severity)])[0].message
    assert message
    assert name not in message  # the fallback named the code: "NO_JITTER in step 2."


@pytest.mark.parametrize("name", list(CODES))
def test_when_any_code_is_a_blocker_then_its_question_is_its_own_not_a_fallback(
    name: str,
) -> None:
    questions = Renderer().questions([_finding(name, "blocker")], ClaimGraph())
    assert len(questions) == 1
    assert name not in questions[0]  # the fallback asked "How will NO_JITTER be addressed?"
    assert questions[0].endswith("?")


def test_when_strict_makes_warnings_blockers_then_each_gets_a_question_in_words(
    analyzer: Analyzer,
) -> None:
    report = analyzer.analyze(CODES["NO_JITTER"].fails, strict=True)
    assert "NO_JITTER" in [f.code for f in report.findings if f.severity == "blocker"]
    assert not [q for q in report.questions if "_" in q]
    assert any("jitter" in q for q in report.questions)


def test_when_a_rule_table_has_an_unknown_field_then_loading_names_the_file_and_line() -> None:
    row = CODES["NO_JITTER"].model_dump(exclude={"check"}) | {"sevrity": "warning"}
    text = "// comment\n" + json.dumps(row) + "\n"
    with pytest.raises(RuleTableError, match=r"rate_limiting.jsonl:2: .*sevrity"):
        list(parse_rows("rate_limiting.jsonl", text, RuleRow))


def test_when_codes_cannot_be_ignored_then_that_is_said_in_their_row() -> None:
    assert set(UNSUPPRESSIBLE) == {"SECRET_IN_TEXT"}


# --- SARIF links ---------------------------------------------------------------------------------


def test_when_sarif_rules_are_built_then_each_links_to_its_page_and_the_page_exists() -> None:
    for rule in sarif_rules():
        assert rule["helpUri"] == help_uri(rule["id"])
        assert (ROOT / DOCS_DIR / f"{rule['id']}.md").is_file()


def test_when_a_sarif_log_is_written_then_the_driver_names_the_repository_and_version() -> None:
    driver = to_sarif([])["runs"][0]["tool"]["driver"]
    assert (driver["informationUri"], driver["version"]) == (REPOSITORY, __version__)


def test_when_the_repository_is_named_then_pyproject_and_the_links_agree() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["urls"]["Repository"] == REPOSITORY

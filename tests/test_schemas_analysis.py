"""Structured inputs through the whole analyzer: merged with prose, located, labelled cases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import fixture_cases
from workflow_prover.analyzer import Analyzer
from workflow_prover.evaluate import Tally, cases
from workflow_prover.models import Report

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
ORDER = (FIXTURES / "schemas" / "asl" / "order_payment.json").read_text(encoding="utf-8")
FIXED = (FIXTURES / "schemas" / "asl" / "fulfilment_fixed_retry.yaml").read_text(encoding="utf-8")
TOKEN = "6f1d9e3b7a2c4e8f" + "0b5d1a9c3e7f2b6d"


def codes(report: Report, severity: str | None = None) -> set[str]:
    return {
        f.code
        for f in report.findings
        if not f.suppressed and (severity is None or f.severity == severity)
    }


def fenced(prose_before: str, document: str, prose_after: str = "", tag: str = "json") -> str:
    return f"{prose_before}\n\n```{tag}\n{document}\n```\n\n{prose_after}"


def test_when_a_schema_is_fenced_in_prose_then_prose_and_schema_count_together(
    analyzer: Analyzer,
) -> None:
    alone = analyzer.analyze(ORDER)
    assert "DLQ_UNMONITORED" in codes(alone)
    text = fenced(
        "Our checkout state machine:",
        ORDER,
        "A CloudWatch alarm fires when the DLQ is not empty, and the on-call redrives it.",
    )
    together = analyzer.analyze(text)
    assert together.verdict.value == "WORKFLOW_PROVEN"
    assert "DLQ_UNMONITORED" not in codes(together)
    assert [s.text for s in together.steps] == ["ChargeCard", "RecordOrder"]


def test_when_a_schema_is_recognised_then_the_prose_reader_does_not_read_its_text(
    analyzer: Analyzer,
) -> None:
    report = analyzer.analyze(fenced("Below is the definition.", ORDER))
    assert {s.services[0] for s in report.steps} == {"Stripe", "Amazon DynamoDB"}
    assert all(e.pointer for c in report.claims for e in c.evidence)


def test_when_prose_describes_a_schema_step_then_it_is_that_step(analyzer: Analyzer) -> None:
    text = fenced("The state machine charges the card with Stripe, then records the order.", ORDER)
    report = analyzer.analyze(text)
    assert [s.index for s in report.steps] == [1, 2]


@pytest.mark.parametrize("case_id", ["dev-025", "dev-039", "dev-056"])
def test_when_an_ad_hoc_sketch_has_a_step_list_then_keys_and_prose_count_together(
    analyzer: Analyzer, case_id: str
) -> None:
    row = next(r for r in fixture_cases("dev.jsonl") if r["id"] == case_id)
    report = analyzer.analyze(str(row["text"]))
    assert report.verdict.value == row["verdict"]
    assert report.steps
    assert any(e.pointer for c in report.claims for e in c.evidence)  # read by key name


def test_when_a_yaml_block_has_no_step_list_then_it_is_read_as_prose(analyzer: Analyzer) -> None:
    text = "```yaml\nsync: Stripe payments into the CRM\nretries: none yet\n```\n"
    report = analyzer.analyze(text)
    assert report.steps and all(e.pointer is None for c in report.claims for e in c.evidence)


def test_when_a_fenced_block_does_not_parse_then_a_note_says_where_and_prose_still_counts(
    analyzer: Analyzer,
) -> None:
    text = (FIXTURES / "schemas" / "broken_block.md").read_text(encoding="utf-8")
    report = analyzer.analyze(text)
    [note] = report.notes
    assert note.code == "SCHEMA_PARSE_ERROR"
    assert "line 13, column" in note.message and "read as prose" in note.message
    assert text[note.evidence[0].start :].startswith("}}")
    assert report.steps


def test_when_a_schema_finding_is_reported_then_its_evidence_carries_the_json_pointer(
    analyzer: Analyzer,
) -> None:
    report = analyzer.analyze(FIXED)
    [finding] = [f for f in report.findings if f.code == "NON_EXPONENTIAL_RETRY"]
    pointers = [e.pointer for e in finding.evidence]
    assert pointers == ["/States/ReserveStock", "/States/ReserveStock/Retry/0/BackoffRate"]
    for evidence in finding.evidence:
        assert FIXED[evidence.start : evidence.end] == evidence.text


def test_when_a_schema_holds_a_token_then_it_is_redacted_everywhere(analyzer: Analyzer) -> None:
    text = (FIXTURES / "schemas" / "n8n" / "lead_webhook_hardcoded_token.json").read_text()
    assert TOKEN in text
    report = analyzer.analyze(text)
    assert {"SECRET_IN_TEXT", "HARDCODED_CREDENTIAL"} <= codes(report, "blocker")
    assert TOKEN not in report.model_dump_json()


def test_when_a_revised_schema_is_sent_in_a_later_turn_then_it_replaces_the_earlier_one(
    analyzer: Analyzer,
) -> None:
    fixed = FIXED.replace("BackoffRate: 1.0", "BackoffRate: 2.0\n        JitterStrategy: FULL")
    first = analyzer.analyze_turns([FIXED])
    revised = analyzer.analyze_turns([FIXED, fixed])
    assert first.verdict.value == "NO_BACKOFF"
    assert revised.verdict.value == "WORKFLOW_PROVEN"
    assert len(revised.steps) == len(first.steps)
    assert {s.turn for s in revised.steps} == {2}


def test_when_a_later_prose_turn_fixes_a_schema_then_the_session_sees_the_fix(
    analyzer: Analyzer,
) -> None:
    [row] = [r for r in fixture_cases("schemas.jsonl") if r["id"] == "schema-c01"]
    turns = [str(t["text"]) for t in row["turns"]]  # type: ignore[attr-defined]
    assert analyzer.analyze_turns(turns[:1]).verdict.value == "MISSING_DLQ"
    assert analyzer.analyze_turns(turns).verdict.value == "WORKFLOW_PROVEN"


def test_the_schema_cases_hold_the_documents_of_their_fixture_files() -> None:
    for row in fixture_cases("schemas.jsonl"):
        for item in [row, *row.get("turns", [])]:  # type: ignore[misc]
            if isinstance(item, dict) and "source" in item:
                source = (FIXTURES / str(item["source"])).read_text(encoding="utf-8")
                assert item["text"] == source, f"{row['id']}: run scripts/sync_schema_cases.py"


def test_when_the_schema_cases_are_measured_then_accuracy_stays_at_least_90_percent(
    analyzer: Analyzer,
) -> None:
    tally = Tally()
    for case in cases(FIXTURES / "schemas.jsonl"):
        tally.add(case, analyzer.analyze_turns(list(case.turns)))
    assert tally.correct / tally.total >= 0.9, "\n".join(tally.wrong)
    assert tally.proven_wrongly == 0


def test_the_schema_cases_name_their_per_step_findings(analyzer: Analyzer) -> None:
    for case in cases(FIXTURES / "schemas.jsonl"):
        if not case.steps:
            continue
        report = analyzer.analyze_turns(list(case.turns))
        for code, expected in case.steps.items():
            got = sorted(f.step or 0 for f in report.findings if f.code == code)
            assert got == expected, f"{case.id} {code}: {json.dumps(got)}"

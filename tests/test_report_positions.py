"""Line and column on the evidence of findings, notes and claims, in the text of each one's
own turn (the analyzer places evidence as it builds the report: `report.positions.Placer`)."""

from __future__ import annotations

import pytest

from workflow_prover.analyzer import Analyzer
from workflow_prover.graph.merge import build_graph
from workflow_prover.models import Evidence, Report

STRIPE = "Stripe webhook -> we insert each payment into Postgres.\n"
BROKEN_JSON = '```json\n{"StartAt": "A",,}\n```\n'

CASES = [
    pytest.param([STRIPE], "findings", id="a finding of one text"),
    pytest.param(
        [STRIPE, "\n\nWe retry\nthe Postgres insert 3 times."], "claims", id="a turn-2 claim"
    ),
    pytest.param(["# Flow\n\n" + BROKEN_JSON + STRIPE], "notes", id="a note on a broken block"),
    pytest.param(
        ["Line one.\n  \u00e9t\u00e9 \U0001f600\n" + STRIPE], "findings", id="after non-ASCII"
    ),
]


def _evidence(report: Report, part: str) -> list[Evidence]:
    items = getattr(report, part)
    return [e for item in items for e in item.evidence]


def _position(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column (in code points) of an offset, counted afresh."""
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


@pytest.mark.parametrize(("turns", "part"), CASES)
def test_when_evidence_is_reported_then_its_line_and_column_point_into_its_own_turn(
    analyzer: Analyzer, turns: list[str], part: str
) -> None:
    report = analyzer.analyze_turns(turns)
    evidence = _evidence(report, part)
    assert evidence
    assert part != "claims" or any(e.turn == 2 for e in evidence)
    for e in evidence:
        text = turns[e.turn - 1]
        assert (e.line, e.column) == _position(text, e.start)
        assert (e.end_line, e.end_column) == _position(text, e.end)


def test_when_a_graph_is_reported_without_its_texts_then_evidence_has_no_position(
    analyzer: Analyzer,
) -> None:
    readings = analyzer.read_session([STRIPE]).readings
    graph = build_graph([r.draft for r in readings], [r.structured.docs for r in readings])
    evidence = _evidence(analyzer.report(graph), "findings")
    assert evidence and all(e.line is None and e.end_line is None for e in evidence)

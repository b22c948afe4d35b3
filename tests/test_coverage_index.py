"""`Coverage` compares a step or a service only with the claims its index says may cover it
(a long text's fast path): over every dev and gen2 text, and over the dev texts joined into
one long design, the covering claims are those found by comparing with every claim."""

from __future__ import annotations

import pytest

from conftest import fixture_texts
from workflow_prover.analyzer import Analyzer
from workflow_prover.graph import coverage
from workflow_prover.graph.coverage import Coverage
from workflow_prover.graph.kinds import kind_table
from workflow_prover.graph.merge import build_graph
from workflow_prover.models import ClaimGraph, ClaimKind, ClaimNode


def _graph(analyzer: Analyzer, text: str) -> ClaimGraph:
    session = analyzer.read_session([text])
    readings = session.readings
    return build_graph([r.draft for r in readings], [r.structured.docs for r in readings])


def _every_claim(cov: Coverage, kinds: tuple[ClaimKind, ...]) -> list[ClaimNode]:
    return cov._covering(kinds, None, None)


def _assert_index_agrees(graph: ClaimGraph) -> None:
    cov = Coverage(graph)
    asked = [tuple(kinds) for kinds in kind_table().groups.values()]
    asked += [(kind,) for kind in ClaimKind]
    for kinds in asked:
        claims = _every_claim(cov, kinds)
        for step in graph.steps:
            slow = [c for c in claims if cov.covers_step(c.scope, step)]
            assert cov._covering(kinds, step, None) == slow
        for service in graph.services:
            slow = [c for c in claims if cov.covers_service(c.scope, service)]
            assert cov._covering(kinds, None, service) == slow
        for kind in kinds:
            ordered = cov._by_kind.get(kind, [])
            kept = [
                c
                for i, c in enumerate(ordered)
                if c.modality == "asserted"
                and not any(
                    later.modality == "negated" and coverage._wider(later.scope, c.scope)
                    for later in ordered[i + 1 :]
                )
            ]
            assert cov.anywhere((kind,)) == sorted(kept, key=lambda c: c.position)


@pytest.mark.parametrize("name", ["dev.jsonl", "gen2.jsonl"])
def test_when_every_text_uses_the_index_then_it_covers_as_every_claim_compared(
    analyzer: Analyzer, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(coverage, "_FEW", 0)  # the index for any number of claims
    for text in fixture_texts(name):
        _assert_index_agrees(_graph(analyzer, text))


def test_when_a_long_design_is_covered_then_the_index_agrees(analyzer: Analyzer) -> None:
    graph = _graph(analyzer, "\n\n".join(fixture_texts("dev.jsonl"))[:40_000])
    assert len(graph.claims) > 100 and len(graph.steps) > 50
    _assert_index_agrees(graph)

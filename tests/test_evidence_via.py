"""Evidence says which heuristic decided: a claim's scope, a step's clause frame (`via`)."""

from __future__ import annotations

import pytest

from workflow_prover.analyzer import Analyzer
from workflow_prover.extract.claims.scope import GENERAL, ScopeDraft

_FLOW = "Pull invoices from Chargebee and create them in Xero"

CLAIM_SCOPES = [
    pytest.param(f"{_FLOW}. Steps 1 and 2 retry.", ("scope.step_refs",), id="step_numbers"),
    pytest.param(f"{_FLOW}. All API calls retry.", ("scope.quantified",), id="quantifier"),
    pytest.param(f"{_FLOW}. Xero calls retry.", ("scope.services",), id="named_service"),
    pytest.param(f"{_FLOW}. All APIs but Xero retry.", ("scope.exception",), id="exception"),
    pytest.param("Retry failed calls.", ("scope.general",), id="general_statement"),
    pytest.param(
        f"{_FLOW}; it retries with backoff.",
        ("scope.refers_back", "scope.services"),
        id="pronoun_inherits_the_previous_clause",
    ),
]


@pytest.mark.parametrize(("text", "via"), CLAIM_SCOPES)
def test_a_claim_says_how_its_scope_was_decided(
    analyzer: Analyzer, text: str, via: tuple[str, ...]
) -> None:
    claims = [c for c in analyzer.analyze(text).claims if c.kind == "retry"]
    assert claims, "no retry claim read"
    assert claims[0].evidence[0].via == via


STEP_FRAMES = [
    pytest.param(
        "Every night pull invoices from Chargebee and create them in Xero.",
        "verb.pull",
        "frame.adverbial.schedule",
        id="schedule_adverbial",
    ),
    pytest.param(
        f"{_FLOW}. The lead sync posts to Slack.",
        "verb.post",
        "frame.verb.noun_compound",
        id="verb_shaped_noun_after_a_noun",
    ),
]


@pytest.mark.parametrize(("text", "rule", "via"), STEP_FRAMES)
def test_a_step_says_how_its_clause_was_read(
    analyzer: Analyzer, text: str, rule: str, via: str
) -> None:
    evidence = [e for f in analyzer.analyze(text).findings for e in f.evidence if e.rule == rule]
    assert evidence, f"no finding quotes the {rule} step"
    assert all(via in e.via for e in evidence)


def test_a_plain_step_has_no_frame_decision_to_show(analyzer: Analyzer) -> None:
    evidence = [e for f in analyzer.analyze(_FLOW).findings for e in f.evidence]
    assert evidence
    assert all(e.via == () for e in evidence)


def test_how_a_scope_was_decided_changes_no_decision() -> None:
    """The readers compare scopes ('claim.scope == GENERAL'): the id must not take part."""
    inherited = ScopeDraft(via=("scope.refers_back", "scope.general"))
    assert inherited == GENERAL
    assert hash(inherited) == hash(GENERAL)

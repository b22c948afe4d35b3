"""Keys of pasted JSON and YAML are read by their value, and a combined negation cue is quoted
from the input (hardening issue 12, fault 8)."""

from __future__ import annotations

import pytest

from workflow_prover.analyzer import Analyzer

DESIGN = "Stripe webhooks trigger the flow; we insert each payment into the CRM via its API.\n"

# (behaviour, text after DESIGN, kind, modality of every claim of that kind or None for none)
KEY_ROWS = [
    (
        "a pasted report's failure_handling key claims no error handling",
        '```json\n{"verdict": "NON_IDEMPOTENT", "checks": {"failure_handling": {"findings": []}}}'
        "\n```",
        "error_handling",
        None,
    ),
    (
        "a failure_handling key heading a YAML block claims nothing itself",
        "failure_handling:\n  dlq: payments-errors",
        "error_handling",
        None,
    ),
    (
        "the block under a failure_handling key still states its mechanism",
        "failure_handling:\n  dlq: payments-errors",
        "terminal_path",
        "asserted",
    ),
    (
        "a key set to none negates its mechanism",
        "failure_handling: none",
        "error_handling",
        "negated",
    ),
    (
        "a quoted key set to false negates its mechanism",
        '{"dlq": false}',
        "terminal_path",
        "negated",
    ),
    ("a quoted off value negates its mechanism", '{"retries": "off"}', "retry", "negated"),
    ("a key with a value keeps its claim", '{"retries": 3}', "retry", "asserted"),
    (
        "a key naming a handler keeps its claim",
        "on_failure: notify_slack",
        "error_handling",
        "asserted",
    ),
    (
        "a prose label is read as prose",
        "Failure handling: we send errors to a DLQ.",
        "error_handling",
        "asserted",
    ),
    (
        "an off word that only starts the value is no off value",
        '{"dlq": "off-site-errors"}',
        "terminal_path",
        "asserted",
    ),
]


@pytest.mark.parametrize(
    ("behaviour", "tail", "kind", "modality"), KEY_ROWS, ids=[r[0] for r in KEY_ROWS]
)
def test_a_key_in_pasted_json_or_yaml_is_read_by_its_value(
    analyzer: Analyzer, behaviour: str, tail: str, kind: str, modality: str | None
) -> None:
    claims = [c for c in analyzer.analyze(DESIGN + tail).claims if c.kind == kind]
    if modality is None:
        assert claims == [], f"{behaviour}: {[(c.modality, c.evidence[0].text) for c in claims]}"
        return
    assert claims, f"{behaviour}: no {kind} claim"
    assert {c.modality for c in claims} == {modality}, behaviour


CUE_ROWS = [
    ("a doubled negation", "Stripe -> CRM. There is no no DLQ.", "neg.no+neg.no", "no no"),
    (
        "negations before and after the mechanism",
        "Stripe webhooks -> insert into CRM. Without retries or without a DLQ, nothing.",
        "neg.without+neg.without+neg_back.nothing",
        "Without retries or without a DLQ, nothing",
    ),
]


@pytest.mark.parametrize(
    ("behaviour", "text", "rule", "quoted"), CUE_ROWS, ids=[r[0] for r in CUE_ROWS]
)
def test_a_combined_negation_cue_quotes_the_input_from_its_first_cue_to_its_last(
    analyzer: Analyzer, behaviour: str, text: str, rule: str, quoted: str
) -> None:
    cues = [
        e.cue
        for c in analyzer.analyze(text).claims
        for e in c.evidence
        if e.cue is not None and e.cue.rule == rule
    ]
    assert cues, f"{behaviour}: no cue {rule}"
    for cue in cues:
        assert cue.text == text[cue.start : cue.end] == quoted, behaviour

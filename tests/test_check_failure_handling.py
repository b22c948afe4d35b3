"""failure_handling on hand-built graphs: passing and failing designs (rubric 2.1)."""

from __future__ import annotations

import pytest

from graphs import claim, graph, step
from workflow_prover.checks import failure_handling
from workflow_prover.graph.coverage import Coverage
from workflow_prover.models import ClaimGraph
from workflow_prover.models import ClaimKind as K


def blockers(g: ClaimGraph) -> list[tuple[str, int | None]]:
    found = failure_handling.evaluate(g, Coverage(g))
    return [(f.code, f.step) for f in found if f.severity == "blocker"]


def warnings(g: ClaimGraph) -> set[str]:
    return {f.code for f in failure_handling.evaluate(g, Coverage(g)) if f.severity == "warning"}


TWO = [step(1, "Stripe", "read"), step(2, "SendGrid")]

CASES = [
    ("silence", [], [("NO_FAILURE_HANDLING", None)]),
    ("an admission", [claim(K.ERROR_HANDLING, "negated")], [("NO_FAILURE_HANDLING", None)]),
    ("a planned DLQ", [claim(K.TERMINAL_PATH, "planned")], [("NO_FAILURE_HANDLING", None)]),
    ("a DLQ asked about", [claim(K.TERMINAL_PATH, "question")], [("NO_FAILURE_HANDLING", None)]),
    ("only throttling", [claim(K.THROTTLE_RATE)], [("NO_FAILURE_HANDLING", None)]),
    ("a crash", [claim(K.NO_HANDLING)], [("NO_FAILURE_HANDLING", None)]),
    (
        "retries only",
        [claim(K.RETRY)],
        [("STEP_WITHOUT_FAILURE_PATH", 1), ("STEP_WITHOUT_FAILURE_PATH", 2)],
    ),
    (
        "try/catch only",
        [claim(K.TRY_CATCH)],
        [("STEP_WITHOUT_FAILURE_PATH", 1), ("STEP_WITHOUT_FAILURE_PATH", 2)],
    ),
    ("a DLQ for every step", [claim(K.TERMINAL_PATH)], []),
    ("a saga compensation", [claim(K.COMPENSATION)], []),
    (
        "a DLQ for step 1 only",
        [claim(K.TERMINAL_PATH, steps=[1])],
        [("STEP_WITHOUT_FAILURE_PATH", 2)],
    ),
    (
        "a DLQ for SendGrid only",
        [claim(K.TERMINAL_PATH, services=["SendGrid"])],
        [("STEP_WITHOUT_FAILURE_PATH", 1)],
    ),
    ("log and skip", [claim(K.SWALLOW)], [("ERRORS_SWALLOWED", 1), ("ERRORS_SWALLOWED", 2)]),
    (
        "a DLQ, swallowed for SendGrid",
        [claim(K.TERMINAL_PATH), claim(K.SWALLOW, services=["SendGrid"])],
        [("ERRORS_SWALLOWED", 2)],
    ),
    (
        "a DLQ later removed",
        [claim(K.TERMINAL_PATH), claim(K.RETRY), claim(K.TERMINAL_PATH, "negated", turn=2)],
        [("STEP_WITHOUT_FAILURE_PATH", 1), ("STEP_WITHOUT_FAILURE_PATH", 2)],
    ),
    (
        "a DLQ, but 'the SendGrid step has nothing'",
        [claim(K.TERMINAL_PATH), claim(K.NO_HANDLING, services=["SendGrid"])],
        [("STEP_WITHOUT_FAILURE_PATH", 2)],
    ),
    (
        "a removed DLQ brought back",
        [claim(K.TERMINAL_PATH, "negated"), claim(K.TERMINAL_PATH, turn=2)],
        [],
    ),
]


@pytest.mark.parametrize(("name", "claims", "expected"), CASES, ids=[c[0] for c in CASES])
def test_when_design_has_claims_then_failure_handling_finds(
    name: str, claims: list, expected: list
) -> None:
    assert blockers(graph(TWO, claims)) == expected


def test_when_dlq_is_negated_then_step_fails() -> None:
    g = graph(TWO, [claim(K.RETRY), claim(K.TERMINAL_PATH, "negated")])
    assert ("STEP_WITHOUT_FAILURE_PATH", 2) in blockers(g)


def test_when_dlq_has_no_alert_or_replay_then_it_is_a_warning_only() -> None:
    g = graph(TWO, [claim(K.TERMINAL_PATH)])
    assert "DLQ_UNMONITORED" in warnings(g)
    assert "DLQ_UNMONITORED" not in warnings(
        graph(TWO, [claim(K.TERMINAL_PATH), claim(K.ALERTING)])
    )


def test_when_two_systems_are_written_without_rollback_then_no_compensation_warns() -> None:
    steps = [step(1, "HubSpot"), step(2, "SendGrid")]
    assert "NO_COMPENSATION" in warnings(graph(steps, [claim(K.TERMINAL_PATH)]))
    assert "NO_COMPENSATION" not in warnings(graph(steps, [claim(K.COMPENSATION)]))


def test_when_calls_have_no_timeout_then_each_outbound_step_warns() -> None:
    found = failure_handling.evaluate(
        graph(TWO, [claim(K.TERMINAL_PATH)]), Coverage(graph(TWO, [claim(K.TERMINAL_PATH)]))
    )
    assert sorted(f.step for f in found if f.code == "NO_TIMEOUT") == [1, 2]

"""idempotency on hand-built graphs: a retried write happens once (rubric 2.2)."""

from __future__ import annotations

import pytest

from graphs import claim, graph, step
from workflow_prover.checks import idempotency
from workflow_prover.graph.coverage import Coverage
from workflow_prover.models import ClaimGraph
from workflow_prover.models import ClaimKind as K


def found(g: ClaimGraph) -> list[tuple[str, int | None, str]]:
    return [(f.code, f.step, f.severity) for f in idempotency.evaluate(g, Coverage(g))]


STEPS = [step(1, "Stripe", "read"), step(2, "HubSpot"), step(3, "SendGrid")]

CASES = [
    (
        "silence",
        [],
        [("WRITE_WITHOUT_IDEMPOTENCY", 2, "blocker"), ("WRITE_WITHOUT_IDEMPOTENCY", 3, "blocker")],
    ),
    ("a general key", [claim(K.IDEMPOTENCY)], []),
    (
        "a key for HubSpot only",
        [claim(K.IDEMPOTENCY, services=["HubSpot"])],
        [("WRITE_WITHOUT_IDEMPOTENCY", 3, "blocker")],
    ),
    (
        "a negated key",
        [claim(K.IDEMPOTENCY, "negated")],
        [("WRITE_WITHOUT_IDEMPOTENCY", 2, "blocker"), ("WRITE_WITHOUT_IDEMPOTENCY", 3, "blocker")],
    ),
    (
        "a planned dedupe",
        [claim(K.IDEMPOTENCY, "planned")],
        [("WRITE_WITHOUT_IDEMPOTENCY", 2, "blocker"), ("WRITE_WITHOUT_IDEMPOTENCY", 3, "blocker")],
    ),
    (
        "an unstable key in step 3",
        [claim(K.IDEMPOTENCY), claim(K.UNSTABLE_KEY, steps=[3])],
        [("UNSTABLE_IDEMPOTENCY_KEY", 3, "blocker")],
    ),
    (
        "a key and its uuid4 in one clause",
        [
            claim(K.IDEMPOTENCY, steps=[2, 3], clause=7),
            claim(K.UNSTABLE_KEY, steps=[2, 3], clause=7),
        ],
        [("UNSTABLE_IDEMPOTENCY_KEY", 2, "blocker"), ("UNSTABLE_IDEMPOTENCY_KEY", 3, "blocker")],
    ),
    (
        "an unstable key fixed in a later turn",
        [claim(K.UNSTABLE_KEY), claim(K.IDEMPOTENCY, turn=2)],
        [],
    ),
    (
        "a store without retention",
        [claim(K.IDEMPOTENCY_STORE)],
        [("KEY_WITHOUT_RETENTION", None, "warning")],
    ),
    ("a store with a TTL", [claim(K.IDEMPOTENCY_STORE), claim(K.KEY_RETENTION)], []),
]


@pytest.mark.parametrize(("name", "claims", "expected"), CASES, ids=[c[0] for c in CASES])
def test_when_writes_have_claims_then_idempotency_finds(
    name: str, claims: list, expected: list
) -> None:
    assert found(graph(STEPS, claims)) == expected


def test_when_step_is_an_inbound_webhook_then_it_needs_no_key() -> None:
    assert found(graph([step(1, "Stripe", "read", inbound=True)])) == []

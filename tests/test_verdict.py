"""The verdict order of rubric section 3, on hand-built graphs."""

from __future__ import annotations

import pytest

from graphs import claim, graph, step
from workflow_prover.models import ClaimKind as K
from workflow_prover.models import Verdict
from workflow_prover.verdict import decide

SAFE = [
    claim(K.TERMINAL_PATH),
    claim(K.ALERTING),
    claim(K.IDEMPOTENCY),
    claim(K.KEY_RETENTION),
    claim(K.BACKOFF_EXPONENTIAL),
    claim(K.JITTER),
    claim(K.MAX_ATTEMPTS),
    claim(K.VAULT),
    claim(K.ROTATION),
    claim(K.TIMEOUT),
    claim(K.COMPENSATION),
]
WRITE = [step(1, "Stripe", "read", inbound=True), step(2, "HubSpot")]


def without(*kinds: K) -> list:
    return [c for c in SAFE if c.kind not in kinds]


@pytest.mark.parametrize(
    ("steps", "claims", "secrets", "verdict"),
    [
        ([], [], [], Verdict.UNDERSPECIFIED),
        ([], [], ["jwt"], Verdict.INSECURE_CREDENTIALS),
        ([step(1, "Stripe", "read")], [], [], Verdict.NOT_APPLICABLE),
        ([step(1, "Stripe", "read")], [], ["jwt"], Verdict.INSECURE_CREDENTIALS),
        (WRITE, [], [], Verdict.HAPPY_PATH_BIAS),
        (WRITE, [], ["jwt"], Verdict.INSECURE_CREDENTIALS),
        (WRITE, without(K.IDEMPOTENCY), [], Verdict.NON_IDEMPOTENT),
        (
            WRITE,
            [*without(K.TERMINAL_PATH, K.COMPENSATION), claim(K.RETRY)],
            [],
            Verdict.MISSING_DLQ,
        ),
        (WRITE, without(K.BACKOFF_EXPONENTIAL), [], Verdict.NO_BACKOFF),
        (WRITE, without(K.VAULT), [], Verdict.INSECURE_CREDENTIALS),
        (WRITE, SAFE, [], Verdict.WORKFLOW_PROVEN),
    ],
    ids=[
        "empty",
        "secret only",
        "read only",
        "read only with secret",
        "silence",
        "secret beats everything",
        "no key",
        "no dlq",
        "no backoff",
        "no vault",
        "proven",
    ],
)
def test_when_findings_are_known_then_verdict_follows_rubric_order(
    steps, claims, secrets, verdict
) -> None:
    assert decide(graph(steps, claims, secrets)).verdict is verdict


def test_when_not_applicable_then_every_check_shows_not_applicable() -> None:
    decision = decide(graph([step(1, "Stripe", "read")]))
    assert set(decision.checks.values()) == {"not_applicable"} and decision.findings == []


def test_when_strict_then_warnings_become_blockers() -> None:
    relaxed = decide(graph(WRITE, without(K.JITTER)))
    strict = decide(graph(WRITE, without(K.JITTER)), strict=True)
    assert relaxed.verdict is Verdict.WORKFLOW_PROVEN
    assert strict.verdict is Verdict.NO_BACKOFF
    assert all(f.severity == "blocker" for f in strict.findings)

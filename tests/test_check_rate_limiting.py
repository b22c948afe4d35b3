"""rate_limiting on hand-built graphs: back off instead of hammering (rubric 2.3)."""

from __future__ import annotations

import pytest

from graphs import claim, graph, step
from workflow_prover.checks import rate_limiting
from workflow_prover.graph.coverage import Coverage
from workflow_prover.models import ClaimGraph
from workflow_prover.models import ClaimKind as K


def blockers(g: ClaimGraph) -> list[tuple[str, int | None]]:
    return [
        (f.code, f.step) for f in rate_limiting.evaluate(g, Coverage(g)) if f.severity == "blocker"
    ]


def warnings(g: ClaimGraph) -> set[str]:
    return {f.code for f in rate_limiting.evaluate(g, Coverage(g)) if f.severity == "warning"}


STEPS = [step(1, "Stripe", "read"), step(2, "Postgres"), step(3, "SendGrid")]

CASES = [
    ("silence", [], [("NO_RATE_LIMIT_HANDLING", 1), ("NO_RATE_LIMIT_HANDLING", 3)]),
    ("exponential backoff", [claim(K.BACKOFF_EXPONENTIAL)], []),
    ("a token bucket", [claim(K.THROTTLE_RATE)], []),
    ("a concurrency cap", [claim(K.THROTTLE_CONCURRENCY)], []),
    ("Retry-After honoured", [claim(K.RETRY_AFTER)], []),
    (
        "backoff for Stripe only",
        [claim(K.BACKOFF_EXPONENTIAL, services=["Stripe"])],
        [("NO_RATE_LIMIT_HANDLING", 3)],
    ),
    (
        "negated backoff",
        [claim(K.BACKOFF_EXPONENTIAL, "negated")],
        [("NO_RATE_LIMIT_HANDLING", 1), ("NO_RATE_LIMIT_HANDLING", 3)],
    ),
    (
        "immediate retries",
        [claim(K.RETRY_IMMEDIATE)],
        [("NON_EXPONENTIAL_RETRY", 1), ("NON_EXPONENTIAL_RETRY", 3)],
    ),
    (
        "fixed retries under a concurrency cap",
        [claim(K.RETRY_FIXED), claim(K.THROTTLE_CONCURRENCY)],
        [("NON_EXPONENTIAL_RETRY", 1), ("NON_EXPONENTIAL_RETRY", 3)],
    ),
    ("fixed retries under a rate limit", [claim(K.RETRY_FIXED), claim(K.THROTTLE_RATE)], []),
    (
        "immediate retries replaced by backoff later",
        [claim(K.RETRY_IMMEDIATE), claim(K.BACKOFF_EXPONENTIAL, turn=2)],
        [],
    ),
    (
        "until it works",
        [claim(K.UNBOUNDED)],
        [("NON_EXPONENTIAL_RETRY", 1), ("NON_EXPONENTIAL_RETRY", 3)],
    ),
]


@pytest.mark.parametrize(("name", "claims", "expected"), CASES, ids=[c[0] for c in CASES])
def test_when_api_calls_have_claims_then_rate_limiting_finds(
    name: str, claims: list, expected: list
) -> None:
    assert blockers(graph(STEPS, claims)) == expected


def test_when_a_rate_limit_paces_fixed_retries_then_it_is_a_warning() -> None:
    assert "NON_EXPONENTIAL_RETRY" in warnings(
        graph(STEPS, [claim(K.RETRY_FIXED), claim(K.THROTTLE_RATE)])
    )


@pytest.mark.parametrize(
    ("extra", "warned"),
    [
        ([], {"NO_JITTER", "UNBOUNDED_RETRIES"}),
        ([claim(K.JITTER), claim(K.MAX_ATTEMPTS)], set()),
        (
            [claim(K.JITTER), claim(K.MAX_ATTEMPTS), claim(K.RATE_LIMIT_ERRORS)],
            {"RETRY_AFTER_IGNORED"},
        ),
    ],
)
def test_when_backoff_lacks_details_then_warnings_say_which(extra: list, warned: set) -> None:
    assert warnings(graph(STEPS, [claim(K.BACKOFF_EXPONENTIAL), *extra])) == warned


def test_when_only_databases_and_webhooks_are_used_then_nothing_is_required() -> None:
    steps = [step(1, "Stripe", "read", inbound=True), step(2, "Postgres")]
    assert blockers(graph(steps)) == []

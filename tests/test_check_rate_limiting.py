"""rate_limiting on hand-built graphs: back off instead of hammering (rubric 2.3)."""

from __future__ import annotations

import pytest

from graphs import SERVICES, claim, graph, step
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


TWO_APIS = [
    (
        "backoff said for one of the step's two APIs",
        [claim(K.BACKOFF_EXPONENTIAL, services=["HubSpot"])],
        [("NO_RATE_LIMIT_HANDLING", 1, "SendGrid")],
    ),
    (
        "each of the step's two APIs paced by its own statement",
        [
            claim(K.BACKOFF_EXPONENTIAL, services=["HubSpot"]),
            claim(K.THROTTLE_RATE, services=["SendGrid"]),
        ],
        [],
    ),
    ("a general backoff covers both", [claim(K.BACKOFF_EXPONENTIAL)], []),
]


@pytest.mark.parametrize(("name", "claims", "expected"), TWO_APIS, ids=[c[0] for c in TWO_APIS])
def test_a_step_on_two_apis_is_paced_only_when_each_is(
    name: str, claims: list, expected: list
) -> None:
    two = step(1, "HubSpot").model_copy(update={"services": ("HubSpot", "SendGrid")})
    g = graph([two], claims)
    g = g.model_copy(update={"services": tuple(SERVICES[n] for n in ("HubSpot", "SendGrid"))})
    found = rate_limiting.evaluate(g, Coverage(g))
    assert [(f.code, f.step, f.service) for f in found if f.severity == "blocker"] == expected

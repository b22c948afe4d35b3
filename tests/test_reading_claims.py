"""The reading of claims, one behaviour per row: a mechanism's kind, modality and scope.

Rows are named for the mechanism they pin (a shorthand cue, a store in brackets, a bare
number word that is no throttle, ...).
"""

from __future__ import annotations

import pytest

from workflow_prover.analyzer import Analyzer

ALL = None  # the claim covers every step

# (behaviour, text, claim kind, modality or None for "no such claim", services or ALL)
ROWS = [
    (
        "the shorthand 'idem key' is an idempotency key",
        "We POST the order to billing-api with an idem-key of the order id.",
        "idempotency",
        "asserted",
        ["billing-api"],
    ),
    (
        "a receiver that rejects a repeated id makes the write idempotent",
        "we create a transfer in wise w/ customerTransactionId = payout id (wise rejects a "
        "repeated id).",
        "idempotency",
        "asserted",
        ["Wise"],
    ),
    (
        "'one retry policy' is no concurrency cap",
        "we post to hubspot; every activity shares one retry policy with backoff.",
        "throttle_concurrency",
        None,
        ALL,
    ),
    (
        "'one at a time' is a concurrency cap",
        "we post to hubspot one at a time.",
        "throttle_concurrency",
        "asserted",
        ["HubSpot"],
    ),
    (
        "a database in brackets after a dedupe cue is the dedupe store",
        "on stripe invoice.paid webhook we create the payment in netsuite. dedupe on the "
        "stripe event id (pg processed_events, unique constraint).",
        "idempotency",
        "asserted",
        ALL,
    ),
    (
        "an identifier spelt like a verb leaves the clause's claim general",
        "We buy a label via EasyPost. Before buying, the worker checks `processed_orders` "
        "(unique on `order_id`).",
        "idempotency",
        "asserted",
        ALL,
    ),
    (
        "no clause ends inside inline code",
        "we charge the deposit via Paylo with `Idempotency-Key: booking_id` and create the "
        "event in Calendo.",
        "idempotency",
        "asserted",
        ["Paylo"],
    ),
    (
        "an alert after a failure path in the same paragraph is alerting",
        "we post the order to netsuite. failures land in failed_orders. ops get a slack alert.",
        "alerting",
        "asserted",
        ALL,
    ),
]


@pytest.mark.parametrize(
    ("behaviour", "text", "kind", "modality", "services"), ROWS, ids=[r[0] for r in ROWS]
)
def test_claims_are_read_by_mechanism(
    analyzer: Analyzer,
    behaviour: str,
    text: str,
    kind: str,
    modality: str | None,
    services: list[str] | None,
) -> None:
    claims = [c for c in analyzer.analyze(text).claims if c.kind == kind]
    if modality is None:
        assert claims == [], f"{behaviour}: {kind} read in {text!r}"
        return
    assert claims, f"{behaviour}: no {kind} claim"
    assert {c.modality for c in claims} == {modality}, behaviour
    if services is ALL:
        assert all(c.scope.target == "all" for c in claims), claims
    else:
        assert sorted({s for c in claims for s in c.scope.services}) == sorted(services)

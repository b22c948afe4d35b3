"""An API said to have or lack a mechanism is the service acted on, not the mechanism's host.

Found by the pathological run (hardening issue 12): "Stripe -> CRM with no DLQ" read as a
workflow that only reads Stripe (NOT_APPLICABLE), because a DLQ cue within three tokens of a
service made that service the DLQ's host.
"""

from __future__ import annotations

import pytest

from workflow_prover.analyzer import Analyzer

ROWS = [
    # (text, the service that must be written)
    ("Stripe -> HubSpot with no DLQ.", "HubSpot"),
    ("Stripe -> HubSpot with a DLQ.", "HubSpot"),
    ("Stripe -> HubSpot without a DLQ.", "HubSpot"),
    ("Stripe -> CRM with no DLQ, no retries, no backoff.", "CRM"),
    ("Stripe -> HubSpot (no DLQ).", "HubSpot"),  # a bracket right after the API is about it
    ("Stripe -> HubSpot (retries, then a DLQ).", "HubSpot"),
]


@pytest.mark.parametrize(("text", "written"), ROWS, ids=[r[0] for r in ROWS])
def test_an_api_with_or_without_a_mechanism_is_still_written(
    analyzer: Analyzer, text: str, written: str
) -> None:
    report = analyzer.analyze(text)
    writes = [s for s in report.steps if s.action == "write" and written in s.services]
    assert writes, [(s.action, s.services) for s in report.steps]
    assert report.verdict != "NOT_APPLICABLE"

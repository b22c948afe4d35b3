"""credentials on hand-built graphs: a vault and rotation for every service (rubric 2.4)."""

from __future__ import annotations

import pytest

from graphs import claim, graph, step
from workflow_prover.analyzer import Analyzer
from workflow_prover.checks import credentials
from workflow_prover.graph.coverage import Coverage
from workflow_prover.models import ClaimGraph
from workflow_prover.models import ClaimKind as K


def found(g: ClaimGraph) -> list[tuple[str, str | None, str]]:
    return [(f.code, f.service, f.severity) for f in credentials.evaluate(g, Coverage(g))]


STEPS = [step(1, "Stripe", "read", inbound=True), step(2, "HubSpot"), step(3, "S3")]
ROTATED = claim(K.ROTATION)

CASES = [
    (
        "silence",
        [],
        [("NO_VAULT_REFERENCE", "HubSpot", "blocker"), ("NO_VAULT_REFERENCE", "S3", "blocker")],
    ),
    ("a vault for all", [claim(K.VAULT), ROTATED], []),
    (
        "a vault without rotation",
        [claim(K.VAULT)],
        [("NO_ROTATION", "HubSpot", "warning"), ("NO_ROTATION", "S3", "warning")],
    ),
    ("workload identity", [claim(K.WORKLOAD_IDENTITY)], []),
    (
        "a vault for HubSpot only",
        [claim(K.VAULT, services=["HubSpot"]), ROTATED],
        [("NO_VAULT_REFERENCE", "S3", "blocker")],
    ),
    (
        "an env var",
        [claim(K.ENV_VAR), ROTATED],
        [("NO_VAULT_REFERENCE", "HubSpot", "blocker"), ("NO_VAULT_REFERENCE", "S3", "blocker")],
    ),
    (
        "hard-coded for S3",
        [claim(K.VAULT), ROTATED, claim(K.HARDCODED, services=["S3"])],
        [("HARDCODED_CREDENTIAL", "S3", "blocker")],
    ),
    (
        "a planned vault",
        [claim(K.VAULT, "planned")],
        [("NO_VAULT_REFERENCE", "HubSpot", "blocker"), ("NO_VAULT_REFERENCE", "S3", "blocker")],
    ),
    ("an env var moved to a vault later", [claim(K.ENV_VAR), claim(K.VAULT, turn=2), ROTATED], []),
    (
        "a specific env var beats a general vault",
        [claim(K.VAULT), ROTATED, claim(K.ENV_VAR, services=["HubSpot"])],
        [("NO_VAULT_REFERENCE", "HubSpot", "blocker")],
    ),
]


@pytest.mark.parametrize(("name", "claims", "expected"), CASES, ids=[c[0] for c in CASES])
def test_when_services_have_claims_then_credentials_finds(
    name: str, claims: list, expected: list
) -> None:
    assert found(graph(STEPS, claims)) == expected


def test_when_the_text_holds_a_secret_then_secret_in_text_is_a_blocker() -> None:
    g = graph(STEPS, [claim(K.VAULT), ROTATED], secrets=["github_token"])
    assert found(g) == [("SECRET_IN_TEXT", None, "blocker")]


def test_when_a_service_only_sends_webhooks_then_it_needs_no_credential() -> None:
    assert found(graph([step(1, "Stripe", "read", inbound=True)])) == []


UNREAD_SERVICE = [
    (
        "an env var named for a service no step names",
        "We upsert orders into Snowflake keyed on order id with exponential backoff; failures "
        "go to a DLQ. Snowflake creds are in Vault and rotated. The shipbob token is an env var "
        "on the worker.",
        [("NO_VAULT_REFERENCE", "ShipBob")],
    ),
    (
        "a vault named for a service no step names adds nothing to check",
        "We upsert orders into Snowflake keyed on order id with exponential backoff; failures "
        "go to a DLQ. Snowflake creds and the ShipBob token are in Vault and rotated.",
        [],
    ),
]


@pytest.mark.parametrize(
    ("name", "text", "expected"), UNREAD_SERVICE, ids=[c[0] for c in UNREAD_SERVICE]
)
def test_a_credential_said_to_be_kept_unsafely_is_checked_without_its_step(
    analyzer: Analyzer, name: str, text: str, expected: list
) -> None:
    report = analyzer.analyze(text)
    got = [(f.code, f.service) for f in report.findings if f.check.value == "credentials"]
    assert [g for g in got if g[0] != "NO_ROTATION"] == expected

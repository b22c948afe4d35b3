"""credentials: secrets come from a vault and rotate (2.4)."""

from __future__ import annotations

from workflow_prover.checks.base import Check, claim_evidence, finding, outbound
from workflow_prover.graph.coverage import Coverage
from workflow_prover.graph.kinds import unsafe_credential
from workflow_prover.models import CheckId, ClaimGraph, ClaimKind, Finding, ServiceNode

K = ClaimKind
_SECURE = (K.VAULT, K.WORKLOAD_IDENTITY)


def connected(graph: ClaimGraph) -> list[ServiceNode]:
    """Services the workflow calls or connects to (not the mere sender of a webhook)."""
    names = dict.fromkeys(n for s in outbound(graph) for n in s.services)
    names.update(
        dict.fromkeys(
            n for s in graph.steps if s.inbound for n in s.services if _is_queue(graph, n)
        )
    )
    # 'the shipbob token is an env var on the worker': a credential the workflow holds
    names.update(
        dict.fromkeys(n for c in graph.claims if unsafe_credential(c) for n in c.scope.services)
    )
    by_name = {s.name: s for s in graph.services}
    return [by_name[n] for n in names if n in by_name]


def _is_queue(graph: ClaimGraph, name: str) -> bool:
    return any(s.name == name and s.role == "datastore" for s in graph.services)


def secret_findings(graph: ClaimGraph) -> list[Finding]:
    return [finding("SECRET_IN_TEXT", evidence=[s.evidence]) for s in graph.secrets]


def evaluate(graph: ClaimGraph, cov: Coverage) -> list[Finding]:
    findings = secret_findings(graph)
    for service in connected(graph):
        state = cov.state("credential_source", service=service)
        steps = [s for s in graph.steps if service.name in s.services]
        evidence = [steps[0].evidence] if steps else []
        if state is not None and state.kind is K.NO_CREDENTIAL:
            continue  # a public, unauthenticated call: there is no secret to keep
        if state is not None and state.kind in _SECURE:
            rotated = state.kind is K.WORKLOAD_IDENTITY or cov.holds(K.ROTATION, service=service)
            if not rotated:
                findings.append(
                    finding("NO_ROTATION", service=service.name, evidence=claim_evidence(state))
                )
        elif state is not None and state.kind is K.HARDCODED:
            findings.append(
                finding(
                    "HARDCODED_CREDENTIAL",
                    service=service.name,
                    evidence=[*evidence, state.evidence],
                )
            )
        else:
            findings.append(
                finding(
                    "NO_VAULT_REFERENCE",
                    service=service.name,
                    evidence=[*evidence, *claim_evidence(state)],
                )
            )
    return findings


CHECK = Check(CheckId.CREDENTIALS, "Secrets come from a vault and rotate", evaluate)

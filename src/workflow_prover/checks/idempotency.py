"""idempotency: a retried write happens once (2.2)."""

from __future__ import annotations

from workflow_prover.checks.base import Check, claim_evidence, finding, outbound
from workflow_prover.graph.coverage import Coverage
from workflow_prover.models import CheckId, ClaimGraph, ClaimKind, Finding

K = ClaimKind


def evaluate(graph: ClaimGraph, cov: Coverage) -> list[Finding]:
    findings: list[Finding] = []
    for step in outbound(graph):
        if step.action != "write":
            continue
        state = cov.state("idempotency", step=step)
        if state is not None and state.kind is K.UNSTABLE_KEY:
            findings.append(
                finding(
                    "UNSTABLE_IDEMPOTENCY_KEY", step=step, evidence=[step.evidence, state.evidence]
                )
            )
        elif state is None:
            denied = [c for c in cov.admissions((K.IDEMPOTENCY,)) if cov.covers_step(c.scope, step)]
            findings.append(
                finding(
                    "WRITE_WITHOUT_IDEMPOTENCY",
                    step=step,
                    evidence=[step.evidence, *claim_evidence(*denied[-1:])],
                )
            )
    stores = cov.anywhere((K.IDEMPOTENCY_STORE,))
    if stores and not cov.anywhere((K.KEY_RETENTION,)):
        findings.append(finding("KEY_WITHOUT_RETENTION", evidence=claim_evidence(stores[0])))
    return findings


CHECK = Check(CheckId.IDEMPOTENCY, "A retried write happens once", evaluate)

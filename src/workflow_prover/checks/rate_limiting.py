"""rate_limiting: the workflow backs off instead of hammering external APIs (2.3)."""

from __future__ import annotations

from workflow_prover.checks.base import Check, claim_evidence, finding, outbound
from workflow_prover.graph.coverage import Coverage
from workflow_prover.models import CheckId, ClaimGraph, ClaimKind, Finding, StepNode

K = ClaimKind
_NOT_EXPONENTIAL = (K.RETRY_FIXED, K.RETRY_IMMEDIATE)


def applies(graph: ClaimGraph, step: StepNode) -> bool:
    """Does the step call a service that limits its callers (an external API)?"""
    return any(s.needs_rate_limit for s in graph.services if s.name in step.services)


def evaluate(graph: ClaimGraph, cov: Coverage) -> list[Finding]:
    findings: list[Finding] = []
    for step in outbound(graph):
        if applies(graph, step):
            findings += _each_api(graph, cov, step)
    return findings


def _each_api(graph: ClaimGraph, cov: Coverage, step: StepNode) -> list[Finding]:
    """A step on two rate-limited APIs ("creates a ticket in Kayako and a row in Airtable")
    calls each: it is paced only when each is, so each is checked as the step on it alone,
    and the first that falls short is named."""
    apis = [s.name for s in graph.services if s.name in step.services and s.needs_rate_limit]
    if len(apis) < 2:
        return _step(cov, step)
    for name in apis:
        found = _step(cov, step.model_copy(update={"services": (name,)}))
        if any(f.severity == "blocker" for f in found):
            return found
    return _step(cov, step)


def _step(cov: Coverage, step: StepNode) -> list[Finding]:
    policy = cov.state("retry_policy", step=step)
    rate = cov.holds(K.THROTTLE_RATE, step=step)
    cap = cov.holds(K.THROTTLE_CONCURRENCY, step=step)
    honours = cov.holds(K.RETRY_AFTER, step=step)
    forever = cov.holds(K.UNBOUNDED, step=step)
    fixed = policy is not None and policy.kind in _NOT_EXPONENTIAL
    if fixed or (policy is None and forever is not None):
        # A rate limit paces even a fixed retry; a concurrency cap does not (rubric 2.3).
        severity = "warning" if rate is not None else "blocker"
        return [
            finding(
                "NON_EXPONENTIAL_RETRY",
                step=step,
                severity=severity,
                evidence=[step.evidence, *claim_evidence(policy or forever, rate)],
            )
        ]
    if policy is None and rate is None and cap is None and honours is None:
        return [finding("NO_RATE_LIMIT_HANDLING", step=step, evidence=[step.evidence])]
    out = []
    if policy is not None and cov.holds(K.JITTER, step=step) is None:
        out.append(finding("NO_JITTER", step=step, evidence=claim_evidence(policy)))
    retries = policy or cov.holds(K.RETRY, step=step)
    if retries is not None and (
        forever is not None or cov.holds(K.MAX_ATTEMPTS, step=step) is None
    ):
        out.append(
            finding("UNBOUNDED_RETRIES", step=step, evidence=claim_evidence(forever or retries))
        )
    errors = cov.holds(K.RATE_LIMIT_ERRORS, step=step)
    if errors is not None and honours is None:
        out.append(finding("RETRY_AFTER_IGNORED", step=step, evidence=claim_evidence(errors)))
    return out


CHECK = Check(CheckId.RATE_LIMITING, "The workflow backs off instead of hammering", evaluate)

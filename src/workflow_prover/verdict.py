"""Run the checks and decide the verdict in the rubric's order (section 3).

Suppressed findings (`suppress`: code -> reason, from `--ignore` or an ignore marker in the
document) stay in the list, marked with their reason, but count neither towards the verdict
nor towards their check's status.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from workflow_prover.checks import CHECKS
from workflow_prover.checks.base import finding
from workflow_prover.checks.credentials import secret_findings
from workflow_prover.codes import UNSUPPRESSIBLE
from workflow_prover.graph.coverage import Coverage
from workflow_prover.graph.merge import WEBHOOK_SENDER
from workflow_prover.models import (
    Acceptance,
    CheckId,
    CheckStatus,
    ClaimGraph,
    ClaimKind,
    Finding,
    Verdict,
)

_ORDER: tuple[tuple[Verdict, CheckId, frozenset[str] | None], ...] = (
    (Verdict.HAPPY_PATH_BIAS, CheckId.FAILURE_HANDLING, frozenset({"NO_FAILURE_HANDLING"})),
    (Verdict.NON_IDEMPOTENT, CheckId.IDEMPOTENCY, None),
    (Verdict.MISSING_DLQ, CheckId.FAILURE_HANDLING, None),
    (Verdict.NO_BACKOFF, CheckId.RATE_LIMITING, None),
    (Verdict.INSECURE_CREDENTIALS, CheckId.CREDENTIALS, None),
)


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    findings: list[Finding]
    checks: dict[CheckId, CheckStatus]


def decide(
    graph: ClaimGraph,
    *,
    strict: bool = False,
    suppress: Mapping[str, str] | None = None,
    accept: Sequence[Acceptance] = (),
) -> Decision:
    """`accept`: risks the user accepts; their findings are marked and, like suppressed ones,
    count neither towards the verdict nor towards their check's status."""
    suppress = suppress or {}
    real = [s for s in graph.steps if any(n != WEBHOOK_SENDER.name for n in s.services)]
    if not real or all(s.action == "read" for s in real):
        verdict = Verdict.UNDERSPECIFIED if not real else Verdict.NOT_APPLICABLE
        return _not_applied(graph, verdict, suppress)
    cov = Coverage(graph)
    findings: list[Finding] = []
    statuses: dict[CheckId, CheckStatus] = {}
    for check in CHECKS:
        found = _accepted(_suppressed(check.evaluate(graph, cov), suppress), graph, accept)
        if strict:
            found = [f.model_copy(update={"severity": "blocker"}) for f in found]
        findings += found
        statuses[check.id] = _status(found, applies=_applies(graph, check.id))
    blockers = [f for f in findings if f.severity == "blocker" and not _set_aside(f)]
    if any(f.code == "SECRET_IN_TEXT" for f in blockers):
        return Decision(Verdict.INSECURE_CREDENTIALS, findings, statuses)
    for verdict, check_id, codes in _ORDER:
        if any(f.check is check_id and (codes is None or f.code in codes) for f in blockers):
            return Decision(verdict, findings, statuses)
    return Decision(Verdict.WORKFLOW_PROVEN, findings, statuses)


def _not_applied(graph: ClaimGraph, verdict: Verdict, suppress: Mapping[str, str]) -> Decision:
    """No workflow, or nothing written: only the scan for secrets runs (rubric 3)."""
    statuses: dict[CheckId, CheckStatus] = {c.id: "not_applicable" for c in CHECKS}
    findings = secret_findings(graph)
    if not findings:
        return Decision(verdict, [], statuses)
    kept = [c for c in Coverage(graph).anywhere((ClaimKind.HARDCODED,))]
    if kept:
        findings.append(finding("HARDCODED_CREDENTIAL", evidence=[c.evidence for c in kept]))
    findings = _suppressed(findings, suppress)
    statuses[CheckId.CREDENTIALS] = "fail"
    return Decision(Verdict.INSECURE_CREDENTIALS, findings, statuses)


def _suppressed(found: list[Finding], suppress: Mapping[str, str]) -> list[Finding]:
    return [
        f.model_copy(update={"suppressed": True, "suppression_reason": suppress[f.code]})
        if f.code in suppress and f.code not in UNSUPPRESSIBLE
        else f
        for f in found
    ]


def _set_aside(f: Finding) -> bool:
    return f.suppressed or f.accepted is not None


def _accepted(
    found: list[Finding], graph: ClaimGraph, accept: Sequence[Acceptance]
) -> list[Finding]:
    """Findings a risk the user accepts matches: by code, and by the step's own number (or its
    index where the text numbers none) or the service. A leaked secret is never accepted."""
    if not accept:
        return found
    index = {s.label if s.label is not None else s.index: s.index for s in graph.steps}
    out: list[Finding] = []
    for f in found:
        reason = next((a.reason for a in accept if _matches(a, f, index)), None)
        if reason is not None and f.code not in UNSUPPRESSIBLE:
            f = f.model_copy(update={"accepted": reason})
        out.append(f)
    return out


def _matches(a: Acceptance, f: Finding, index: Mapping[int, int]) -> bool:
    if a.code != f.code:
        return False
    if a.step is not None and index.get(a.step) != f.step:
        return False
    return a.service is None or (f.service or "").lower() == a.service.lower()


def _status(found: list[Finding], applies: bool) -> CheckStatus:
    found = [f for f in found if not _set_aside(f)]
    if any(f.severity == "blocker" for f in found):
        return "fail"
    return "pass" if applies or found else "not_applicable"


def _applies(graph: ClaimGraph, check: CheckId) -> bool:
    from workflow_prover.checks import credentials, rate_limiting
    from workflow_prover.checks.base import outbound

    if check is CheckId.FAILURE_HANDLING:
        return any(s.services for s in graph.steps)
    if check is CheckId.IDEMPOTENCY:
        return any(s.action == "write" for s in outbound(graph))
    if check is CheckId.RATE_LIMITING:
        return any(rate_limiting.applies(graph, s) for s in outbound(graph))
    return bool(credentials.connected(graph)) or bool(graph.secrets)

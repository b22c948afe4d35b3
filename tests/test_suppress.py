"""Suppressions: ignore markers in a document and `ignore` codes from the caller."""

from __future__ import annotations

import pytest

from graphs import claim, graph, step
from workflow_prover.analyzer import Analyzer
from workflow_prover.models import CheckId, Report
from workflow_prover.models import ClaimKind as K
from workflow_prover.suppress import command_line_reason, find_markers
from workflow_prover.verdict import decide

DESIGN = (
    "Stripe webhooks trigger the flow. We upsert each payment into Salesforce keyed on the "
    "Stripe payment ID. Failures go to the payments DLQ, which alerts on-call and is replayed "
    "daily. Salesforce calls back off exponentially with jitter, at most 5 attempts, with a "
    "10 s timeout. The Salesforce API key is in HashiCorp Vault."
)
TOKEN = "ghp_" + "NLqiXZ1VCrvsKz8LSvnZmMxSBuN7cZeWClio"


def active(report: Report) -> set[str]:
    return {f.code for f in report.findings if not f.suppressed}


def suppressed(report: Report) -> dict[str, str | None]:
    return {f.code: f.suppression_reason for f in report.findings if f.suppressed}


@pytest.mark.parametrize(
    ("text", "codes", "reason"),
    [
        pytest.param(
            "<!-- prover: ignore NO_ROTATION -- keys are rotated by the platform team -->",
            ("NO_ROTATION",),
            "keys are rotated by the platform team",
            id="html-comment",
        ),
        pytest.param(
            "<!-- prover:ignore NO_ROTATION, no_timeout -- see ADR-12 -->",
            ("NO_ROTATION", "NO_TIMEOUT"),
            "see ADR-12",
            id="several-codes",
        ),
        pytest.param(
            "steps: []\n  # prover: ignore NO_TIMEOUT -- the platform sets one\n",
            ("NO_TIMEOUT",),
            "the platform sets one",
            id="yaml-comment",
        ),
        pytest.param("<!-- prover: ignore NO_ROTATION -->", ("NO_ROTATION",), None, id="no-reason"),
        pytest.param(
            "<!-- prover: ignore NO_ROTATION --   -->", ("NO_ROTATION",), None, id="blank"
        ),
    ],
)
def test_when_a_marker_is_written_then_its_codes_and_reason_are_read(
    text: str, codes: tuple[str, ...], reason: str | None
) -> None:
    [marker] = find_markers(text)
    assert marker.codes == codes
    got = None if marker.reason_start is None else text[marker.reason_start : marker.reason_end]
    assert got == reason
    assert text[marker.start : marker.end].lstrip().startswith(("<!--", "#"))


def test_when_a_document_ignores_a_code_with_a_reason_then_the_finding_is_kept_but_suppressed(
    analyzer: Analyzer,
) -> None:
    plain = analyzer.analyze(DESIGN)
    assert "NO_ROTATION" in active(plain)
    marked = analyzer.analyze(
        DESIGN + "\n<!-- prover: ignore NO_ROTATION -- keys are rotated by the platform team -->"
    )
    assert suppressed(marked) == {"NO_ROTATION": "keys are rotated by the platform team"}
    assert marked.verdict == plain.verdict
    assert marked.notes == []


def test_when_the_marker_reason_talks_about_rotation_then_it_is_not_read_as_a_claim(
    analyzer: Analyzer,
) -> None:
    marked = analyzer.analyze(
        DESIGN + "\n<!-- prover: ignore NO_TIMEOUT -- keys are rotated by the platform team -->"
    )
    assert "NO_ROTATION" in active(marked)
    assert all(c.kind is not K.ROTATION for c in marked.claims)


def test_when_a_blocker_is_suppressed_then_it_no_longer_decides_the_verdict(
    analyzer: Analyzer,
) -> None:
    text = DESIGN.replace("The Salesforce API key is in HashiCorp Vault.", "")
    assert analyzer.analyze(text).verdict.value == "INSECURE_CREDENTIALS"
    marked = analyzer.analyze(
        text + "\n<!-- prover: ignore NO_VAULT_REFERENCE -- Salesforce uses the JWT bearer flow "
        "with a key in the HSM -->"
    )
    assert marked.verdict.value == "WORKFLOW_PROVEN"
    assert marked.checks[CheckId.CREDENTIALS] == "pass"
    assert "NO_VAULT_REFERENCE" in suppressed(marked)


@pytest.mark.parametrize(
    ("marker", "note"),
    [
        pytest.param(
            "<!-- prover: ignore NO_ROTATION -->", "IGNORE_WITHOUT_REASON", id="no-reason"
        ),
        pytest.param("<!-- prover: ignore NOT_A_CODE -- why -->", "IGNORE_INVALID", id="unknown"),
        pytest.param(
            "<!-- prover: ignore SECRET_IN_TEXT -- test key -->", "IGNORE_INVALID", id="leak"
        ),
    ],
)
def test_when_a_marker_cannot_suppress_then_it_is_reported_and_suppresses_nothing(
    analyzer: Analyzer, marker: str, note: str
) -> None:
    report = analyzer.analyze(f"{DESIGN} The bot token is {TOKEN}.\n{marker}")
    assert [n.code for n in report.notes] == [note]
    assert report.notes[0].evidence[0].text == marker
    assert suppressed(report) == {}
    assert report.verdict.value == "INSECURE_CREDENTIALS"


def test_when_the_caller_ignores_a_code_then_the_reason_says_so(analyzer: Analyzer) -> None:
    report = analyzer.analyze(DESIGN, ignore=["NO_ROTATION"])
    assert suppressed(report) == {"NO_ROTATION": command_line_reason("NO_ROTATION")}


def test_when_the_document_and_the_caller_ignore_a_code_then_the_documents_reason_wins(
    analyzer: Analyzer,
) -> None:
    text = DESIGN + "\n<!-- prover: ignore NO_ROTATION -- rotated by the platform -->"
    report = analyzer.analyze(text, ignore=["NO_ROTATION"])
    assert suppressed(report) == {"NO_ROTATION": "rotated by the platform"}


@pytest.mark.parametrize("code", ["SECRET_IN_TEXT", "NOT_A_CODE"])
def test_when_the_caller_ignores_what_cannot_be_ignored_then_it_is_refused(
    analyzer: Analyzer, code: str
) -> None:
    with pytest.raises(ValueError, match="cannot ignore"):
        analyzer.analyze(DESIGN, ignore=[code])


def test_when_findings_are_suppressed_then_check_status_and_verdict_ignore_them() -> None:
    g = graph([step(1, "Stripe", "read", inbound=True), step(2, "HubSpot")])
    assert decide(g).verdict.value == "HAPPY_PATH_BIAS"
    decision = decide(g, suppress={"NO_FAILURE_HANDLING": "handled by the platform"})
    assert decision.checks[CheckId.FAILURE_HANDLING] == "pass"
    assert decision.verdict.value == "NON_IDEMPOTENT"
    [hidden] = [f for f in decision.findings if f.suppressed]
    assert (hidden.code, hidden.suppression_reason) == (
        "NO_FAILURE_HANDLING",
        "handled by the platform",
    )


def test_when_strict_then_suppressed_warnings_still_do_not_count() -> None:
    claims = [claim(K.TERMINAL_PATH), claim(K.ALERTING), claim(K.IDEMPOTENCY)]
    claims += [claim(K.BACKOFF_EXPONENTIAL), claim(K.JITTER), claim(K.MAX_ATTEMPTS)]
    claims += [claim(K.VAULT), claim(K.ROTATION)]
    g = graph([step(1, "HubSpot")], claims)
    assert decide(g, strict=True).verdict.value == "MISSING_DLQ"  # NO_TIMEOUT as a blocker
    decision = decide(g, strict=True, suppress={"NO_TIMEOUT": "set by the HTTP client"})
    assert decision.verdict.value == "WORKFLOW_PROVEN"

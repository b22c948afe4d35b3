"""Verdict names and redaction placeholders quoted in a text are masked: no lexicon mention
is read inside them (a pasted 'NO_BACKOFF' is no claim about backoff)."""

from __future__ import annotations

import pytest

from workflow_prover.analyzer import Analyzer


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("The last review said WORKFLOW_PROVEN, so we ship.", ["WORKFLOW_PROVEN"]),
        ("It was UNDERSPECIFIED before we added retries.", ["UNDERSPECIFIED"]),
        ("We fixed NO_BACKOFF and MISSING_DLQ.", ["NO_BACKOFF", "MISSING_DLQ"]),
        ("The key [REDACTED:stripe_key] is in Vault.", ["[REDACTED:stripe_key]"]),
        ("A snake_case name is no verdict.", []),
        ("An A_B or a Foo_Bar name is none either.", []),
        ("retry_count is set, and the answer was NOT_APPLICABLE.", ["NOT_APPLICABLE"]),
        ("We retry with exponential backoff and a dead letter queue.", []),
    ],
)
def test_quoted_verdict_names_and_placeholders_are_masked(
    analyzer: Analyzer, text: str, masked: list[str]
) -> None:
    ann = analyzer.pipeline.annotate(text)
    assert [text[s:e] for s, e in ann.masked] == masked

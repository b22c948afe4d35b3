"""`workflow-prover trace`: each stage shows the id of the rule or heuristic that decided."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from workflow_prover import cli
from workflow_prover.analyzer import Analyzer
from workflow_prover.trace import Trace, build_trace, render_trace

_SECRET = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"

# (behaviour, text, a line the text trace must show)
SHOWN = [
    (
        "a verb-shaped noun after a noun is no action",
        "Pull invoices from Chargebee. The lead sync posts to Slack.",
        "via: frame.verb.noun_compound",
    ),
    (
        "an action naming no system takes its sentence's system",
        "We pull orders from Shopify, then transform and store them.",
        "[step.fallback.sentence_system]",
    ),
    (
        "a write back goes to the system read",
        "We read each order from Shopify and write it back.",
        "[step.fallback.write_back]",
    ),
    (
        "an arrow chain makes one step per segment",
        "Shopify order -> Xero invoice -> Slack message",
        '"Slack message"  [arrow]',
    ),
    (
        "a key names the step and its value acts",
        "notify: push a message via Braze",
        "via: frame.key_value",
    ),
    (
        "a trigger adverbial is read with its rule",
        "When a Typeform submission arrives, we save it to Airtable.",
        'adverbial: trigger "When a Typeform submission arrives"  [frame.adverbial.when]',
    ),
    (
        "a preposition decides a service's role",
        "notify: push a message via Braze",
        'role: Braze is channel ("via")',
    ),
    (
        "a negation cue decides an action's modality",
        "We do not write to Xero.",
        'negated  [verb.write]  cue "not" [neg.not]',
    ),
    (
        "a pronoun's claim inherits the scope of the clause before",
        "Create invoices in Xero; it retries with backoff.",
        "via: scope.refers_back, scope.services",
    ),
    (
        "a claim about numbered steps says so",
        "1. Pull invoices from Chargebee.\n2. Create them in Xero.\nSteps 1 and 2 retry.",
        "via: scope.step_refs",
    ),
    (
        "a finding names the rules of its evidence",
        "Create invoices in Xero.",
        "WRITE_WITHOUT_IDEMPOTENCY (blocker) step 1 Xero  [verb.create]",
    ),
    (
        "a step of a pasted document says where in it it is",
        '```json\n{"StartAt": "Charge", "States": {"Charge": {"Type": "Task", "Resource": '
        '"arn:aws:states:::http:invoke", "Parameters": {"ApiEndpoint": '
        '"https://api.stripe.com/v1/charges", "Method": "POST"}, "End": true}}}\n```',
        "at /States/Charge  [step.asl.http]",
    ),
    (
        "an exception says what it leaves out",
        "We create the deal in HubSpot and post a note to Slack. Every step except the Slack "
        "post has a dead-letter queue.",
        "scope: all except steps 2  via: scope.exception",
    ),
    (
        "a heading is a block of its section",
        "## Context\nWe pull orders from Shopify.",
        'line 1: heading, section background  "Context"',
    ),
]


@pytest.mark.parametrize(("text", "line"), [pytest.param(t, line, id=b) for b, t, line in SHOWN])
def test_the_trace_shows_the_id_that_decided(analyzer: Analyzer, text: str, line: str) -> None:
    assert line in render_trace(build_trace(analyzer, text))


SECRET_TEXTS = [
    pytest.param(f"Create invoices in Xero with key {_SECRET}.", id="inline_key"),
    pytest.param(f"## Config\nstripe_key: {_SECRET}\nCharge the card in Stripe.", id="key_line"),
]


@pytest.mark.parametrize("text", SECRET_TEXTS)
def test_a_secret_never_appears_in_the_trace(analyzer: Analyzer, text: str) -> None:
    trace = build_trace(analyzer, text)
    shown = render_trace(trace) + trace.model_dump_json()
    assert _SECRET not in shown
    assert "[REDACTED:" in shown


def test_the_trace_reads_the_text_as_the_report_does(analyzer: Analyzer) -> None:
    text = "Pull invoices from Chargebee and create them in Xero; it retries with backoff."
    trace, report = build_trace(analyzer, text), analyzer.analyze(text)
    assert trace.verdict == report.verdict.value
    assert [s.text for s in trace.steps] == [s.text for s in report.steps]
    assert [(c.kind, c.modality) for c in trace.claims] == [
        (c.kind.value, c.modality) for c in report.claims
    ]
    assert [f.code for f in trace.findings] == [f.code for f in report.findings]


# --- the command ---------------------------------------------------------------------------


class _Stdin(io.TextIOWrapper):
    def isatty(self) -> bool:
        return False


@pytest.fixture
def shared(analyzer: Analyzer, monkeypatch: pytest.MonkeyPatch) -> Iterator[Analyzer]:
    monkeypatch.setattr("workflow_prover.analyzer.default_analyzer", lambda: analyzer)
    yield analyzer


def _feed(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", _Stdin(io.BytesIO(text.encode("utf-8")), "utf-8"))


@pytest.mark.usefixtures("shared")
@pytest.mark.parametrize(
    ("source", "argv"),
    [
        pytest.param("stdin", ["trace", "-"], id="stdin_dash"),
        pytest.param("stdin", ["trace"], id="stdin_by_default"),
        pytest.param("file", ["trace", "{path}"], id="file"),
    ],
)
def test_trace_reads_a_file_or_stdin_and_prints_every_stage(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    source: str,
    argv: list[str],
) -> None:
    text = f"Pull invoices from Chargebee. Key: {_SECRET}"
    path = tmp_path / "design.md"
    path.write_text(text, encoding="utf-8")
    _feed(monkeypatch, text if source == "stdin" else "")
    code = cli.main([a.format(path=path) for a in argv])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    for stage in ("tokens", "mentions", "blocks and sections", "clauses", "steps", "claims"):
        assert f"\n{stage}\n" in out
    assert "[verb.pull]" in out
    assert _SECRET not in out


@pytest.mark.usefixtures("shared")
def test_trace_json_is_the_trace_as_data(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _feed(monkeypatch, "Pull invoices from Chargebee and create them in Xero.")
    code = cli.main(["trace", "--format", "json"])
    out, _ = capsys.readouterr()
    trace = Trace.model_validate(json.loads(out))
    assert code == 0
    assert [(s.rule, s.services) for s in trace.steps] == [
        ("verb.pull", ["Chargebee"]),
        ("verb.create", ["Xero"]),
    ]


@pytest.mark.usefixtures("shared")
def test_trace_of_a_missing_file_is_a_one_line_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code = cli.main(["trace", str(tmp_path / "absent.md")])
    _, err = capsys.readouterr()
    assert code == 2
    assert err.count("\n") == 1 and "no such file" in err


def test_an_infinitive_of_an_english_word_vendor_names_no_system(analyzer: Analyzer) -> None:
    """'To close the loop on the design': the verb 'close' and its object, not Close CRM."""
    text = "To close the loop on the design: we create the payout in Wise."
    assert "Close CRM" not in render_trace(build_trace(analyzer, text))

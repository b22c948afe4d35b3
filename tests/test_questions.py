"""Issue 9: which turns are questions, and what a question is about."""

from __future__ import annotations

from typing import Any

import pytest

from workflow_prover.analyzer import Analyzer
from workflow_prover.codes import CODES
from workflow_prover.server.questions import Answers, rule_help

QUESTIONS = {
    "a sentence ending in a question mark asks": ("why is step 2 still flagged?", True),
    "every sentence must ask": ("Why is step 2 flagged? Step 2 retries 3 times.", False),
    "a statement that opens like a question is a statement": (
        "What happens on failure: the item goes to a DLQ.",
        False,
    ),
    "two questions ask": ("Does the Slack post need a key? Why?", True),
}


@pytest.mark.parametrize(("text", "asks"), QUESTIONS.values(), ids=QUESTIONS.keys())
def test_a_turn_is_a_question_only_when_it_only_asks(text: str, asks: bool) -> None:
    assert Answers.load().is_question(text) is asks


REPORT: dict[str, Any] = {
    "steps": [
        {"index": 1, "label": 1, "action": "read", "services": ["Stripe"]},
        {"index": 2, "label": 2, "action": "write", "services": ["Google Sheets"]},
        {"index": 3, "label": 3, "action": "write", "services": ["Slack"]},
    ],
    "services": [
        {"name": "Stripe", "category": "payments"},
        {"name": "Google Sheets", "category": "spreadsheet"},
        {"name": "Slack", "category": "chat"},
    ],
    "findings": [
        {
            "code": "WRITE_WITHOUT_IDEMPOTENCY",
            "check": "idempotency",
            "step": 3,
            "service": "Slack",
        },
        {"code": "NO_VAULT_REFERENCE", "check": "credentials", "step": None, "service": "Slack"},
    ],
    "claims": [
        {
            "kind": "idempotency",
            "modality": "asserted",
            "scope": {"target": "steps", "steps": [2], "services": []},
            "evidence": [{"text": "upsert", "start": 3, "end": 9, "turn": 1}],
        }
    ],
}

ABOUT = {
    "a question about a step's check explains that finding with advice for its service": (
        "does the Slack post really need an idempotency key?",
        ["WRITE_WITHOUT_IDEMPOTENCY on Step 3 (Slack)", "take no idempotency key"],
    ),
    "a question by step number covers the step's findings and its service's": (
        "why is step 3 still flagged?",
        ["WRITE_WITHOUT_IDEMPOTENCY on Step 3 (Slack)", "NO_VAULT_REFERENCE on Slack"],
    ),
    "a question about a step that passes quotes what covers it": (
        "why is the Google Sheet step not missing an idempotency key?",
        ["Step 2 (Google Sheets) has no open idempotency finding", "turn 1: 'We upsert each row'"],
    ),
}


@pytest.mark.parametrize(("question", "parts"), ABOUT.values(), ids=ABOUT.keys())
def test_a_question_is_answered_about_what_it_names(question: str, parts: list[str]) -> None:
    answer = " ".join(Answers.load().answer(question, REPORT, ["We upsert each row."]))
    for part in parts:
        assert part in answer


def test_the_answer_explains_the_rule_from_the_rule_documentation() -> None:
    title, help_text = rule_help("WRITE_WITHOUT_IDEMPOTENCY")
    rule = CODES["WRITE_WITHOUT_IDEMPOTENCY"]
    assert (title, help_text) == (rule.title, rule.help)
    answer = Answers.load().answer("does step 3 need an idempotency key?", REPORT)
    assert help_text in answer[0]


def test_every_finding_code_has_advice_of_its_own() -> None:
    answers = Answers.load()
    missing = [code for code in CODES if answers.advice_for(code, "", "api") is None]
    assert missing == []


FLOW = (
    "1. Read new invoices from Postgres.\n"
    "2. POST each invoice to billing-svc.\n"
    "3. Post a summary to Slack."
)

# (behaviour, the question, parts of the answer)
STEP_ADVICE = [
    (
        "advice on an internal service's write names that service",
        "why is step 2 still flagged for idempotency?",
        ["WRITE_WITHOUT_IDEMPOTENCY on Step 2 (billing-svc)", "each write to billing-svc"],
    ),
    (
        "the answer quotes the step as the Prover read it",
        "why is step 2 still flagged for idempotency?",
        ["('2. POST each invoice to billing-svc')"],
    ),
    (
        "a finding said of the whole design is answered for the step asked about",
        "does step 1 need a dead-letter queue?",
        ["NO_FAILURE_HANDLING on the design (so Step 1 (PostgreSQL) too)", "a call to PostgreSQL"],
    ),
    (
        "advice on a datastore's credential is for a database",
        "does step 1 need a vault?",
        ["NO_VAULT_REFERENCE on PostgreSQL", "the PostgreSQL password"],
    ),
]


@pytest.mark.parametrize(
    ("behaviour", "question", "parts"), STEP_ADVICE, ids=[r[0] for r in STEP_ADVICE]
)
def test_advice_is_for_the_step_asked_about(
    analyzer: Analyzer, behaviour: str, question: str, parts: list[str]
) -> None:
    report = analyzer.analyze(FLOW).model_dump(mode="json")
    answer = " ".join(Answers.load().answer(question, report, [FLOW]))
    for part in parts:
        assert part in answer, behaviour

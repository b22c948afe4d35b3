"""Issue 9: which turns are questions, and what a question is about."""

from __future__ import annotations

from typing import Any

import pytest

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
